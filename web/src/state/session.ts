// The signed-in session of this page: adopting a token (after login, from localStorage at load, or
// from another tab), building the windows from GET /api/v1/state, applying the entries
// the poll engine passes on, sending commands, and signing out.
import { signal } from '@preact/signals';
import type { CommandInput, QueuedEnvelope } from '../../../src/model/api.js';
import { ApiError, ChatClient } from '../../../src/shared/client.js';
import { refusalIsQueued } from '../../../src/shared/numeric-text.js';
import { connectEngine, type EngineLink } from '../net/connection.js';
import type { FromEngine } from '../net/protocol.js';
import { applyEnvelope, setApplyHooks } from './apply.js';
import { loadOlder } from './history.js';
import { setMembers } from './members.js';
import {
  activeKey,
  activeWindow,
  connection,
  myNick,
  pollMode,
  serverName,
  serverWindow,
  token,
  windows,
  type ChatWindow,
} from './model.js';
import { stored } from './persist.js';
import { announceAtLogin, sendSigned } from './signing.js';
import { rememberKey, setMemberSource } from './signatures.js';
import { dropOutbox, enqueue, startOutbox } from './outbox.js';
import { forgetView, keepView, restoreView } from './view-state.js';
import { activate, clearWindow, note, openWindow } from './windows.js';

export const client = new ChatClient({ baseUrl: '' });
/** why the last session ended, for the login screen */
export const signOutReason = signal<string | null>(null);
export const away = signal<string | null>(null);
/** channels this page asked to join (folded), focused when their JOIN arrives */
export const pendingJoins = new Set<string>();

let link: EngineLink | null = null;
/** the window this tab showed before a reload (read before the first render overwrites it) */
const remembered = readRemembered();
/** entries that arrive while the windows are being built wait here */
let buffered: QueuedEnvelope[] | null = null;
/** the token this page is ending itself (logout, QUIT): its "revoked" answer is no error */
let ending: string | null = null;
/** stops saving the windows' unread state and context (at sign-out) */
let stopKeepingView: (() => void) | null = null;

async function loadMembers(win: ChatWindow): Promise<void> {
  try {
    const members = await client.members(win.name.value);
    setMembers(
      win,
      members.map((m) => ({
        nick: m.nick,
        op: m.prefix === '@',
        voice: m.prefix === '+',
        away: m.away !== null,
      })),
    );
    for (const m of members) if (m.pubkey) rememberKey(m.nick, m.pubkey);
  } catch {
    // the 353 reply fills the list as well
  }
}

/** Members first (their signing keys decide the badges), then the newest history page. */
async function fillWindow(win: ChatWindow): Promise<void> {
  if (win.kind === 'channel') await loadMembers(win);
  await loadOlder(client, win);
}

// a signed message from a nick whose key never reached us: its channel's members list has it
setMemberSource((channel) => client.members(channel));

setApplyHooks({
  joinedChannel: (win) => void fillWindow(win),
  pendingJoins,
  away: (message) => {
    away.value = message;
  },
});

function applyBatch(messages: QueuedEnvelope[]): void {
  for (const env of messages) {
    try {
      applyEnvelope(env);
    } catch (err) {
      console.warn('could not show an entry', env.command, err);
    }
  }
}

function onEngine(message: FromEngine): void {
  switch (message.type) {
    case 'status': {
      const state = message.connection;
      if (state.state === 'signed-out') {
        if (token.value !== null && state.token === token.value)
          signedOut(state.token === ending ? null : state.reason);
      } else if (message.token && token.value === null) {
        // Another tab of this browser signed in: join it.
        adopt(message.token, stored.cursor());
      }
      // A status about another token (an engine still busy with an old one) is not ours to show.
      if (message.token === token.value) connection.value = state;
      return;
    }
    case 'entries':
      if (buffered) buffered.push(...message.messages);
      else applyBatch(message.messages);
      if (message.gap)
        note(serverWindow, 'Some messages were skipped: the server no longer had them.', 'error');
      // Only after the batch is shown (or queued behind the windows being built): a reload
      // resumes from here, and anything not shown yet comes again.
      stored.setCursor(message.lastId);
      return;
    case 'cursor-reset':
      stored.resetCursor();
      return;
    case 'problem':
      console.warn(message.message);
      return;
  }
}

/** Connects to the shared poll engine and resumes a stored session, if any. */
export function start(pollWorkerUrl: string): void {
  link = connectEngine(pollWorkerUrl, onEngine);
  pollMode.value = link.mode;
  const saved = stored.token();
  if (saved) adopt(saved, stored.cursor());
  else link.post({ type: 'ask' });
}

/** Use this token from now on: share it with the poll engine and build the windows. */
export function adopt(newToken: string, cursor: number | null): void {
  token.value = newToken;
  client.token = newToken;
  myNick.value = stored.nick() ?? '';
  signOutReason.value = null;
  link?.post({ type: 'hello', token: newToken, cursor });
  startOutbox({
    // every attempt signs afresh (when signing is on): a signature made when the line was typed
    // would be stale after a long outage
    send: (command) => sendSigned(client, command),
    refused,
    signedOut: () => link?.post({ type: 'logout' }),
    unreachable: retryNow,
  });
  void bootstrap();
}

/** After a login in this tab. */
export function signedIn(newToken: string, nick: string): void {
  stored.clearSession();
  stored.setSession(newToken, nick);
  adopt(newToken, null);
}

async function bootstrap(): Promise<void> {
  buffered = [];
  const fill: ChatWindow[] = [];
  try {
    // No ?replay=1: the windows come from the state itself and the members and history reads,
    // and a replay costs flood tokens (it writes rows) that the user's own messages need.
    const [info, state] = await Promise.all([client.server(), client.state()]);
    serverName.value = info.name;
    myNick.value = state.nick;
    stored.setNick(state.nick);
    void announceAtLogin(client, state.id);
    away.value = state.away;
    for (const ch of state.channels) {
      const win = openWindow(ch.name, 'channel');
      win.joined.value = true;
      win.topic.value = ch.topic;
      fill.push(win);
    }
    for (const nick of state.dms) fill.push(openWindow(nick, 'query'));
    for (const win of windows.value) restoreView(win);
    stopKeepingView?.();
    stopKeepingView = keepView();
  } catch (err) {
    if (err instanceof ApiError && err.signedOut) {
      buffered = null;
      signedOut(err.message);
      return;
    }
    note(serverWindow, `Could not load the session state: ${String(err)}`, 'error');
  }
  const waiting = buffered ?? [];
  buffered = null;
  applyBatch(waiting);
  const again = windows.value.find((w) => w.key === remembered);
  if (again) activate(again);
  for (const win of fill) await fillWindow(win);
}

/** The session is over (logout, QUIT, revoked token): back to the login screen. */
export function signedOut(reason: string | null): void {
  stopKeepingView?.();
  stopKeepingView = null;
  forgetView();
  dropOutbox();
  token.value = null;
  client.token = null;
  stored.clearSession();
  windows.value = [serverWindow];
  clearWindow(serverWindow);
  activeKey.value = serverWindow.key;
  myNick.value = '';
  signOutReason.value = reason;
}

/**
 * Sends a command through the outbox (in order, retried with its txn while the server cannot be
 * reached). Resolves true once the server took it. A refusal the queue shows (its numeric) is not
 * noted again; others are.
 */
export async function send(command: CommandInput): Promise<boolean> {
  if (command.command === 'QUIT') ending = token.value;
  // Its pending line shows where it was typed (a /msg names its target there).
  return (await enqueue(command, activeWindow.value.key)) === 'sent';
}

function refused(command: CommandInput, err: ApiError): void {
  if (refusalIsQueued(command.command, err.body)) return;
  const wait = err.retryAfter ? ` (try again in ${err.retryAfter} s)` : '';
  note(activeWindow.value, `${err.message}${wait}`, 'error');
}

export function retryNow(): void {
  link?.post({ type: 'retry' });
}

/** Ends this device's login (POST /logout); the session ends too if it has no password. */
export async function logout(): Promise<void> {
  // The server revokes the token before it answers: the poll engine may report that first.
  // Stopping the shared poll first keeps the other tabs from hearing "revoked" either: they get
  // the engine's own sign-out, which is no error.
  ending = token.value;
  link?.post({ type: 'logout' });
  try {
    await client.logout();
  } catch {
    // already gone: sign out locally all the same
  }
  signedOut(null);
}

/** After QUIT: the server ends the session; every tab signs out. */
export function quitDone(): void {
  link?.post({ type: 'logout' });
  signedOut(null);
}

function readRemembered(): string | null {
  try {
    return sessionStorage.getItem('chatd.active');
  } catch {
    return null;
  }
}

export const rememberActive = (key: string): void => {
  try {
    sessionStorage.setItem('chatd.active', key);
  } catch {
    // no session storage: the server window is shown after a reload
  }
};
