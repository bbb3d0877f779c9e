// The account's order history (orders that ended: filled, canceled, expired, rejected) and
// its fills, newest first and capped. Both merge live private messages with the REST answers
// of protocol.md 8.11 (after a reload or a reconnect), which overlap: orders are keyed by `oid`
// (a rejected order, `oid` 0, by its `seq`, unique per account), fills by `oid` and
// `trade_id`; of two versions of an order the one with the higher `seq` wins. Pure models.

import { formatDec, parseDecimal, subDec } from "../lib/decimal";
import type { FillMsg, OrderMsg } from "../protocol/types";

/** Ended orders kept (the server keeps as many). */
export const HISTORY_KEEP = 100;
/** Fills kept. */
export const FILLS_KEEP = 100;

const TERMINAL = new Set(["filled", "canceled", "expired", "rejected"]);

/** Whether an order status is final. */
export function isTerminal(status: string): boolean {
  return TERMINAL.has(status);
}

/** What is left of an order (qty − filled), exact, with the quantity's decimals. */
export function remainingOf(o: Pick<OrderMsg, "qty" | "filled">): string {
  const q = parseDecimal(o.qty);
  const f = parseDecimal(o.filled);
  if (!q || !f) return o.qty;
  const r = subDec(q, f);
  return formatDec(r.units < 0n ? { units: 0n, scale: r.scale } : r);
}

/** Newest first: by time, then by the account's seq. */
function newestFirst(a: { ts: number; seq: number }, b: { ts: number; seq: number }): number {
  return b.ts - a.ts || b.seq - a.seq;
}

function orderKey(o: OrderMsg): string {
  return o.oid > 0 ? `o${o.oid}` : `r${o.seq}`;
}

/**
 * Items newest first (by ts, then seq), one per key, capped at `keep`: the oldest fall off.
 * Of two items with the same key the later seq stays.
 */
class NewestFirst<T extends { ts: number; seq: number }> {
  private readonly byKey = new Map<string, T>();
  private sorted: T[] = [];
  /** Bumped on every change (views compare it). */
  version = 0;

  constructor(
    private readonly key: (item: T) => string,
    private readonly keep: number,
  ) {}

  get size(): number {
    return this.sorted.length;
  }

  /** Newest first. */
  list(): readonly T[] {
    return this.sorted;
  }

  /** Adds items; true when something changed. */
  add(...items: T[]): boolean {
    let changed = false;
    for (const it of items) {
      const k = this.key(it);
      const have = this.byKey.get(k);
      if (have && have.seq >= it.seq) continue;
      this.byKey.set(k, it);
      changed = true;
    }
    if (!changed) return false;
    this.sorted = [...this.byKey.values()].sort(newestFirst).slice(0, this.keep);
    if (this.byKey.size > this.sorted.length) {
      this.byKey.clear();
      for (const it of this.sorted) this.byKey.set(this.key(it), it);
    }
    this.version++;
    return true;
  }

  clear(): void {
    this.byKey.clear();
    this.sorted = [];
    this.version++;
  }
}

/** Orders that ended, newest first. */
export class OrderHistory extends NewestFirst<OrderMsg> {
  constructor(keep = HISTORY_KEEP) {
    super(orderKey, keep);
  }

  /** Adds ended orders; open ones are ignored. True when something changed. */
  override add(...orders: OrderMsg[]): boolean {
    return super.add(...orders.filter((o) => isTerminal(o.status)));
  }
}

/** Fills, newest first, one per order and trade. */
export class FillList extends NewestFirst<FillMsg> {
  constructor(keep = FILLS_KEEP) {
    super((f) => `${f.oid}:${f.trade_id}`, keep);
  }
}
