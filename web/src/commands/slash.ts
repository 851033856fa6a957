// The input line: plain text is a PRIVMSG to the window's channel or nick; `/command args` is one
// of the slash commands below (docs/clients.md). `//text` sends text starting with a slash. Other
// `/VERB args` lines go to the server as that IRC command with the words as params (/version,
// /time, /lusers, /ison …).
import { fold } from '../../../src/model/casefold.js';
import type { CommandInput } from '../../../src/model/api.js';
import { expectServerReplies } from '../state/apply.js';
import { startListing } from '../state/listing.js';
import { activeWindow, serverWindow, type ChatWindow } from '../state/model.js';
import { client, logout, pendingJoins, quitDone, send } from '../state/session.js';
import { trustKey } from '../state/signatures.js';
import { signOff, signOn, signStatus } from '../state/signing.js';
import {
  activate,
  clearWindow,
  closeWindow,
  findWindow,
  isChannelName,
  note,
  openWindow,
} from '../state/windows.js';
import { setMuted } from '../notify/mute.js';
import { HELP } from './help.js';

/** The first `n` words, and the rest of the line (spacing inside it kept). */
function words(text: string, n: number): [string[], string] {
  const out: string[] = [];
  let rest = text.trimStart();
  while (out.length < n && rest) {
    const space = rest.search(/\s/);
    out.push(space === -1 ? rest : rest.slice(0, space));
    rest = space === -1 ? '' : rest.slice(space).replace(/^\s/, '');
  }
  return [out, rest];
}

const channelName = (name: string) => (isChannelName(name) ? name : `#${name}`);

/** The channel a command means: the named one, or the window's. */
function channelOf(win: ChatWindow, named: string | undefined): string | null {
  if (named && isChannelName(named)) return named;
  return win.kind === 'channel' ? win.name.value : null;
}

function say(
  win: ChatWindow,
  text: string,
  meta?: Record<string, unknown>,
): Promise<boolean> | void {
  if (win.kind === 'server') {
    note(win, 'This is the server window: /join a channel or /query a nick to talk.', 'error');
    return;
  }
  const cmd: CommandInput = { command: 'PRIVMSG', to: win.name.value, body: [text] };
  if (meta) cmd.meta = meta;
  return send(cmd);
}

const usage = (win: ChatWindow, text: string) => note(win, `Usage: ${text}`, 'error');

type Handler = (win: ChatWindow, args: string) => unknown;

const COMMANDS: Record<string, Handler> = {
  join: (win, args) => {
    const [[list, keys]] = words(args, 2);
    if (!list) return usage(win, '/join #channel[,#other] [key]');
    const names = list.split(',').filter(Boolean).map(channelName);
    const open = names.length === 1 ? findWindow(names[0]!) : undefined;
    if (open?.joined.value) return activate(open);
    for (const name of names) pendingJoins.add(fold(name));
    const cmd: CommandInput = { command: 'JOIN', to: names.join(',') };
    if (keys) cmd.params = [keys];
    return send(cmd);
  },
  part: (win, args) => {
    const [[first], rest] = words(args, 1);
    const named = first && isChannelName(first);
    const channel = channelOf(win, named ? first : undefined);
    if (!channel) return usage(win, '/part [#channel] [reason]');
    const reason = named ? rest : args.trim();
    return send({ command: 'PART', to: channel, ...(reason ? { body: [reason] } : {}) });
  },
  msg: (win, args) => {
    const [[target], text] = words(args, 1);
    if (!target || !text) return usage(win, '/msg nick|#channel text');
    const shown = findWindow(target);
    if (!shown && !isChannelName(target)) openWindow(target, 'query');
    return send({ command: 'PRIVMSG', to: target, body: [text] });
  },
  query: (win, args) => {
    const [[nick], text] = words(args, 1);
    if (!nick || isChannelName(nick)) return usage(win, '/query nick [text]');
    const query = openWindow(nick, 'query');
    activate(query);
    if (text) return say(query, text);
  },
  me: (win, args) => {
    if (!args.trim()) return usage(win, '/me action');
    return say(win, args, { action: true });
  },
  nick: (win, args) => {
    const [[nick]] = words(args, 1);
    if (!nick) return usage(win, '/nick newnick');
    return send({ command: 'NICK', body: [nick] });
  },
  topic: (win, args) => {
    const [[first], rest] = words(args, 1);
    const named = first !== undefined && isChannelName(first);
    const channel = channelOf(win, named ? first : undefined);
    if (!channel) return usage(win, '/topic [#channel] [new topic]');
    const text = named ? rest : args.trim();
    const target = findWindow(channel);
    if (!text) {
      if (target) target.printReplies = true;
      return send({ command: 'TOPIC', to: channel });
    }
    return send({ command: 'TOPIC', to: channel, body: [text] });
  },
  mode: (win, args) => {
    const parts = args.split(/\s+/).filter(Boolean);
    const first = parts[0];
    const explicit = first !== undefined && !/^[+-]/.test(first);
    const target = explicit ? first : win.kind === 'channel' ? win.name.value : null;
    if (!target) return usage(win, '/mode [#channel|nick] [+modes args…]');
    const params = explicit ? parts.slice(1) : parts;
    return send({ command: 'MODE', to: target, ...(params.length ? { params } : {}) });
  },
  kick: (win, args) => {
    const [[first, second], rest] = words(args, 2);
    const named = first !== undefined && isChannelName(first);
    const channel = channelOf(win, named ? first : undefined);
    const nick = named ? second : first;
    const reason = named ? rest : [second, rest].filter(Boolean).join(' ');
    if (!channel || !nick) return usage(win, '/kick [#channel] nick [reason]');
    return send({
      command: 'KICK',
      to: channel,
      params: [nick],
      ...(reason ? { body: [reason] } : {}),
    });
  },
  invite: (win, args) => {
    const [[nick, named]] = words(args, 2);
    const channel = channelOf(win, named);
    if (!nick || !channel) return usage(win, '/invite nick [#channel]');
    return send({ command: 'INVITE', to: nick, params: [channel] });
  },
  away: (_win, args) => send({ command: 'AWAY', ...(args.trim() ? { body: [args.trim()] } : {}) }),
  whois: (win, args) => {
    const [[nick]] = words(args, 1);
    if (!nick) return usage(win, '/whois nick');
    return send({ command: 'WHOIS', to: nick });
  },
  names: (win, args) => {
    const [[named]] = words(args, 1);
    const channel = channelOf(win, named);
    if (!channel) return send({ command: 'NAMES' });
    const target = findWindow(channel);
    if (target) target.printReplies = true;
    return send({ command: 'NAMES', to: channel });
  },
  list: (_win, args) => {
    const [[mask]] = words(args, 1);
    startListing(mask ?? ''); // the replies fill the channel browser
    return send({ command: 'LIST', ...(mask ? { params: [mask] } : {}) });
  },
  motd: () => {
    expectServerReplies();
    return send({ command: 'MOTD' });
  },
  lusers: () => {
    expectServerReplies();
    return send({ command: 'LUSERS' });
  },
  version: (_win, args) => {
    expectServerReplies();
    return send({ command: 'VERSION', ...(args.trim() ? { to: args.trim() } : {}) });
  },
  quit: async (_win, args) => {
    const ok = await send({ command: 'QUIT', ...(args.trim() ? { body: [args.trim()] } : {}) });
    if (ok) quitDone();
  },
  clear: (win) => clearWindow(win),
  close: (win) => {
    if (win.kind === 'channel' && win.joined.value)
      return send({ command: 'PART', to: win.name.value });
    closeWindow(win);
  },
  help: (win) => {
    for (const text of HELP) note(win, text);
  },
  trust: (win, args) => {
    const [[nick]] = words(args, 1);
    if (!nick) return usage(win, '/trust nick');
    trustKey(nick);
    note(win, `The latest signing key of ${nick} is now trusted.`);
  },
  logout: () => logout(),
  sign: (win, args) => {
    const [[choice]] = words(args, 1);
    if (choice === undefined) return signStatus();
    if (choice.toLowerCase() === 'on') return signOn(client);
    if (choice.toLowerCase() === 'off') return signOff();
    usage(win, '/sign [on|off]');
  },
  mute: (win) => {
    setMuted(win.key, true);
    note(win, `No desktop notifications from ${win.name.value} (/unmute turns them on again).`);
  },
  unmute: (win) => {
    setMuted(win.key, false);
    note(win, `Desktop notifications from ${win.name.value} are on.`);
  },
};

const ALIASES: Record<string, string> = {
  j: 'join',
  q: 'query',
  m: 'msg',
  leave: 'part',
  w: 'whois',
};

/** Runs one line typed into the input. */
export async function runInput(input: string): Promise<void> {
  const win = activeWindow.value;
  if (!input.trim()) return;
  if (!input.startsWith('/') || input.startsWith('//')) {
    await say(win, input.startsWith('//') ? input.slice(1) : input);
    return;
  }
  const [[word = '/'], args] = words(input, 1);
  const verb = word.slice(1).toLowerCase();
  const handler = COMMANDS[ALIASES[verb] ?? verb];
  if (handler) {
    await handler(win, args);
    return;
  }
  if (!/^[a-z]+$/.test(verb)) {
    note(win ?? serverWindow, `Unknown command: ${word}`, 'error');
    return;
  }
  const params = args.split(/\s+/).filter(Boolean);
  await send({ command: verb.toUpperCase(), ...(params.length ? { params } : {}) });
}
