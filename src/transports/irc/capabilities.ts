// IRCv3 capability negotiation for the native IRC listener: the capabilities offered, what one
// connection has negotiated, and the answers to its CAP commands. Pure: no sockets, no clock, so
// every negotiation rule is tested on its own. "CAP spec" below is the IRCv3 Client Capability
// Negotiation specification, which now includes cap-notify; the numerics follow Modern IRC.
import { Buffer } from 'node:buffer';
import {
  IRC_MESSAGE_MAX_BYTES,
  lineBytesWithoutTags,
  textOverheadBytes,
  type OutgoingMessage,
} from './line-codec.js';

/** One offered capability; `value` only where the capability's own spec defines one. */
export interface CapabilitySpec {
  readonly name: string;
  readonly value?: string;
}

export const CAP_NOTIFY = 'cap-notify';
/** The CAP LS version that brings values, multi-line LS/LIST and implicit cap-notify. */
export const CAP_VERSION_302 = 302;
/**
 * The most tokens one CAP REQ may carry. A larger REQ is NAKed whole without looking its tokens
 * up, so a REQ costs at most 64 set operations; splitting and echoing the list is linear in its
 * length, which the line codec bounds at 512 bytes. A legitimate client never nears this: the
 * default table has 15 capabilities, and the CAP spec asks clients to send several REQs rather
 * than one that cannot be answered on one line.
 */
export const MAX_REQ_TOKENS = 64;
/** How much of an unknown subcommand the 410 reply echoes (code points), to keep it short. */
const MAX_ECHOED_SUBCOMMAND = 32;
const MAX_NAME_BYTES = 100;
const MAX_VALUE_BYTES = 300;

/** What the listener offers by default. Only sasl defines a value here (sasl-3.2: mechanisms). */
export const DEFAULT_CAPABILITIES: readonly CapabilitySpec[] = Object.freeze([
  { name: CAP_NOTIFY },
  { name: 'server-time' },
  { name: 'message-tags' },
  { name: 'echo-message' },
  { name: 'multi-prefix' },
  { name: 'userhost-in-names' },
  { name: 'away-notify' },
  { name: 'account-notify' },
  { name: 'account-tag' },
  { name: 'extended-join' },
  { name: 'invite-notify' },
  { name: 'setname' },
  { name: 'batch' },
  { name: 'labeled-response' },
  { name: 'sasl', value: 'PLAIN' },
]);

// Names are opaque and case-sensitive (CAP spec, "Rules for naming capabilities"); we require
// printable ASCII without '=' (punycode is a MUST for non-ASCII vendor names, and '=' separates
// the value), and no leading '-' (a MUST NOT: '-' means removal in REQ/ACK).
const NAME = /^[!-<>-~]+$/;
const VALUE = /^[!-~]*$/;

function checkCapability(cap: CapabilitySpec): void {
  if (!NAME.test(cap.name) || cap.name.startsWith('-') || cap.name.length > MAX_NAME_BYTES) {
    throw new TypeError(`invalid capability name: ${JSON.stringify(cap.name)}`);
  }
  const value = cap.value ?? '';
  if (!VALUE.test(value) || value.length > MAX_VALUE_BYTES) {
    throw new TypeError(`invalid value for capability ${cap.name}: ${JSON.stringify(value)}`);
  }
}

/**
 * The set of capabilities a server offers, in advertising order. Built once per offer (e.g.
 * without `sasl` when no account exists), it precomputes the LS tokens, so each CAP LS costs only
 * packing them into lines. Throws TypeError on an invalid or repeated name.
 */
export class CapabilityTable {
  readonly #values = new Map<string, string | undefined>();
  readonly #names: readonly string[];
  readonly #valued: readonly string[];

  constructor(caps: readonly CapabilitySpec[] = DEFAULT_CAPABILITIES) {
    for (const cap of caps) {
      checkCapability(cap);
      if (this.#values.has(cap.name)) throw new TypeError(`capability offered twice: ${cap.name}`);
      this.#values.set(cap.name, cap.value === '' ? undefined : cap.value);
    }
    this.#names = Object.freeze([...this.#values.keys()]);
    this.#valued = Object.freeze(this.#names.map((name) => this.token(name, true)));
  }

  has(name: string): boolean {
    return this.#values.has(name);
  }

  get names(): readonly string[] {
    return this.#names;
  }

  /** `name=value` when asked for values and the capability has one, else the bare name. */
  token(name: string, withValue: boolean): string {
    if (!this.#values.has(name)) throw new RangeError(`capability not offered: ${name}`);
    const value = this.#values.get(name);
    return withValue && value !== undefined ? `${name}=${value}` : name;
  }

  /** The CAP LS list: values only for clients that asked with version 302 or later. */
  lsTokens(withValues: boolean): readonly string[] {
    return withValues ? this.#valued : this.#names;
  }

  without(...names: string[]): CapabilityTable {
    const drop = new Set(names);
    const kept = this.#names.filter((name) => !drop.has(name));
    return new CapabilityTable(kept.map((name) => ({ name, value: this.#values.get(name) })));
  }
}

/** The server side of a negotiation: its name (the source of every reply) and its offer. */
export interface CapServer {
  readonly name: string;
  readonly offered: CapabilityTable;
}

/** One connection's negotiation. Never mutated: every step returns a new state. */
export interface CapState {
  /** The highest CAP LS version the client sent (0: none). CAP spec: a lower one never lowers it. */
  readonly version: number;
  /** Registration waits for CAP END (a CAP LS or REQ arrived before registration). */
  readonly suspended: boolean;
  /** Enabled capabilities. For a 302 client this includes cap-notify, enabled implicitly. */
  readonly enabled: ReadonlySet<string>;
}

export function newCapState(): CapState {
  return { version: 0, suspended: false, enabled: new Set<string>() };
}

export function isEnabled(state: CapState, cap: string): boolean {
  return state.enabled.has(cap);
}

/**
 * What one CAP command did. The listener writes `replies` in order before acting on `state` (CAP
 * spec, ACK: the server changes capabilities only once the ACK is sent), and, when
 * `resumeRegistration` is set, completes registration if NICK and USER are already done.
 */
export interface CapResult {
  readonly state: CapState;
  readonly replies: OutgoingMessage[];
  readonly resumeRegistration: boolean;
}

/** Everything a reply needs: the server, and the nick to address (CAP spec: `*` if none yet). */
interface Addressee {
  readonly server: CapServer;
  readonly nick: string;
}

/**
 * Answers one client CAP command: `params` are the CAP message's parameters (subcommand first).
 * `nick` is the client's nick once registration is complete, null before: replies then say `*`,
 * and CAP LS or REQ suspend registration until CAP END (CAP spec, "Connection Registration").
 * Subcommands are matched case-insensitively, as IRC commands are.
 */
export function handleCap(
  state: CapState,
  params: readonly string[],
  nick: string | null,
  server: CapServer,
): CapResult {
  const to: Addressee = { server, nick: nick ?? '*' };
  const subcommand = params[0] ?? '';
  // Modern IRC: a command without its required parameters gets ERR_NEEDMOREPARAMS.
  if (subcommand === '') return numericOnly(state, to, '461', ['CAP', 'Not enough parameters']);
  // CAP spec: LS and REQ during registration suspend it, whatever the answer turns out to be.
  const suspended = nick === null ? { ...state, suspended: true } : state;
  switch (subcommand.toUpperCase()) {
    case 'LS':
      return capLs(suspended, params[1], to);
    case 'LIST':
      return done(state, capLines(to, 'LIST', enabledInOrder(state, server), state.version));
    case 'REQ':
      return capReq(suspended, params.slice(1), to);
    case 'END':
      // CAP spec: END resumes a suspended registration, and is ignored once registered.
      if (!state.suspended) return done(state, []);
      return { state: { ...state, suspended: false }, replies: [], resumeRegistration: true };
    default:
      // Client-sent ACK, NAK, NEW, DEL and CLEAR land here too: the CAP spec removed them as
      // client subcommands, so they are "an invalid command" and get 410 like unknown ones.
      return numericOnly(state, to, '410', [echoedSubcommand(subcommand), 'Invalid CAP command']);
  }
}

function done(state: CapState, replies: OutgoingMessage[]): CapResult {
  return { state, replies, resumeRegistration: false };
}

function numericOnly(state: CapState, to: Addressee, numeric: string, rest: string[]): CapResult {
  return done(state, [{ source: to.server.name, command: numeric, params: [to.nick, ...rest] }]);
}

function echoedSubcommand(subcommand: string): string {
  return [...subcommand].slice(0, MAX_ECHOED_SUBCOMMAND).join('');
}

/**
 * CAP spec, "CAP LS Version": the version is a number; a higher one is stored for the life of
 * the connection, and 302 or more enables cap-notify implicitly. The reply follows the version of
 * this request, though (a later plain `CAP LS` gets names only). A version that is not digits is
 * ignored like a missing one: it carries no number to honour, and an answer is more useful to
 * the client than a 410.
 */
function capLs(state: CapState, versionParam: string | undefined, to: Addressee): CapResult {
  const requested =
    versionParam !== undefined && /^[0-9]+$/.test(versionParam)
      ? Math.min(Number(versionParam), Number.MAX_SAFE_INTEGER)
      : 0;
  let next = state;
  if (requested > next.version) next = { ...next, version: requested };
  if (next.version >= CAP_VERSION_302 && !next.enabled.has(CAP_NOTIFY)) {
    next = { ...next, enabled: new Set([...next.enabled, CAP_NOTIFY]) };
  }
  const tokens = to.server.offered.lsTokens(requested >= CAP_VERSION_302);
  return done(next, capLines(to, 'LS', tokens, requested));
}

/** LIST shows the offer's order, then anything enabled outside it (implicit cap-notify). */
function enabledInOrder(state: CapState, server: CapServer): string[] {
  const listed = server.offered.names.filter((name) => state.enabled.has(name));
  for (const name of state.enabled) if (!server.offered.has(name)) listed.push(name);
  return listed;
}

/**
 * CAP spec, REQ: the list is processed left to right and accepted or refused as a whole; asking
 * for an enabled capability, or removing one that is not enabled, counts as success. Refused:
 * an unknown name (a `name=value` token included: values appear only in LS and NEW), and
 * `-cap-notify` from a 302 client ("servers MUST NOT disable the cap-notify capability"). A 302
 * client may still REQ cap-notify and gets an ACK with no effect; an older client may enable
 * and disable it freely, as the spec requires.
 *
 * Parameters after REQ are joined, so `CAP REQ a b` without the colon means `CAP REQ :a b`.
 */
function capReq(state: CapState, listParams: readonly string[], to: Addressee): CapResult {
  const tokens = listParams
    .join(' ')
    .split(' ')
    .filter((token) => token !== '');
  if (tokens.length === 0) return numericOnly(state, to, '410', ['REQ', 'Invalid CAP command']);
  const enabled =
    tokens.length <= MAX_REQ_TOKENS ? applyRequest(state, tokens, to.server.offered) : undefined;
  if (enabled !== undefined) {
    const ack = capLine(to, 'ACK', [tokens.join(' ')]);
    // The ACK echoes the request on one line: a multi-line ACK has no continuation marker, so
    // the client could not tell when the set ends (CAP spec, ACK). The spec asks clients to keep
    // a REQ answerable on one line; one that is not is refused, which changes nothing.
    if (lineBytesWithoutTags(ack) <= IRC_MESSAGE_MAX_BYTES) {
      return done({ ...state, enabled }, [ack]);
    }
  }
  // A NAK changes nothing, so splitting it over several lines cannot mislead the client.
  const echoed = tokens.map((token) => token.replace(/[\0\r\n]/g, '\uFFFD'));
  return done(state, repeatedLines(to, 'NAK', echoed, cutToBytes));
}

function applyRequest(
  state: CapState,
  tokens: readonly string[],
  offered: CapabilityTable,
): Set<string> | undefined {
  const implicitNotify = state.version >= CAP_VERSION_302;
  const enabled = new Set(state.enabled);
  for (const token of tokens) {
    const remove = token.startsWith('-');
    const name = remove ? token.slice(1) : token;
    const isNotify = implicitNotify && name === CAP_NOTIFY;
    if (!(offered.has(name) || isNotify) || (remove && isNotify)) return undefined;
    if (remove) enabled.delete(name);
    else enabled.add(name);
  }
  return enabled;
}

/**
 * CAP NEW for capabilities just added to `server.offered` (or whose value changed), for a client
 * with cap-notify; [] otherwise (CAP spec: NEW MUST ONLY go to such clients). Values only for 302
 * clients, as in LS. Throws RangeError for a name missing from the offer.
 */
export function capNewReplies(
  state: CapState,
  nick: string | null,
  server: CapServer,
  names: readonly string[],
): OutgoingMessage[] {
  if (!isEnabled(state, CAP_NOTIFY)) return [];
  const tokens = names.map((name) => server.offered.token(name, state.version >= CAP_VERSION_302));
  return repeatedLines({ server, nick: nick ?? '*' }, 'NEW', tokens, withoutValue);
}

/**
 * CAP DEL for capabilities withdrawn from the offer: the lines for a client with cap-notify, and
 * the state without them, for every client (CAP spec: the server MUST cancel the capabilities'
 * behaviour; a client without cap-notify is simply not told). cap-notify itself cannot be
 * withdrawn from a 302 client (MUST NOT disable it), so it throws RangeError; an invalid name
 * throws TypeError.
 */
export function capDel(
  state: CapState,
  nick: string | null,
  server: CapServer,
  names: readonly string[],
): { state: CapState; replies: OutgoingMessage[] } {
  if (names.includes(CAP_NOTIFY)) throw new RangeError('cap-notify cannot be withdrawn');
  for (const name of names) checkCapability({ name });
  const replies = isEnabled(state, CAP_NOTIFY)
    ? repeatedLines({ server, nick: nick ?? '*' }, 'DEL', names, withoutValue)
    : [];
  const enabled = new Set(state.enabled);
  for (const name of names) enabled.delete(name);
  return { state: { ...state, enabled }, replies };
}

// --- Lines that fit in 512 bytes ---

/** How a token that cannot fit a line even alone is shortened; undefined leaves it out. */
type Shrink = (token: string, budget: number) => string | undefined;

/** LS/NEW: a capability's value is optional (sasl-3.2 clients MUST cope without it). */
const withoutValue: Shrink = (token, budget) => {
  const name = token.split('=', 1)[0] ?? '';
  return name !== '' && Buffer.byteLength(name, 'utf8') <= budget ? name : undefined;
};

/** NAK echo of a hostile token: its longest prefix of whole code points within the budget. */
const cutToBytes: Shrink = (token, budget) => {
  let bytes = 0;
  let out = '';
  for (const ch of token) {
    bytes += Buffer.byteLength(ch, 'utf8');
    if (bytes > budget) break;
    out += ch;
  }
  return out === '' ? undefined : out;
};

function capLine(to: Addressee, subcommand: string, rest: string[]): OutgoingMessage {
  return { source: to.server.name, command: 'CAP', params: [to.nick, subcommand, ...rest] };
}

/** Bytes left for the space-separated list (the codec counts the ':' before it and CRLF). */
function listBudget(to: Addressee, subcommand: string, marker: boolean): number {
  return IRC_MESSAGE_MAX_BYTES - textOverheadBytes(capLine(to, subcommand, marker ? ['*'] : []));
}

/**
 * Packs tokens in order into space-separated lists of at most `budget` bytes each. Byte counts
 * equal what the codec writes for a last parameter (lone surrogates count as the 3 bytes of
 * U+FFFD, CR/LF/NUL as the one-byte space they become).
 */
function pack(tokens: readonly string[], budget: number, shrink: Shrink): string[] {
  const lists: string[] = [];
  let current = '';
  let used = 0;
  for (const original of tokens) {
    let token: string | undefined = original;
    let size = Buffer.byteLength(token, 'utf8');
    if (size > budget) {
      token = shrink(original, budget);
      if (token === undefined) continue;
      size = Buffer.byteLength(token, 'utf8');
    }
    if (current !== '' && used + 1 + size <= budget) {
      current += ` ${token}`;
      used += 1 + size;
      continue;
    }
    if (current !== '') lists.push(current);
    current = token;
    used = size;
  }
  if (current !== '') lists.push(current);
  return lists;
}

/**
 * LS and LIST. CAP spec, "Multiline replies": only for version 302 may the reply span several
 * lines, all but the last with a `*` parameter before the list; an empty list is sent as an empty
 * parameter. An older client MUST NOT get 302 features, so it gets one line: the capabilities
 * that fit, in order (names only, which the default table fits many times over).
 */
function capLines(
  to: Addressee,
  subcommand: string,
  tokens: readonly string[],
  version: number,
): OutgoingMessage[] {
  if (version < CAP_VERSION_302) {
    const [first = ''] = pack(tokens, listBudget(to, subcommand, false), withoutValue);
    return [capLine(to, subcommand, [first])];
  }
  const lists = pack(tokens, listBudget(to, subcommand, true), withoutValue);
  if (lists.length === 0) return [capLine(to, subcommand, [''])];
  const last = lists.length - 1;
  return lists.map((list, i) => capLine(to, subcommand, i < last ? ['*', list] : [list]));
}

/** NAK, NEW and DEL: each line stands alone, so a long list is simply sent as several lines. */
function repeatedLines(
  to: Addressee,
  subcommand: string,
  tokens: readonly string[],
  shrink: Shrink,
): OutgoingMessage[] {
  const lists = pack(tokens, listBudget(to, subcommand, false), shrink);
  return lists.map((list) => capLine(to, subcommand, [list]));
}
