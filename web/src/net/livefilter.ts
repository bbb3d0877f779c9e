// Which messages count for feed latency. A subscribe is answered with messages published
// before it (the book snapshot, the replay of a resumed stream, the latest quote, ticker or
// candle); their age measures the history, not the feed. The server publishes every live
// message after it processed the subscribe, so a message is taken as live when its engine
// timestamp is not older than the moment the subscribe was sent (in server time), nor than
// the connection's welcome. Book snapshots never count. Pure state, unit tested.

export class LiveFilter {
  private welcomeMs = Number.POSITIVE_INFINITY;
  private readonly from = new Map<string, number>();

  /** A new connection: its welcome's server time (ms); earlier subscriptions are gone. */
  welcome(serverTimeMs: number): void {
    this.welcomeMs = serverTimeMs;
    this.from.clear();
  }

  /** Subscribe requests for these streams were sent at serverNowMs (server clock). */
  subscribed(streams: Iterable<string>, serverNowMs: number): void {
    for (const s of streams) this.from.set(s, serverNowMs);
  }

  /** A stream was unsubscribed. */
  forget(stream: string): void {
    this.from.delete(stream);
  }

  /** Whether a message of type `t` on `stream` with engine time tsMs is live traffic. */
  live(stream: string, t: string, tsMs: number): boolean {
    if (t === "book_snapshot") return false;
    const from = Math.max(this.welcomeMs, this.from.get(stream) ?? Number.NEGATIVE_INFINITY);
    return tsMs >= from;
  }
}
