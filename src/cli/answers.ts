// Bookkeeping for model.ts (pure): commands in flight and their answers, and the arrival burst.
//
// A command's replies come twice (docs/commands.md): in its answer and through the queue, with
// the same ids. The model shows the answer's copy, in the buffer where the command was typed, and
// skips the queued one by id. So that the queued copy cannot win the race and land elsewhere,
// numerics from the queue are held while any command is in flight. A JOIN answers before the queue
// brings its event: its replies (topic, names) wait for that event, or for anything later in the
// queue (which is in seq order), so "has joined" comes first.
//
// The arrival burst is what a new client's queue starts with (docs/api.md): the welcome numerics
// and MOTD, and after a login the channel-state replay (our JOIN per channel, topic, names) and
// 306.
import { fold } from '../model/casefold.js';
import type { Envelope } from '../model/api.js';
import { SERVER_NUMERICS } from '../shared/numeric-text.js';
import type { Verdict } from '../shared/tofu.js';
import type { ChatBuffer } from './buffer.js';

/** A command's answer: its replies, the buffer it was typed in, whether it was a JOIN. */
export interface Answer {
  replies: readonly Envelope[];
  typed: ChatBuffer;
  join: boolean;
}

/** An answer waiting for the event (id, seq) its command stored to come through the queue. */
interface Awaiting extends Answer {
  id: string;
  seq: number;
}

export const isNumeric = (command: string): boolean => /^\d\d\d$/.test(command);

export class Answers {
  private inFlight = 0;
  private parked: { env: Envelope; verdict: Verdict }[] = [];
  private readonly awaiting: Awaiting[] = [];

  sending(): void {
    this.inFlight++;
  }

  /** Holds a numeric from the queue while commands are in flight; true when it was held. */
  park(env: Envelope, verdict: Verdict): boolean {
    if (!isNumeric(env.command) || (this.inFlight === 0 && this.awaiting.length === 0)) {
      return false;
    }
    this.parked.push({ env, verdict });
    return true;
  }

  /**
   * A command was answered: the answer to show now, or null when it waits for the event its
   * command stored (`stored`, unless `seen` already).
   */
  answered(
    answer: Answer,
    stored: { id: string | null; seq: number | null },
    seen: (id: string) => boolean,
  ): Answer | null {
    this.inFlight = Math.max(0, this.inFlight - 1);
    const { id, seq } = stored;
    // only a JOIN's replies wait: they describe the channel its event (which always comes back
    // to us, a member now) opens; any other command's replies are shown at once
    if (answer.join && answer.replies.length > 0 && id !== null && seq !== null && !seen(id)) {
      this.awaiting.push({ id, seq, ...answer });
      return null;
    }
    return answer;
  }

  /** Waiting answers that are due: their event came (`id`) or was passed (`seq` beyond it). */
  due(test: { before: number } | { id: string }): Answer[] {
    const due = this.awaiting.filter((w) =>
      'id' in test ? w.id === test.id : w.seq < test.before,
    );
    for (const w of due) this.awaiting.splice(this.awaiting.indexOf(w), 1);
    return due;
  }

  /** The held numerics, once no command is in flight or waiting. */
  release(): { env: Envelope; verdict: Verdict }[] {
    if (this.inFlight > 0 || this.awaiting.length > 0) return [];
    const parked = this.parked;
    this.parked = [];
    return parked;
  }
}

/** What may follow the welcome burst in a new client's queue: a login's channel-state replay. */
const REPLAY_NUMERICS: ReadonlySet<string> = new Set(['332', '333', '353', '366', '306']);

export class ArrivalBurst {
  private arriving = false;

  /**
   * Whether an envelope from the queue (not from an answer) belongs to an arrival burst. Welcome
   * numerics always do (LUSERS alone too); after 001, our JOINs for channels we are already in
   * (`joined`) and the replay's numerics do, until the first other envelope.
   */
  contains(env: Envelope, nick: string, joined: (channel: string) => boolean): boolean {
    if (env.command === '001') this.arriving = true;
    if (SERVER_NUMERICS.has(env.command)) return true;
    if (!this.arriving) return false;
    const replayed = env.command === 'JOIN' && fold(env.from) === fold(nick) && joined(env.to);
    if (replayed || REPLAY_NUMERICS.has(env.command)) return true;
    this.arriving = false;
    return false;
  }
}
