// IRC → core: one parsed line of a registered IRC connection becomes the CommandInput the core
// takes from every transport (docs/commands.md). Pure, so each verb's mapping is tested on its own.
//
// The rule throughout: translate, never judge. A missing parameter stays missing and an empty
// one stays empty, so the core answers the same numeric (411, 412, 431, 461…) an HTTP client
// would get; nothing is invented to make a line acceptable. Registration and connection upkeep
// (CAP, PASS, USER, AUTHENTICATE, PING, PONG, QUIT) are the listener's and normally never get here;
// PING and QUIT still map to their obvious envelopes, so this function is total.
import type { CommandInput } from '../../model/envelope.js';
import { clientTagsFromLine } from './client-tags.js';
import type { IrcMessage } from './line-codec.js';

/**
 * CTCP ACTION (Modern IRC, CTCP appendix): `\x01ACTION <text>\x01`. The closing \x01 is optional
 * (the CTCP document asks parsers to accept it missing, as some clients split badly); exactly one
 * is stripped, so text that itself ends with \x01 survives a render/translate round trip. The
 * CTCP command is matched case-insensitively: nothing in the specs makes `action` another verb.
 */
// eslint-disable-next-line no-control-regex -- \x01 is CTCP's delimiter
const CTCP_ACTION = /^\x01ACTION(?: (.*?))?\x01?$/is;

/** Translates one client line. `msg.command` is already checked by the codec; it is upper-cased here too. */
export function toCommandInput(msg: IrcMessage): CommandInput {
  const command = msg.command.toUpperCase();
  const p = msg.params;
  switch (command) {
    case 'PRIVMSG':
    case 'NOTICE':
      return withClientTags(text(command, p), msg);
    case 'TAGMSG':
      return withClientTags(input(command, { to: p[0] }), msg);
    case 'JOIN':
      // `JOIN 0` needs nothing special: the core reads `to: "0"` as "part every channel".
      return input(command, { to: p[0], params: defined(p[1]) });
    case 'PART':
      // IRC makes no difference between `PART #c` and `PART #c :`; `[]` is the envelope's "no text".
      return input(command, { to: p[0], body: p[1] ? [p[1]] : undefined });
    case 'NICK':
    case 'WALLOPS':
    case 'PING':
    case 'QUIT':
      return input(command, { body: defined(p[0]) });
    case 'TOPIC':
      // A trailing that is present but empty clears the topic (body [""]); none at all is a query.
      return input(command, { to: p[0], body: defined(p[1]) });
    case 'MODE':
      return input(command, { to: p[0], params: p.slice(1) });
    case 'NAMES':
    case 'WHO':
    case 'VERSION':
    case 'TIME':
    case 'ADMIN':
    case 'INFO':
    case 'LUSERS':
    case 'MOTD':
      // Only the first parameter counts: a server argument after it can only name this server,
      // and WHOX's field list is not offered.
      return input(command, { to: p[0] });
    case 'LIST':
      return input(command, { params: defined(p[0]) });
    case 'WHOIS':
      // `WHOIS [<server>] <nick>`: the nick is always the last parameter.
      return input(command, { to: p[p.length - 1] });
    case 'AWAY':
      // no text, or empty text, is "no longer away" (RFC 2812 §4.1)
      return input(command, { body: p[0] ? [p[0]] : undefined });
    case 'SETNAME':
      // `SETNAME :<realname>`; none at all is 461 from the core, an empty one invalid_realname
      return input(command, { body: defined(p[0]) });
    case 'KICK':
      return input(command, { to: p[0], params: defined(p[1]), body: defined(p[2]) });
    case 'INVITE':
      return input(command, { to: p[0], params: defined(p[1]) });
    case 'KILL':
      return input(command, { to: p[0], body: defined(p[1]) });
    case 'OPER':
    case 'USERHOST':
    case 'ISON':
      // ISON's `:a b c` arrives as one parameter; the core splits each one on spaces.
      return input(command, { params: p.slice() });
    default:
      // Unknown here is not necessarily unknown to the core; if it is, the core answers 421.
      return input(command, { to: p[0], params: p.slice(1) });
  }
}

/**
 * PRIVMSG and NOTICE: `target :text`. Without text the body is `[]`, which the core answers with
 * 412 (NOTICE silently): the line still has to reach it. Parameters past the text are dropped, as
 * IRC servers do with a `PRIVMSG #c hello world` sent without the colon.
 */
function text(command: string, p: readonly string[]): CommandInput {
  const line = p[1];
  if (line === undefined) return input(command, { to: p[0], body: [] });
  const action = CTCP_ACTION.exec(line);
  if (action === null) return input(command, { to: p[0], body: [line] });
  return input(command, { to: p[0], body: [action[1] ?? ''], meta: { action: true } });
}

/** message-tags: the line's client tags (`+…`) travel in `meta.tags`; server tags never do. */
function withClientTags(out: CommandInput, msg: IrcMessage): CommandInput {
  const tags = clientTagsFromLine(msg.tags);
  if (tags === null) return out;
  return { ...out, meta: { ...out.meta, tags } };
}

function defined(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : [value];
}

interface Fields {
  to?: string | undefined;
  params?: string[] | undefined;
  body?: string[] | undefined;
  meta?: Record<string, unknown>;
}

/** The input with only the fields the line had: an absent `to` or an empty `params` is left out. */
function input(command: string, f: Fields): CommandInput {
  const out: CommandInput = { command };
  if (f.to !== undefined) out.to = f.to;
  if (f.params !== undefined && f.params.length > 0) out.params = f.params;
  if (f.body !== undefined) out.body = f.body;
  if (f.meta !== undefined) out.meta = f.meta;
  return out;
}
