// Ending a session (QUIT, logout of the last client, idle expiry, revoke of the last client): one
// QUIT row shown once to everyone sharing a channel, memberships closed at it, empty channels
// removed, every client's token revoked, the nick released.
import type { SessionRow } from '../store/store.js';
import { closeMembership } from './channel-leave.js';
import type { Context } from './context.js';
import { senderOf } from './lookup.js';

export async function endSession(ctx: Context, session: SessionRow, reason: string): Promise<void> {
  const channels = await ctx.tx.listSessionChannels(session.id);
  let endSeq = await ctx.tx.latestSeq();
  const [first, ...rest] = channels;
  if (first) {
    const quit = await ctx.emit(
      {
        command: 'QUIT',
        from: session.nick,
        to: session.nick,
        body: [reason],
        // the quitter's identity, also when someone else ended it (KILL)
        ...senderOf(session, ctx.server),
      },
      { kind: 'channel', channelId: first.channelId, alsoChannels: rest.map((c) => c.channelId) },
    );
    endSeq = quit.seq;
    for (const { channel } of channels) await closeMembership(ctx, session.id, channel, endSeq);
  }
  for (const client of await ctx.tx.listClients(session.id)) ctx.out.wake.revoked.add(client.id);
  await ctx.tx.deleteSession(session.id, endSeq);
  if (session.id === ctx.session.id) ctx.out.ended = true;
}
