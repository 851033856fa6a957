// Input line → what to do (pure). The slash commands of the web client (docs/clients.md) map onto the
// server's commands (docs/commands.md); a few only change local state (/clear, /help, /buffer…). Text
// without a slash is a message to the current buffer.
import type { CommandInput } from '../model/api.js';

export type Action =
  /** a command for the server; `focus`: the buffer to open and make current */
  | { type: 'send'; command: CommandInput; focus?: string }
  /** a PRIVMSG or NOTICE, signed when a key is at hand */
  | { type: 'say'; target: string; text: string; action?: boolean; notice?: boolean }
  | { type: 'query'; nick: string; text?: string }
  | { type: 'quit'; reason?: string }
  | { type: 'clear' }
  | { type: 'help' }
  | { type: 'close' }
  | { type: 'buffer'; which: string }
  | { type: 'trust'; nick: string }
  | { type: 'none' }
  | { type: 'error'; message: string };

export interface InputContext {
  /** the current buffer: a channel, a nick, or null for the server buffer */
  target: string | null;
}

const isChannel = (s: string | undefined): s is string => s !== undefined && s.startsWith('#');

/** A channel name as typed, with the `#` added when it was left out. */
export const channelName = (name: string): string => (name.startsWith('#') ? name : `#${name}`);

/** Splits off the first `n` words; the rest of the line (spaces kept) is the last item. */
export function words(line: string, n: number): string[] {
  const out: string[] = [];
  let rest = line.trimStart();
  while (out.length < n && rest !== '') {
    const m = /^(\S+)\s*/.exec(rest)!;
    out.push(m[1]!);
    rest = rest.slice(m[0].length);
  }
  if (rest !== '') out.push(rest);
  return out;
}

export function parseInput(raw: string, ctx: InputContext): Action {
  const line = raw.replace(/\r?\n$/, '');
  if (line.trim() === '') return { type: 'none' };
  // `//text` sends a line starting with a slash
  if (!line.startsWith('/') || line.startsWith('//')) {
    const text = line.startsWith('//') ? line.slice(1) : line;
    if (ctx.target === null) {
      return { type: 'error', message: 'No target here: /join a channel or /query a nick first' };
    }
    return { type: 'say', target: ctx.target, text };
  }
  const [verbRaw = '', rest = ''] = words(line.slice(1), 1);
  const verb = verbRaw.toLowerCase();
  const handler = HANDLERS[verb];
  if (!handler) return { type: 'error', message: `Unknown command /${verb} (see /help)` };
  return handler(rest, ctx);
}

type Handler = (rest: string, ctx: InputContext) => Action;

const need = (usage: string): Action => ({ type: 'error', message: `Usage: ${usage}` });

/** The channel named first in `rest`, else the current buffer when it is a channel. */
function channelArg(rest: string, ctx: InputContext): { channel: string | null; rest: string } {
  const [first, after = ''] = words(rest, 1);
  if (isChannel(first)) return { channel: first, rest: after };
  return { channel: isChannel(ctx.target ?? undefined) ? ctx.target : null, rest };
}

const HANDLERS: Record<string, Handler> = {
  join: (rest) => {
    const [given, key] = words(rest, 1);
    if (!given) return need('/join #channel[,#channel…] [key]');
    // `/join ops` means #ops, as in the web client; `/join 0` (leave all) stays as typed
    const list = given === '0' ? [] : given.split(',').filter(Boolean).map(channelName);
    const chans = given === '0' ? given : list.join(',');
    if (!chans) return need('/join #channel[,#channel…] [key]');
    const command: CommandInput = { command: 'JOIN', to: chans };
    if (key) command.params = key.split(/\s+/);
    const last = list[list.length - 1];
    return last === undefined ? { type: 'send', command } : { type: 'send', command, focus: last };
  },
  part: (rest, ctx) => {
    const { channel, rest: reason } = channelArg(rest, ctx);
    if (!channel) return need('/part [#channel] [reason]');
    const command: CommandInput = { command: 'PART', to: channel };
    if (reason) command.body = [reason];
    return { type: 'send', command };
  },
  msg: (rest) => {
    const [target, text] = words(rest, 1);
    if (!target || !text) return need('/msg <nick|#channel> <text>');
    return { type: 'say', target, text };
  },
  notice: (rest) => {
    const [target, text] = words(rest, 1);
    if (!target || !text) return need('/notice <nick|#channel> <text>');
    return { type: 'say', target, text, notice: true };
  },
  query: (rest) => {
    const [nick, text] = words(rest, 1);
    if (!nick || isChannel(nick)) return need('/query <nick> [text]');
    return text ? { type: 'query', nick, text } : { type: 'query', nick };
  },
  me: (rest, ctx) => {
    if (!rest) return need('/me <action>');
    if (ctx.target === null) return { type: 'error', message: '/me needs a channel or query' };
    return { type: 'say', target: ctx.target, text: rest, action: true };
  },
  nick: (rest) => {
    const [nick] = words(rest, 1);
    if (!nick) return need('/nick <newnick>');
    return { type: 'send', command: { command: 'NICK', body: [nick] } };
  },
  topic: (rest, ctx) => {
    const { channel, rest: text } = channelArg(rest, ctx);
    if (!channel) return need('/topic [#channel] [text]');
    const command: CommandInput = { command: 'TOPIC', to: channel };
    if (text) command.body = [text];
    return { type: 'send', command };
  },
  mode: (rest, ctx) => {
    const parts = rest.split(/\s+/).filter(Boolean);
    // `/mode +i` on a channel means the channel; a first word that is no mode string is a target
    let target = ctx.target;
    if (parts[0] !== undefined && !/^[+-]/.test(parts[0])) target = parts.shift()!;
    if (!target) return need('/mode [#channel|nick] [modes [args…]]');
    const command: CommandInput = { command: 'MODE', to: target };
    if (parts.length) command.params = parts;
    return { type: 'send', command };
  },
  kick: (rest, ctx) => {
    const { channel, rest: after } = channelArg(rest, ctx);
    const [nick, reason] = words(after, 1);
    if (!channel || !nick) return need('/kick [#channel] <nick> [reason]');
    const command: CommandInput = { command: 'KICK', to: channel, params: [nick] };
    if (reason) command.body = [reason];
    return { type: 'send', command };
  },
  invite: (rest, ctx) => {
    const [nick, chan] = words(rest, 2);
    const channel = chan ?? (isChannel(ctx.target ?? undefined) ? ctx.target : null);
    if (!nick || !channel) return need('/invite <nick> [#channel]');
    return { type: 'send', command: { command: 'INVITE', to: nick, params: [channel] } };
  },
  away: (rest) => ({
    type: 'send',
    command: rest ? { command: 'AWAY', body: [rest] } : { command: 'AWAY' },
  }),
  who: (rest, ctx) => {
    const [mask] = words(rest, 1);
    const to = mask ?? (isChannel(ctx.target ?? undefined) ? ctx.target : null);
    if (!to) return need('/who <#channel|mask>');
    return { type: 'send', command: { command: 'WHO', to } };
  },
  whois: (rest) => {
    const [nick] = words(rest, 1);
    if (!nick) return need('/whois <nick>');
    return { type: 'send', command: { command: 'WHOIS', to: nick } };
  },
  names: (rest, ctx) => {
    const [chan] = words(rest, 1);
    const to = chan ?? (isChannel(ctx.target ?? undefined) ? ctx.target : null);
    return { type: 'send', command: to ? { command: 'NAMES', to } : { command: 'NAMES' } };
  },
  list: (rest) => {
    const [mask] = words(rest, 1);
    return {
      type: 'send',
      command: mask ? { command: 'LIST', params: [mask] } : { command: 'LIST' },
    };
  },
  motd: () => ({ type: 'send', command: { command: 'MOTD' } }),
  quit: (rest) => (rest ? { type: 'quit', reason: rest } : { type: 'quit' }),
  clear: () => ({ type: 'clear' }),
  help: () => ({ type: 'help' }),
  close: () => ({ type: 'close' }),
  buffer: (rest) => {
    const [which] = words(rest, 1);
    if (!which) return need('/buffer <number|name>');
    return { type: 'buffer', which };
  },
  trust: (rest) => {
    const [nick] = words(rest, 1);
    if (!nick) return need('/trust <nick>');
    return { type: 'trust', nick };
  },
};
// short forms irssi and weechat users type
HANDLERS.j = HANDLERS.join!;
HANDLERS.leave = HANDLERS.part!;
HANDLERS.q = HANDLERS.query!;
HANDLERS.b = HANDLERS.buffer!;
HANDLERS.window = HANDLERS.buffer!;
HANDLERS.win = HANDLERS.buffer!;

/** Command names for completion and /help. */
export const COMMAND_NAMES = Object.keys(HANDLERS).sort();
