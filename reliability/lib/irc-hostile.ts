// The hostile IRC input of C3-IRC (reliability/README.md): malformed lines, overlong lines, NUL
// and CR inside a line, invalid UTF-8, tag bombs, each with the answer docs/irc.md and the codec's
// ParseFailureReason (src/transports/irc/line-codec.ts) document; and an IRC bystander pair that
// keeps chatting while the attacks run, its delivery latency kept per labelled window.
import { percentiles, type Percentiles } from './checker.js';
import { sleep } from './http.js';
import { IrcClient, registerIrc } from './irc-client.js';

/** One hostile input on a registered connection, and the lines it must get back. */
export interface LineCase {
  name: string;
  /** written as is (CRLF included where the case has one) */
  bytes: Buffer;
  /** each must match exactly one answer line; any other line is unexpected */
  expect: RegExp[];
  /** the documented answer, for the report */
  doc: string;
  /** written in this many pieces, a millisecond apart (default 1) */
  writes?: number;
}

const b = (s: string) => Buffer.from(s, 'utf8');
const raw = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? b(p) : Buffer.from(p))));

const R417 = /^:\S+ 417 \S+ :Input line was too long$/;
const r421 = (cmd: string) => new RegExp(`^:\\S+ 421 \\S+ ${cmd} :Unknown command$`);
const failUtf8 = (cmd: string) =>
  new RegExp(`^:\\S+ FAIL ${cmd.replace('*', '\\*')} INVALID_UTF8 :`);
const pong = (token: string) => new RegExp(`^:\\S+ PONG \\S+ :?${token}$`);

/** The corpus; `channel` is one the connection is in (dropped lines must not reach it). */
export function lineCases(channel: string): LineCase[] {
  const params20 = Array.from({ length: 20 }, (_, i) => `p${i + 2}`).join(' ');
  const manyTags = Array.from({ length: 2047 }, () => 'a').join(';'); // 4,093 bytes, 2,047 tags
  const smallTags = Array.from({ length: 800 }, (_, i) => `k${i % 10}=v`).join(';'); // 3,999 bytes
  return [
    // no command: ignored without an answer (ParseFailureReason `no_command`, `empty`)
    { name: 'tags only', bytes: b('@a=b;c\r\n'), expect: [], doc: 'ignored' },
    { name: 'source only', bytes: b(':nick!u@h\r\n'), expect: [], doc: 'ignored' },
    {
      name: 'tags and source, no command',
      bytes: b('@a=b :src   \r\n'),
      expect: [],
      doc: 'ignored',
    },
    { name: 'only spaces', bytes: b('        \r\n'), expect: [], doc: 'ignored' },
    { name: 'empty line', bytes: b('\r\n'), expect: [], doc: 'ignored' },
    { name: 'bare LF line', bytes: b('\n'), expect: [], doc: 'ignored' },
    { name: "':' only", bytes: b(':\r\n'), expect: [], doc: 'ignored' },
    { name: "':' then spaces", bytes: b(':    \r\n'), expect: [], doc: 'ignored' },
    // more than 15 params: the 15th takes the rest; the command runs
    {
      name: '20 params to PING',
      bytes: b(`PING tok16 ${params20}\r\n`),
      expect: [pong('tok16')],
      doc: 'PONG for the first param',
    },
    {
      name: '20 params to an unknown command',
      bytes: b(`FOO a ${params20}\r\n`),
      expect: [r421('FOO')],
      doc: '421 from the core',
    },
    // bad tags: keys are never validated, the command still runs
    { name: 'tags ;;;=', bytes: b('@;;;= PING :bt1\r\n'), expect: [pong('bt1')], doc: 'PONG' },
    {
      name: 'tag with an empty key',
      bytes: b('@=x;a=\\ PING :bt2\r\n'),
      expect: [pong('bt2')],
      doc: 'PONG',
    },
    {
      name: 'unknown escapes',
      bytes: b('@a=\\q\\;b=\\ PING :bt3\r\n'),
      expect: [pong('bt3')],
      doc: 'PONG',
    },
    { name: "'@' alone", bytes: b('@ PING :bt4\r\n'), expect: [pong('bt4')], doc: 'PONG' },
    {
      name: "'@+' and '=='",
      bytes: b('@+;==;x=y=z PING :bt5\r\n'),
      expect: [pong('bt5')],
      doc: 'PONG',
    },
    // bad commands: 421 from the listener
    { name: 'command with a digit', bytes: b('P1NG x\r\n'), expect: [r421('P1NG')], doc: '421' },
    { name: 'four-digit numeric', bytes: b('1234 x\r\n'), expect: [r421('1234')], doc: '421' },
    {
      name: 'a 490-byte bad command (the 421 must still fit 512 bytes)',
      bytes: b(`X1${'y'.repeat(490)}\r\n`),
      expect: [/^:\S+ 421 \S+ X1y+ :Unknown command$/],
      doc: '421 within 512 bytes',
    },
    {
      name: 'unknown command',
      bytes: b('FROBNICATE now\r\n'),
      expect: [r421('FROBNICATE')],
      doc: '421',
    },
    // overlong lines: one 417 each, the connection goes on
    {
      name: '64 KiB line',
      bytes: b(`PRIVMSG ${channel} :${'a'.repeat(65_536)}\r\n`),
      expect: [R417],
      doc: 'one 417',
    },
    {
      name: '600-byte line (over 512, under the reader limit)',
      bytes: b(`PRIVMSG ${channel} :${'a'.repeat(600)}\r\n`),
      expect: [R417],
      doc: 'one 417',
    },
    {
      name: '64 KiB line in 64 writes without LF, then LF',
      bytes: Buffer.concat([b('NOTICE x :'), b('z'.repeat(65_536)), b('\r\n')]),
      expect: [R417],
      doc: 'one 417',
      writes: 64,
    },
    // NUL and CR inside a line: dropped without an answer (`forbidden_char`)
    {
      name: 'NUL in a PRIVMSG',
      bytes: raw(`PRIVMSG ${channel} :a`, [0], 'b\r\n'),
      expect: [],
      doc: 'dropped',
    },
    { name: 'NUL first', bytes: raw([0], 'PING :n1\r\n'), expect: [], doc: 'dropped' },
    {
      name: 'lone CR smuggling a second command',
      bytes: b(`PRIVMSG ${channel} :x\rPRIVMSG ${channel} :injected\r\n`),
      expect: [],
      doc: 'dropped',
    },
    // invalid UTF-8: FAIL <command> INVALID_UTF8, never relayed
    {
      name: 'invalid UTF-8 in the text',
      bytes: raw(`PRIVMSG ${channel} :`, [0xff, 0xfe], '\r\n'),
      expect: [failUtf8('PRIVMSG')],
      doc: 'FAIL PRIVMSG INVALID_UTF8',
    },
    {
      name: 'overlong encoding',
      bytes: raw(`PRIVMSG ${channel} :`, [0xc0, 0xaf], '\r\n'),
      expect: [failUtf8('PRIVMSG')],
      doc: 'FAIL PRIVMSG INVALID_UTF8',
    },
    {
      name: 'UTF-8 surrogate',
      bytes: raw(`NOTICE ${channel} :`, [0xed, 0xa0, 0x80], '\r\n'),
      expect: [failUtf8('NOTICE')],
      doc: 'FAIL NOTICE INVALID_UTF8',
    },
    {
      name: 'truncated sequence at the end',
      bytes: raw(`PRIVMSG ${channel} :abc`, [0xe2, 0x82], '\r\n'),
      expect: [failUtf8('PRIVMSG')],
      doc: 'FAIL PRIVMSG INVALID_UTF8',
    },
    {
      name: 'invalid UTF-8 as the command',
      bytes: raw([0xff, 0xfe], ' x\r\n'),
      expect: [failUtf8('*')],
      doc: 'FAIL * INVALID_UTF8',
    },
    {
      name: 'invalid UTF-8 in a tag',
      bytes: raw('@a=', [0xff], ' PING :u1\r\n'),
      expect: [failUtf8('PING')],
      doc: 'FAIL PING INVALID_UTF8',
    },
    // tag bombs: 4,094 bytes of tag data at most (message-tags), 417 beyond
    {
      name: '4,095 bytes of tag data',
      bytes: b(`@${'a'.repeat(4095)} PING :tb1\r\n`),
      expect: [R417],
      doc: 'one 417',
    },
    {
      name: 'exactly 4,094 bytes of tag data',
      bytes: b(`@${'a'.repeat(4094)} PING :tb2\r\n`),
      expect: [pong('tb2')],
      doc: 'PONG',
    },
    {
      name: '2,047 tags in 4,093 bytes',
      bytes: b(`@${manyTags} PING :tb3\r\n`),
      expect: [pong('tb3')],
      doc: 'PONG',
    },
    {
      name: '800 tags on 10 repeated keys',
      bytes: b(`@${smallTags} PING :tb4\r\n`),
      expect: [pong('tb4')],
      doc: 'PONG',
    },
    {
      name: '64 KiB of tags',
      bytes: b(`@${'k=v;'.repeat(16_384)} PING :tb5\r\n`),
      expect: [R417],
      doc: 'one 417',
    },
  ];
}

/** A 4,093-byte tag section of 2,047 tags: one line of the tag-bomb stream. */
export function tagBombLine(token: string): string {
  return `@${Array.from({ length: 2047 }, () => 'a').join(';')} PING :${token}`;
}

// ---- an IRC bystander pair --------------------------------------------------------------------

/**
 * Two IRC clients in one channel: the talker sends `PRIVMSG <channel> :<prefix>-<n>` every
 * `everyMs`, the listener records when each arrived. Latency per labelled window, and the lost.
 */
export class IrcBystander {
  private talker: IrcClient | null = null;
  private listener: IrcClient | null = null;
  private readonly sentAt = new Map<string, { at: number; label: string }>();
  private label = 'baseline';
  private stopped = false;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly port: number,
    private readonly everyMs = 100,
  ) {}

  async start(prefix: string, channel: string, deadline: number): Promise<this> {
    this.talker = await registerIrc(this.port, `${prefix}t`);
    this.listener = await registerIrc(this.port, `${prefix}l`);
    for (const c of [this.talker, this.listener]) {
      c.send(`JOIN ${channel}`);
      await c.waitFor(/ 366 /, 10_000);
    }
    const talker = this.talker;
    this.loop = (async () => {
      for (let i = 0; !this.stopped && Date.now() < deadline && i < 1_000_000; i++) {
        if (talker.isClosed()) return;
        const key = `${prefix}-${i}`;
        this.sentAt.set(key, { at: performance.now(), label: this.label });
        talker.send(`PRIVMSG ${channel} :${key}`);
        await sleep(this.everyMs);
      }
    })();
    return this;
  }

  mark(label: string): void {
    this.label = label;
  }

  private arrivals(): Map<string, number> {
    const out = new Map<string, number>();
    for (const l of this.listener?.lines ?? []) {
      const m = / PRIVMSG \S+ :?(\S+)$/.exec(l.text);
      if (m && this.sentAt.has(m[1]!) && !out.has(m[1]!)) out.set(m[1]!, l.at);
    }
    return out;
  }

  /** latencies (ms) of the messages sent under `label` (all labels when omitted) */
  latencies(label?: string): Percentiles {
    const arrived = this.arrivals();
    const out: number[] = [];
    for (const [key, s] of this.sentAt) {
      const at = arrived.get(key);
      if (at !== undefined && (label === undefined || s.label === label)) out.push(at - s.at);
    }
    return percentiles(out);
  }

  /** per label: p99 and max */
  byLabel(): Record<string, { count: number; p99: number; max: number }> {
    const labels = new Set([...this.sentAt.values()].map((s) => s.label));
    const out: Record<string, { count: number; p99: number; max: number }> = {};
    for (const l of labels) {
      const p = this.latencies(l);
      out[l] = { count: p.count, p99: p.p99, max: p.max };
    }
    return out;
  }

  sent(): number {
    return this.sentAt.size;
  }

  /** sent but never received (call after stop) */
  lost(): number {
    const arrived = this.arrivals();
    return [...this.sentAt.keys()].filter((k) => !arrived.has(k)).length;
  }

  /** duplicated deliveries */
  duplicates(): number {
    const seen = new Map<string, number>();
    for (const l of this.listener?.lines ?? []) {
      const m = / PRIVMSG \S+ :?(\S+)$/.exec(l.text);
      if (m && this.sentAt.has(m[1]!)) seen.set(m[1]!, (seen.get(m[1]!) ?? 0) + 1);
    }
    return [...seen.values()].filter((n) => n > 1).length;
  }

  /** Stops sending, waits up to `settleMs` for the last messages, closes both clients. */
  async stop(settleMs = 3_000): Promise<void> {
    this.stopped = true;
    await this.loop;
    const until = Date.now() + settleMs;
    while (Date.now() < until && this.lost() > 0) await sleep(50);
    this.talker?.end();
    this.listener?.end();
  }

  closedEarly(): boolean {
    return (
      (this.talker?.closedHow ?? 'local') !== 'local' ||
      (this.listener?.closedHow ?? 'local') !== 'local'
    );
  }
}
