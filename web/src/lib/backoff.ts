// Exponential backoff with jitter for reconnects: the n-th consecutive failure waits a
// random time in [½, 1] × min(max, base × 2^n), so a restarted server is not hit by every
// client at the same instant, and never less than a floor the close reason may impose.

export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  /** Random source in [0, 1), replaceable in tests. */
  random?: () => number;
}

export class Backoff {
  private failures = 0;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly random: () => number;

  constructor(o: BackoffOptions = {}) {
    this.baseMs = o.baseMs ?? 500;
    this.maxMs = o.maxMs ?? 30_000;
    this.random = o.random ?? Math.random;
  }

  /** Consecutive failures so far. */
  get attempts(): number {
    return this.failures;
  }

  /** The delay before the next attempt, counting one more failure. */
  next(floorMs = 0): number {
    const cap = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    const d = cap / 2 + (cap / 2) * this.random();
    return Math.round(Math.max(d, floorMs));
  }

  /** Forgets failures after a connection proved healthy. */
  reset(): void {
    this.failures = 0;
  }
}
