// Latency statistics of the feed: an exponentially smoothed value and percentiles over a
// fixed window of the most recent samples (a ring buffer, so memory never grows).

export class LatencyStats {
  private readonly ring: Float64Array;
  private count = 0;
  private next = 0;
  private ewma = Number.NaN;
  private scratch: Float64Array;

  /** `window` samples kept for percentiles; `alpha` the weight of a new sample. */
  constructor(
    window = 1000,
    private readonly alpha = 0.05,
  ) {
    this.ring = new Float64Array(window);
    this.scratch = new Float64Array(window);
  }

  /** Adds a sample in milliseconds. */
  add(ms: number): void {
    if (!Number.isFinite(ms)) return;
    this.ring[this.next] = ms;
    this.next = (this.next + 1) % this.ring.length;
    if (this.count < this.ring.length) this.count++;
    this.ewma = Number.isNaN(this.ewma) ? ms : this.ewma + this.alpha * (ms - this.ewma);
  }

  /** Number of samples in the window. */
  get size(): number {
    return this.count;
  }

  /** The smoothed latency, NaN before the first sample. */
  get smoothed(): number {
    return this.ewma;
  }

  /** The p-th percentile (0 < p ≤ 100) of the window, NaN when empty. */
  percentile(p: number): number {
    if (this.count === 0) return Number.NaN;
    const a = this.scratch.subarray(0, this.count);
    a.set(this.ring.subarray(0, this.count));
    a.sort();
    const rank = Math.min(this.count - 1, Math.max(0, Math.ceil((p / 100) * this.count) - 1));
    return a[rank] as number;
  }

  /** Drops all samples. */
  clear(): void {
    this.count = 0;
    this.next = 0;
    this.ewma = Number.NaN;
  }
}

/**
 * Estimates the offset between the server's clock and ours from ping/pong round trips,
 * NTP style: offset = server_ts − (sent + received) / 2, trusting the sample with the
 * smallest round trip among the recent ones.
 */
export class ClockOffset {
  private samples: { rtt: number; offset: number }[] = [];

  constructor(private readonly keep = 8) {}

  /** Adds a round trip: local send and receive times and the server's time, all in ms. */
  add(sentMs: number, recvMs: number, serverMs: number): void {
    const rtt = recvMs - sentMs;
    if (!(rtt >= 0)) return;
    this.samples.push({ rtt, offset: serverMs - (sentMs + recvMs) / 2 });
    if (this.samples.length > this.keep) this.samples.shift();
  }

  /** Server clock minus local clock in ms (0 when unknown). */
  get offsetMs(): number {
    let best: { rtt: number; offset: number } | undefined;
    for (const s of this.samples) if (!best || s.rtt < best.rtt) best = s;
    return best ? best.offset : 0;
  }

  /** The smallest recent round trip in ms, NaN when unknown. */
  get rttMs(): number {
    let r = Number.NaN;
    for (const s of this.samples) if (!(s.rtt >= r)) r = s.rtt;
    return r;
  }

  clear(): void {
    this.samples = [];
  }
}
