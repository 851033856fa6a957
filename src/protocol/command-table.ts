// The static command table (docs/architecture.md): one entry per verb; shared checks as data.
import type { Context } from './context.js';
import type { CoreEnv } from './environment.js';
import type { Caller, CommandInput } from '../model/envelope.js';
import { admin, info, time, version } from './commands/info.js';
import { invite } from './commands/invite.js';
import { join } from './commands/join.js';
import { kick } from './commands/kick.js';
import { kill } from './commands/kill.js';
import { lusers } from './commands/lusers.js';
import { mode } from './commands/mode.js';
import { motd } from './commands/motd.js';
import { list, names } from './commands/names-and-list.js';
import { nick } from './commands/nick.js';
import { oper } from './commands/oper.js';
import { part } from './commands/part.js';
import { pass, preparePass } from './commands/pass.js';
import { ison, userhost } from './commands/presence.js';
import { notice, privmsg, tagmsg } from './commands/privmsg.js';
import { pubkey } from './commands/pubkey.js';
import { quit } from './commands/quit.js';
import { away, ping, setname } from './commands/simple.js';
import { topic } from './commands/topic.js';
import { wallops } from './commands/wallops.js';
import { who, whois } from './commands/who.js';

export interface CommandSpec {
  verb: string;
  /** `prepared` is what `prepare` returned (undefined without one) */
  handler: (ctx: Context, input: CommandInput, prepared: unknown) => Promise<void>;
  /** slow work done before the transaction (in the session's queue); may refuse */
  prepare?: (env: CoreEnv, caller: Caller, input: CommandInput) => Promise<unknown>;
  /** refusals produce no numerics for the caller (NOTICE, RFC 2812) */
  silent?: boolean;
}

const COMMANDS: readonly CommandSpec[] = [
  { verb: 'PRIVMSG', handler: privmsg },
  { verb: 'NOTICE', handler: notice, silent: true },
  { verb: 'TAGMSG', handler: tagmsg },
  { verb: 'JOIN', handler: join },
  { verb: 'PART', handler: part },
  { verb: 'NICK', handler: nick },
  { verb: 'TOPIC', handler: topic },
  { verb: 'QUIT', handler: quit },
  { verb: 'PING', handler: ping },
  { verb: 'MOTD', handler: motd },
  { verb: 'NAMES', handler: names },
  { verb: 'LIST', handler: list },
  { verb: 'WHO', handler: who },
  { verb: 'WHOIS', handler: whois },
  { verb: 'LUSERS', handler: lusers },
  { verb: 'AWAY', handler: away },
  { verb: 'SETNAME', handler: setname },
  { verb: 'MODE', handler: mode },
  { verb: 'PUBKEY', handler: pubkey },
  { verb: 'PASS', handler: pass, prepare: preparePass },
  { verb: 'KICK', handler: kick },
  { verb: 'INVITE', handler: invite },
  { verb: 'OPER', handler: oper },
  { verb: 'KILL', handler: kill },
  { verb: 'WALLOPS', handler: wallops },
  { verb: 'VERSION', handler: version },
  { verb: 'TIME', handler: time },
  { verb: 'ADMIN', handler: admin },
  { verb: 'INFO', handler: info },
  { verb: 'USERHOST', handler: userhost },
  { verb: 'ISON', handler: ison },
];

const BY_VERB = new Map(COMMANDS.map((c) => [c.verb, c]));
if (BY_VERB.size !== COMMANDS.length) throw new Error('duplicate verb in the command table');

export function findCommand(verb: string): CommandSpec | undefined {
  return BY_VERB.get(verb.toUpperCase());
}
