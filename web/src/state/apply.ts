// Queue entries → state: each envelope becomes lines in the right window and updates topics,
// nick lists, our nick and away state. Events of a channel-state replay (a JOIN we already know,
// topic and names replies) update the state without printing anything again.
import type { Envelope } from '../../../src/model/api.js';
import { fold } from '../../../src/model/casefold.js';
import { mentions } from '../../../src/shared/mentions.js';
import {
  isErrorNumeric,
  numericChannel,
  numericText,
  SERVER_NUMERICS,
} from '../../../src/shared/numeric-text.js';
import {
  activeWindow,
  myNick,
  noteSeq,
  serverName,
  serverWindow,
  windows,
  type ChatWindow,
  type Line,
  type LineKind,
} from './model.js';
import { noteListReply } from './listing.js';
import {
  addMember,
  applyModes,
  awayState,
  parseNames,
  removeMember,
  renameMember,
  setMembers,
  updateMember,
} from './members.js';
import { stored } from './persist.js';
import { announceKey, verdictFor } from './signatures.js';
import {
  activate,
  addLines,
  closeWindow,
  findWindow,
  isChannelName,
  openWindow,
  renameWindow,
  sameNick,
} from './windows.js';

/** Hooks the session layer gives us (so this module does no I/O itself). */
export interface ApplyHooks {
  /** a channel window was just opened by our JOIN: load its members and history */
  joinedChannel(win: ChatWindow): void;
  /** names of channels this page asked to join, folded: their windows get the focus */
  pendingJoins: Set<string>;
  away(message: string | null): void;
}

let hooks: ApplyHooks | null = null;
/** until when server-window numerics (MOTD, LUSERS, 005) go to the active window instead */
let askedUntil = 0;
/** This page asked for replies the server window usually gets: show them where the user is. */
export const expectServerReplies = (): void => void (askedUntil = Date.now() + 5000);
export const setApplyHooks = (h: ApplyHooks): void => void (hooks = h);

const textLines = (env: Envelope): string[] =>
  Array.isArray(env.body) ? env.body.filter((b): b is string => typeof b === 'string') : [];
const isMe = (nick: string): boolean => myNick.value !== '' && sameNick(nick, myNick.value);

function line(
  env: Envelope,
  index: number,
  kind: LineKind,
  text: string,
  nick: string | null,
): Line {
  return {
    key: `${env.id}:${index}`,
    order: env.seq,
    id: env.id,
    time: new Date(env.ts),
    kind,
    nick,
    text,
    self: nick !== null && isMe(nick),
    mention: kind !== 'event' && nick !== null && !isMe(nick) && mentions(text, myNick.value),
    verdict: null,
  };
}

function say(
  win: ChatWindow,
  env: Envelope,
  kind: LineKind,
  text: string,
  nick: string | null = null,
): void {
  const shown = line(env, 0, kind, text, nick);
  // numerics keep their code, so the server window can lay some out (005's tokens)
  if (/^\d{3}$/.test(env.command)) shown.numeric = env.command;
  addLines(win, [shown]);
}

/** Lines of a PRIVMSG or NOTICE (from history or the queue). */
export function messageLines(env: Envelope): Line[] {
  const action = env.meta?.action === true;
  const kind: LineKind = env.command === 'NOTICE' ? 'notice' : action ? 'action' : 'message';
  const verdict = verdictFor(env);
  return textLines(env).map((text, i) => ({ ...line(env, i, kind, text, env.from), verdict }));
}

const fromServer = (env: Envelope): boolean =>
  env.from === serverName.value || (!isChannelName(env.to) && env.from.includes('.'));

function applyMessage(env: Envelope): void {
  let win: ChatWindow;
  if (isChannelName(env.to)) win = openWindow(env.to, 'channel');
  else if (fromServer(env)) win = serverWindow;
  else {
    const other = isMe(env.from) ? env.to : env.from;
    const existing = findWindow(other);
    // A private NOTICE does not open a window (IRC clients show it where you are).
    win = existing ?? (env.command === 'NOTICE' ? activeWindow.value : openWindow(other, 'query'));
  }
  addLines(win, messageLines(env));
}

function channelsWith(nick: string): ChatWindow[] {
  const key = fold(nick);
  return windows.value.filter((w) => w.kind === 'channel' && w.members.value.has(key));
}

function applyJoin(env: Envelope): void {
  const channel = env.to;
  if (isMe(env.from)) {
    const existing = findWindow(channel);
    if (existing?.joined.value) return; // replay of a channel we already show
    const win = existing ?? openWindow(channel, 'channel');
    win.joined.value = true;
    win.printReplies = true;
    addMember(win, env.from, env.realname);
    say(win, env, 'event', `You have joined ${channel}`);
    if (hooks?.pendingJoins.delete(fold(channel))) activate(win);
    hooks?.joinedChannel(win);
    return;
  }
  const win = findWindow(channel);
  if (!win) return;
  addMember(win, env.from, env.realname);
  say(win, env, 'event', `${env.from} has joined ${channel}`);
}

function applyPart(env: Envelope): void {
  const win = findWindow(env.to);
  if (!win) return;
  const reason = textLines(env).join(' ');
  if (isMe(env.from)) {
    closeWindow(win);
    say(serverWindow, env, 'event', `You have left ${env.to}${reason ? ` (${reason})` : ''}`);
    return;
  }
  removeMember(win, env.from);
  say(win, env, 'event', `${env.from} has left ${env.to}${reason ? ` (${reason})` : ''}`);
}

function applyQuit(env: Envelope): void {
  const reason = textLines(env).join(' ');
  const text = `${env.from} has quit${reason ? ` (${reason})` : ''}`;
  for (const win of channelsWith(env.from)) {
    removeMember(win, env.from);
    say(win, env, 'event', text);
  }
  const query = findWindow(env.from);
  if (query?.kind === 'query') say(query, env, 'event', text);
  if (isMe(env.from)) say(serverWindow, env, 'event', text);
}

function applyNick(env: Envelope): void {
  const next = env.to || textLines(env)[0] || '';
  if (!next) return;
  const text = isMe(env.from)
    ? `You are now known as ${next}`
    : `${env.from} is now known as ${next}`;
  for (const win of channelsWith(env.from)) {
    renameMember(win, env.from, next);
    say(win, env, 'event', text);
  }
  const query = findWindow(env.from);
  if (query?.kind === 'query') {
    renameWindow(query, next);
    say(query, env, 'event', text);
  }
  if (isMe(env.from)) {
    myNick.value = next;
    stored.setNick(next);
    say(serverWindow, env, 'event', text);
  }
}

function applyTopic(env: Envelope): void {
  const win = findWindow(env.to);
  if (!win) return;
  const topic = textLines(env).join(' ');
  win.topic.value = topic || null;
  say(
    win,
    env,
    'event',
    topic ? `${env.from} changed the topic to: ${topic}` : `${env.from} cleared the topic`,
  );
}

function applyMode(env: Envelope): void {
  const change = [...env.params, ...textLines(env)].join(' ');
  const win = isChannelName(env.to) ? findWindow(env.to) : undefined;
  if (win) {
    applyModes(win, env.params);
    say(win, env, 'event', `${env.from} sets mode ${change}`);
  } else {
    say(serverWindow, env, 'event', `Mode change for ${env.to}: ${change}`);
  }
}

function applyKick(env: Envelope): void {
  const win = findWindow(env.to);
  const victim = env.params[0] ?? '';
  if (!win || !victim) return;
  const reason = textLines(env).join(' ');
  if (isMe(victim)) {
    win.joined.value = false;
    setMembers(win, []);
    say(win, env, 'event', `You were kicked from ${env.to} by ${env.from} (${reason})`);
    return;
  }
  removeMember(win, victim);
  say(win, env, 'event', `${env.from} has kicked ${victim} from ${env.to} (${reason})`);
}

function applyPubkey(env: Envelope): void {
  const win = (isChannelName(env.to) && findWindow(env.to)) || serverWindow;
  void announceKey(env).then((outcome) => {
    if (outcome === 'refused') {
      say(
        win,
        env,
        'error',
        `${env.from} announced a signing key without a valid proof (not signed with that key by ${env.from} just now); ignored`,
      );
    } else if (outcome === 'changed') {
      say(
        win,
        env,
        'error',
        `${env.from} announced a NEW signing key, different from the one first seen (/trust ${env.from} accepts it)`,
      );
    } else {
      say(win, env, 'event', `${env.from} announced a signing key`);
    }
  });
}

/**
 * Away state and real names that numerics tell: WHO (352), WHOIS (311) and 301 (someone's away
 * message). Our own away state reaches the nick lists by our own AWAY event, like anyone's.
 */
function noteMemberReplies(env: Envelope, text: string): void {
  const p = env.params;
  if (env.command === '352') {
    // params: channel user host server nick flags; text: `hopcount realname`
    const [channel = '', , , , nick = '', flags = ''] = p;
    const win = findWindow(channel);
    const realname = text.replace(/^\d+ /, '');
    if (!win || !nick) return;
    updateMember(win, nick, (m) => ({
      ...(flags.includes('G') ? awayState(m.awayMessage ?? '')(m) : awayState(null)(m)),
      ...(realname && { realname }),
    }));
  } else if (env.command === '311' && p[0]) {
    for (const win of channelsWith(p[0]))
      updateMember(win, p[0], (m) => ({ ...m, realname: text }));
  } else if (env.command === '301' && p[0]) {
    for (const win of channelsWith(p[0])) updateMember(win, p[0], awayState(text));
  }
}

function applyNumeric(env: Envelope): void {
  const cmd = env.command;
  const text = textLines(env).join(' ');
  if (cmd === '305' || cmd === '306') hooks?.away(cmd === '306' ? 'away' : null);
  if (cmd === '321' || cmd === '322' || cmd === '323') noteListReply(env);
  noteMemberReplies(env, text);
  if (SERVER_NUMERICS.has(cmd)) {
    const shown = numericText(env);
    // In the server window, unless this page just asked for them (/motd, /lusers, /version).
    const target = Date.now() < askedUntil ? activeWindow.value : serverWindow;
    if (shown !== null) say(target, env, 'server', shown);
    return;
  }
  // Replies that describe a channel we have a window for go there, quietly when they only
  // repeat what the window shows (a replay, or another tab's join).
  const channel = numericChannel(env);
  const win = channel !== null ? findWindow(channel) : undefined;
  if (win && cmd === '353') {
    win.namesBuffer = [...(win.namesBuffer ?? []), ...parseNames(text)];
    if (!win.printReplies) return;
  } else if (win && cmd === '366') {
    if (win.namesBuffer) setMembers(win, win.namesBuffer);
    win.namesBuffer = null;
    win.printReplies = false;
    return;
  } else if (win && cmd === '332') {
    win.topic.value = text || null;
    if (!win.printReplies) return;
  } else if (win && (cmd === '333' || cmd === '331')) {
    if (cmd === '331') win.topic.value = null;
    if (!win.printReplies) return;
  }
  const shown = numericText(env);
  if (shown === null) return;
  say(win ?? activeWindow.value, env, isErrorNumeric(cmd) ? 'error' : 'server', shown);
}

function applyOther(env: Envelope): void {
  const text = textLines(env).join(' ');
  switch (env.command) {
    case 'INVITE':
      // channel members get others' invites too (invite-notify): only our own are shown
      if (isMe(env.to)) {
        say(activeWindow.value, env, 'event', `${env.from} invites you to ${env.params[0] ?? ''}`);
      }
      return;
    case 'WALLOPS':
      say(serverWindow, env, 'server', `!${env.from}! ${text}`);
      return;
    case 'PONG':
      say(activeWindow.value, env, 'server', `PONG from ${env.params[0] ?? env.from} ${text}`);
      return;
    case 'AWAY': {
      // away-notify: the nick is shown away (or back) in every channel we share with it
      const message = textLines(env).join(' ');
      for (const win of channelsWith(env.from)) {
        updateMember(win, env.from, awayState(message ? message : null));
      }
      return;
    }
    case 'SETNAME': // a new real name: the nick list shows it on hover
      for (const win of channelsWith(env.from)) {
        updateMember(win, env.from, (m) => ({ ...m, realname: text }));
      }
      return;
    case 'ACCOUNT': // a session became an account (IRC account-notify)
    case 'TAGMSG':
      // client tags only (typing, reactions from IRC clients): nothing this client shows yet
      return;
    default:
      say(serverWindow, env, 'server', [env.command, ...env.params, text].join(' '));
  }
}

export function applyEnvelope(env: Envelope): void {
  noteSeq(env.seq);
  if (/^\d{3}$/.test(env.command)) {
    if (!serverName.value) serverName.value = env.from;
    applyNumeric(env);
    return;
  }
  switch (env.command) {
    case 'PRIVMSG':
    case 'NOTICE':
      return applyMessage(env);
    case 'JOIN':
      return applyJoin(env);
    case 'PART':
      return applyPart(env);
    case 'QUIT':
      return applyQuit(env);
    case 'NICK':
      return applyNick(env);
    case 'TOPIC':
      return applyTopic(env);
    case 'MODE':
      return applyMode(env);
    case 'KICK':
      return applyKick(env);
    case 'PUBKEY':
      return applyPubkey(env);
    default:
      return applyOther(env);
  }
}
