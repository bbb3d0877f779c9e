// The client-side L2 order book of one instrument, kept from a `book_snapshot` and the
// `book` deltas that follow it (protocol.md 6.1). Prices are keyed by exact scaled integers;
// the wire strings are kept for display and for the checksum, which is computed over the
// levels "as formatted on the wire".

import { parseScaled } from "../lib/decimal";
import type { WireLevel } from "../protocol/types";
import { bookChecksum } from "./checksum";

/** One price level. */
export interface Level {
  /** Price in units of the tick's decimals. */
  readonly px: bigint;
  /** Quantity in units of the lot's decimals. */
  readonly qty: bigint;
  /** Price as received. */
  readonly pxText: string;
  /** Quantity as received. */
  readonly qtyText: string;
}

/** One side of the book, levels kept sorted best first. */
export class BookSide {
  private readonly byPx = new Map<bigint, Level>();
  /** Prices best first: descending for bids, ascending for asks. */
  private readonly order: bigint[] = [];

  constructor(readonly descending: boolean) {}

  get size(): number {
    return this.order.length;
  }

  clear(): void {
    this.byPx.clear();
    this.order.length = 0;
  }

  /** Sets a level's total quantity; zero removes it. */
  set(level: Level): void {
    const exists = this.byPx.has(level.px);
    if (level.qty === 0n) {
      if (!exists) return;
      this.byPx.delete(level.px);
      const i = this.find(level.px);
      if (i < this.order.length && this.order[i] === level.px) this.order.splice(i, 1);
      return;
    }
    this.byPx.set(level.px, level);
    if (!exists) this.order.splice(this.find(level.px), 0, level.px);
  }

  /** The level at rank i (0 = best), if any. */
  at(i: number): Level | undefined {
    const px = this.order[i];
    return px === undefined ? undefined : this.byPx.get(px);
  }

  /** The best n levels, best first. */
  top(n: number): Level[] {
    const out: Level[] = [];
    const m = Math.min(n, this.order.length);
    for (let i = 0; i < m; i++) {
      const l = this.byPx.get(this.order[i] as bigint);
      if (l) out.push(l);
    }
    return out;
  }

  get(px: bigint): Level | undefined {
    return this.byPx.get(px);
  }

  /** Every level, best first (do not change the side while iterating). */
  *levels(): Generator<Level> {
    for (const px of this.order) {
      const l = this.byPx.get(px);
      if (l) yield l;
    }
  }

  /** Index where px is or would be inserted (binary search over best-first order). */
  private find(px: bigint): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.order[mid] as bigint;
      const before = this.descending ? v > px : v < px;
      if (before) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** What applying a message did. */
export type ApplyResult =
  | "ok" // applied, checksum verified
  | "ignored" // duplicate or stale (seq not after ours), or no snapshot yet
  | "gap" // seq jumped: messages were lost, resync
  | "checksum" // applied but the checksum differs: resync
  | "invalid"; // a level could not be parsed: resync

/** Minimal shape of snapshot and delta messages. */
export interface BookUpdate {
  seq: number;
  bids: WireLevel[];
  asks: WireLevel[];
  cs: number;
}

/** An L2 book with sequence and checksum verification. */
export class OrderBook {
  readonly bids = new BookSide(true);
  readonly asks = new BookSide(false);
  /** Seq of the last applied message; null until a snapshot arrived (or after invalidate). */
  seq: number | null = null;
  /** Checksum computed after the last applied message. */
  lastChecksum = 0;

  constructor(
    readonly pxDecimals: number,
    readonly qtyDecimals: number,
  ) {}

  /** Whether the book holds a verified state to display. */
  get synced(): boolean {
    return this.seq !== null;
  }

  /** Forgets the state until the next snapshot (used when resyncing). */
  invalidate(): void {
    this.seq = null;
    this.bids.clear();
    this.asks.clear();
  }

  /** Replaces the book with a snapshot. */
  applySnapshot(m: BookUpdate): ApplyResult {
    this.bids.clear();
    this.asks.clear();
    if (!this.load(m)) {
      this.invalidate();
      return "invalid";
    }
    this.seq = m.seq;
    return this.verify(m.cs);
  }

  /** Applies a delta; see ApplyResult. */
  applyDelta(m: BookUpdate): ApplyResult {
    if (this.seq === null) return "ignored";
    if (m.seq <= this.seq) return "ignored";
    if (m.seq !== this.seq + 1) return "gap";
    if (!this.load(m)) return "invalid";
    this.seq = m.seq;
    return this.verify(m.cs);
  }

  /** The checksum of the current state (protocol.md 6.2). */
  checksum(): number {
    return bookChecksum(this.asks.top(10), this.bids.top(10));
  }

  private verify(cs: number): ApplyResult {
    this.lastChecksum = this.checksum();
    return this.lastChecksum === cs >>> 0 ? "ok" : "checksum";
  }

  private load(m: BookUpdate): boolean {
    return this.loadSide(this.bids, m.bids) && this.loadSide(this.asks, m.asks);
  }

  private loadSide(side: BookSide, levels: WireLevel[]): boolean {
    for (const [pxText, qtyText] of levels) {
      const px = parseScaled(pxText, this.pxDecimals);
      const qty = parseScaled(qtyText, this.qtyDecimals);
      if (px === null || qty === null || px <= 0n || qty < 0n) return false;
      side.set({ px, qty, pxText, qtyText });
    }
    return true;
  }
}
