// Reads a transport serves besides the queue (docs/api.md): the channel directory, a channel's
// members and history pages. Each answer is bounded: directory and members come in pages of at
// most POLL_BATCH_MAX entries and PAGE_MAX_BYTES (listing-pages.ts), a history page holds at most
// PAGE_MAX_BYTES. Each answers the JSON bytes it measured while cutting its page, which the core's
// facade charges to the read budget (read-budget.ts) without serialising the answer again.
import type { ChannelListItem, HistoryView, MemberView } from '../model/api.js';
import { tailSized } from '../model/byte-budget.js';
import { fold } from '../model/casefold.js';
import type { HistoryQuery } from './core-contract.js';
import type { CoreEnv } from './environment.js';
import type { Dispatcher } from './dispatch.js';
import { ircError } from './errors.js';
import { pageAfter, type Page, type PageLimits } from './listing-pages.js';
import { dmPair, isSecret, prefixOf } from './lookup.js';
import { ERR } from '../model/numerics.js';
import type { Measured } from './read-budget.js';
import type { Caller } from '../model/envelope.js';
import { visibleChannels } from './commands/names-and-list.js';

const HISTORY_COMMANDS = ['PRIVMSG', 'NOTICE'] as const;

export class Listings {
  constructor(
    private readonly env: CoreEnv,
    private readonly dispatcher: Dispatcher,
  ) {}

  private get store() {
    return this.env.store;
  }

  private get limits(): PageLimits {
    const s = this.env.settings;
    return { maxItems: s.pollBatchMax, maxBytes: s.pageMaxBytes };
  }

  async channels(caller: Caller, after: string | null): Promise<Measured<Page<ChannelListItem>>> {
    const { value } = await this.dispatcher.withContext(caller, visibleChannels);
    const sorted = value
      .map((c) => ({ key: c.nameFolded, name: c.name, topic: c.topic, n: c.memberCount }))
      .sort((a, b) => cmp(a.key, b.key));
    const page = pageAfter(sorted, (c) => c.key, after, this.limits);
    const items = page.items.map((c) => ({ name: c.name, topic: c.topic, members: c.n }));
    return { value: { items, next: page.next }, bytes: page.bytes };
  }

  async members(
    caller: Caller,
    channelName: string,
    after: string | null,
  ): Promise<Measured<Page<MemberView>>> {
    const channel = await this.visibleChannel(caller, channelName);
    const members = await this.store.listMembers(channel.id);
    // ops, then voiced, then the rest, each by folded nick; the key sorts the same way
    const sorted = members
      .map((m) => {
        const prefix = prefixOf(m.modes);
        const view: MemberView = {
          nick: m.session.nick,
          prefix,
          away: m.session.away,
          // so a client that joins later learns the keys of those already present (docs/signing.md)
          pubkey: m.session.pubkey,
        };
        return { key: `${rank(prefix)}${fold(m.session.nick)}`, view };
      })
      .sort((a, b) => cmp(a.key, b.key));
    const page = pageAfter(sorted, (m) => m.key, after, this.limits);
    return { value: { items: page.items.map((m) => m.view), next: page.next }, bytes: page.bytes };
  }

  async history(caller: Caller, q: HistoryQuery): Promise<Measured<HistoryView>> {
    let page;
    if (q.target.startsWith('#')) {
      const channel = await this.visibleChannel(caller, q.target);
      if (!(await this.store.getMembership(caller.sessionId, channel.id))) {
        throw ircError(ERR.NOTONCHANNEL, [channel.name]);
      }
      const target = { kind: 'channel' as const, channelId: channel.id };
      page = await this.store.readHistory(target, q.before, q.limit, HISTORY_COMMANDS);
    } else {
      const peer = await this.store.getSessionByNick(fold(q.target));
      if (!peer) throw ircError(ERR.NOSUCHNICK, [q.target]);
      const target = { kind: 'dm' as const, dmPair: dmPair(caller.sessionId, peer.id) };
      page = await this.store.readHistory(target, q.before, q.limit, HISTORY_COMMANDS);
    }
    // Paging goes backwards, so a page cut by bytes keeps its newest messages and says more exist.
    const { items: messages, bytes } = tailSized(page.messages, this.env.settings.pageMaxBytes);
    const has_more = page.hasMore || messages.length < page.messages.length;
    return { value: { messages, has_more }, bytes };
  }

  /** A channel the caller may know exists: 404 for unknown and for secret ones it is not in. */
  private async visibleChannel(caller: Caller, name: string) {
    const channel = name.startsWith('#') ? await this.store.getChannelByName(fold(name)) : null;
    if (
      !channel ||
      (isSecret(channel) && !(await this.store.getMembership(caller.sessionId, channel.id)))
    ) {
      throw ircError(ERR.NOSUCHCHANNEL, [name]);
    }
    return channel;
  }
}

function rank(prefix: string): number {
  return prefix === '@' ? 0 : prefix === '+' ? 1 : 2;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
