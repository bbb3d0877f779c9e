// Resume bookkeeping (protocol.md 7.1, 7.4): the last seq processed per stream and the epoch it
// belongs to, turned into the `epoch` + `since` of the subscribe sent after a reconnect.
// Pure state, no I/O, so it is unit tested on its own.

/** What to send for a set of streams after (re)connecting. */
export interface ResumePlan {
  /** The epoch the `since` values belong to; absent when nothing can be resumed. */
  epoch?: string;
  /** Last processed seq per resumable stream. */
  since: Record<string, number>;
  /** Streams that start afresh: their earlier state must be rebuilt (history, snapshot). */
  fresh: string[];
}

interface Mark {
  seq: number;
  epoch: string;
  /** Engine timestamp (ns) of the message, when known. */
  ts: number | undefined;
  /** Order of recording, to find the most recent epoch. */
  tick: number;
}

/** Tracks the last processed seq of every stream. */
export class ResumeState {
  private epochNow: string | null = null;
  private readonly marks = new Map<string, Mark>();
  private ticks = 0;

  /** The epoch of the current connection's welcome, if any. */
  get epoch(): string | null {
    return this.epochNow;
  }

  /** Records the epoch announced by a new connection's `welcome`. */
  welcome(epoch: string): void {
    this.epochNow = epoch;
  }

  /**
   * Records that the message with this seq (and engine timestamp ts) was processed on the
   * current connection. Has no effect before the first welcome.
   */
  ack(stream: string, seq: number, ts?: number): void {
    if (this.epochNow === null) return;
    this.marks.set(stream, { seq, epoch: this.epochNow, ts, tick: ++this.ticks });
  }

  /** Forgets a stream (resync, reset, unsubscribe): the next subscribe starts it afresh. */
  forget(stream: string): void {
    this.marks.delete(stream);
  }

  /** The last processed seq of a stream, the epoch it belongs to and its ts, if any. */
  position(stream: string): { seq: number; epoch: string; ts: number | undefined } | undefined {
    const m = this.marks.get(stream);
    return m ? { seq: m.seq, epoch: m.epoch, ts: m.ts } : undefined;
  }

  /**
   * Whether a message that is not after our position (seq ≤ the last processed) is
   * nonetheless newer than it: then it is no duplicate, the server's history restarted
   * under the same epoch (seq went back), and the stream must start over. A true
   * duplicate or a stale conflated value is never newer than what was processed.
   */
  restarted(stream: string, seq: number, ts: number): boolean {
    const m = this.marks.get(stream);
    return m !== undefined && seq <= m.seq && m.ts !== undefined && ts > m.ts;
  }

  /**
   * Plans the subscribe for `streams` after a (re)connect. The epoch sent is that of the
   * most recently processed message; streams last seen in another epoch cannot be resumed
   * against it (seq values only compare within one epoch) and start fresh, as do streams
   * never seen. The server answers streams it cannot resume with `reset`.
   */
  plan(streams: readonly string[]): ResumePlan {
    let latest: Mark | undefined;
    for (const s of streams) {
      const m = this.marks.get(s);
      if (m && (!latest || m.tick > latest.tick)) latest = m;
    }
    const since: Record<string, number> = {};
    const fresh: string[] = [];
    for (const s of streams) {
      const m = this.marks.get(s);
      if (latest && m && m.epoch === latest.epoch) since[s] = m.seq;
      else {
        fresh.push(s);
        if (m) this.marks.delete(s);
      }
    }
    const plan: ResumePlan = { since, fresh };
    if (latest) plan.epoch = latest.epoch;
    return plan;
  }
}
