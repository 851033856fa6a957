// After the session is open, both front ends fill the model from the server's view: channels
// (topic, modes), conversations, then the saved buffer order and the buffer that was active;
// from then on the controller keeps both saved. The UI also fetches member lists (with signing
// keys) and the history above the saved cursor, in the background.
import type { Connection } from './connection.js';
import type { Controller } from './controller.js';
import type { ChatModel } from './model.js';

export interface BootstrapOptions {
  members: boolean;
  history: boolean;
  controller?: Controller;
  /** the buffer to start on instead of the saved target (plain mode's --to) */
  target?: string;
}

export async function bootstrap(
  model: ChatModel,
  conn: Connection,
  o: BootstrapOptions,
): Promise<void> {
  const state = await conn.state();
  model.nick = state.nick;
  model.userModes = state.modes;
  model.away = state.away !== null;
  for (const c of state.channels) model.setChannel(c.name, c.topic, c.modes);
  for (const nick of state.dms) model.open(nick);
  // conversations that were open stay open (even with nothing said yet); channels only if joined
  for (const name of conn.layout) if (!name.startsWith('#')) model.open(name);
  model.arrange(conn.layout);
  const target = conn.target;
  if (o.target !== undefined) {
    model.open(o.target, true);
  } else if (target !== null) {
    const buf = model.find(target);
    if (buf && (buf.kind === 'query' || buf.joined)) model.activate(buf);
    else if (!target.startsWith('#')) model.open(target, true);
  }
  o.controller?.trackLayout();
  const work: Promise<void>[] = [];
  if (o.members) {
    for (const c of state.channels) {
      work.push(
        conn.learnKeys(c.name).then(
          (members) => model.setMembers(c.name, members),
          () => undefined,
        ),
      );
    }
  }
  await Promise.all(work);
  if (o.history && o.controller) {
    // only what the queue will not deliver again: seq ≤ cursor (history's `before` is exclusive)
    const before = conn.cursor === null ? null : conn.cursor + 1;
    const controller = o.controller;
    await Promise.all(
      model.buffers.filter((b) => b.kind !== 'server').map((b) => controller.loadOlder(b, before)),
    );
  }
}
