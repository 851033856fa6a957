// The attack catalogue of F6 (amplification: one request, unbounded work): for each command and
// endpoint, the largest input a client can send — lists of targets, nicks and masks up to the
// request body cap, `params` and `meta` stuffed, replay and history reads in a loop — against the
// world f6 builds (1,000 visible sessions `p<i>`, each op of its own `#c<i>` with a 390-character
// topic and a member of `#big`; 500 messages of ~4 KB in `#big`). The same inputs go to any build,
// so a run against an older server gives the "before" figures.
import { generateSigningKey } from '../../src/shared/signing.js';

export type AttackKind = 'command' | 'replay' | 'read';

export interface AttackRequest {
  method: 'GET' | 'POST';
  path: string;
  json?: unknown;
}

export interface Attack {
  id: string;
  what: string;
  /** command and replay: counted by flood control; read: by the read budget */
  kind: AttackKind;
  /** the attacker: a fresh session (`fresh`), one in #big, one in 100 channels, or #big's op */
  as: 'fresh' | 'in-big' | 'in-100' | 'founder';
  /** the i-th request of the attack */
  request(i: number): AttackRequest;
}

const WORLD = 1000;
/** about what fits under the default 64 KiB request body */
const BODY_FILL = 56_000;

const post = (json: Record<string, unknown>): AttackRequest => ({
  method: 'POST',
  path: '/api/v1/messages',
  json,
});
const get = (path: string): AttackRequest => ({ method: 'GET', path });

/** `count` comma-separated entries from `make`, as many as fit `bytes`. */
function commaList(bytes: number, make: (i: number) => string): string {
  const out: string[] = [];
  let used = 0;
  for (let i = 0; used < bytes; i++) {
    const e = make(i);
    out.push(e);
    used += e.length + 1;
  }
  return out.join(',');
}

/** A glob that almost matches everything and fails at the end: the matcher's worst case. */
const nearMiss = (first: string, length: number) =>
  (first + '*?'.repeat(length)).slice(0, length - 1) + '\u0001';

const bigParams = Array.from({ length: 15 }, () => 'p'.repeat(3_700));

export function attackCatalogue(): Attack[] {
  const key = generateSigningKey().publicKey;
  const channels20 = Array.from({ length: 20 }, (_, i) => `#c${i}`).join(',');
  // the inputs are built once: an attack repeats its request hundreds of times
  const kickNicks = commaList(BODY_FILL, (i) => `x${i}`);
  const dupTargets = commaList(508, () => 'p1');
  const listMasks = commaList(BODY_FILL, () => nearMiss('#', 60));
  const isonNicks = commaList(4_000, (i) => `p${i % WORLD}`).replaceAll(',', ' ');
  return [
    {
      id: 'kick-list',
      what: 'KICK #big with ~8,000 nicks in params[0]',
      kind: 'command',
      as: 'founder',
      request: () => post({ command: 'KICK', to: '#big', params: [kickNicks] }),
    },
    {
      id: 'privmsg-dups',
      what: 'PRIVMSG to one nick named ~170 times (512-byte `to`)',
      kind: 'command',
      as: 'fresh',
      request: () => post({ command: 'PRIVMSG', to: dupTargets, body: ['dup'] }),
    },
    {
      id: 'privmsg-params',
      what: 'PRIVMSG #big with 15 params of 3,700 bytes',
      kind: 'command',
      as: 'in-big',
      request: () => post({ command: 'PRIVMSG', to: '#big', params: bigParams, body: ['x'] }),
    },
    {
      id: 'pubkey-params',
      what: 'PUBKEY to all channels with 15 params of 3,700 bytes',
      kind: 'command',
      as: 'in-big',
      request: () => post({ command: 'PUBKEY', params: bigParams, body: { alg: 'ed25519', key } }),
    },
    {
      id: 'list-all',
      what: 'LIST (1,001 channels with 390-character topics)',
      kind: 'command',
      as: 'fresh',
      request: () => post({ command: 'LIST' }),
    },
    {
      id: 'list-masks',
      what: 'LIST with ~900 masks of 60 characters',
      kind: 'command',
      as: 'fresh',
      request: () => post({ command: 'LIST', params: [listMasks] }),
    },
    {
      id: 'list-mask-128',
      what: 'LIST with one 128-character near-miss mask',
      kind: 'command',
      as: 'fresh',
      request: () => post({ command: 'LIST', params: [nearMiss('#', 128)] }),
    },
    {
      id: 'who-all',
      what: 'WHO * (1,000 visible sessions)',
      kind: 'command',
      as: 'fresh',
      request: () => post({ command: 'WHO', to: '*' }),
    },
    {
      id: 'who-mask-512',
      what: 'WHO with a 512-character near-miss mask',
      kind: 'command',
      as: 'fresh',
      request: () => post({ command: 'WHO', to: nearMiss('p', 512) }),
    },
    {
      id: 'who-mask-128',
      what: 'WHO with a 128-character near-miss mask',
      kind: 'command',
      as: 'fresh',
      request: () => post({ command: 'WHO', to: nearMiss('p', 128) }),
    },
    {
      id: 'names-all',
      what: 'NAMES without a target (every channel)',
      kind: 'command',
      as: 'fresh',
      request: () => post({ command: 'NAMES' }),
    },
    {
      id: 'names-big',
      what: 'NAMES #big (1,001 members)',
      kind: 'command',
      as: 'fresh',
      request: () => post({ command: 'NAMES', to: '#big' }),
    },
    {
      id: 'join-part-20',
      what: 'JOIN then PART 20 channels, alternately',
      kind: 'command',
      as: 'fresh',
      request: (i) => post({ command: i % 2 === 0 ? 'JOIN' : 'PART', to: channels20 }),
    },
    {
      id: 'ison',
      what: 'ISON with ~600 nicks',
      kind: 'command',
      as: 'fresh',
      request: () => post({ command: 'ISON', params: [isonNicks] }),
    },
    {
      id: 'replay',
      what: 'GET /state?replay=1 in a loop, from a session in 100 channels',
      kind: 'replay',
      as: 'in-100',
      request: () => get('/api/v1/state?replay=1'),
    },
    {
      id: 'history',
      what: 'GET /history #big limit=500 in a loop (500 messages of ~4 KB)',
      kind: 'read',
      as: 'in-big',
      request: () => get('/api/v1/history?target=%23big&limit=500'),
    },
    {
      id: 'channels',
      what: 'GET /channels in a loop (1,001 channels)',
      kind: 'read',
      as: 'fresh',
      request: () => get('/api/v1/channels'),
    },
    {
      id: 'members',
      what: 'GET /channels/big/members in a loop (1,001 members)',
      kind: 'read',
      as: 'fresh',
      request: () => get('/api/v1/channels/big/members'),
    },
  ];
}
