// The account's order history (orders that ended: filled, canceled, expired, rejected) and
// its fills, newest first and capped. Both merge live private messages with the REST answers
// of PROTOCOL 8.11 (after a reload or a reconnect), which overlap: orders are keyed by `oid`
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

/** Orders that ended, newest first. */
export class OrderHistory {
  private readonly byKey = new Map<string, OrderMsg>();
  private sorted: OrderMsg[] = [];
  /** Bumped on every change (views compare it). */
  version = 0;

  constructor(private readonly keep = HISTORY_KEEP) {}

  get size(): number {
    return this.sorted.length;
  }

  /** Newest first. */
  list(): readonly OrderMsg[] {
    return this.sorted;
  }

  /** Adds ended orders; open ones are ignored. True when something changed. */
  add(...orders: OrderMsg[]): boolean {
    let changed = false;
    for (const o of orders) {
      if (!isTerminal(o.status)) continue;
      const k = orderKey(o);
      const have = this.byKey.get(k);
      if (have && have.seq >= o.seq) continue;
      this.byKey.set(k, o);
      changed = true;
    }
    if (changed) this.resort();
    return changed;
  }

  clear(): void {
    this.byKey.clear();
    this.sorted = [];
    this.version++;
  }

  private resort(): void {
    this.sorted = [...this.byKey.values()].sort(newestFirst).slice(0, this.keep);
    if (this.byKey.size > this.sorted.length) {
      this.byKey.clear();
      for (const o of this.sorted) this.byKey.set(orderKey(o), o);
    }
    this.version++;
  }
}

/** Fills, newest first. */
export class FillList {
  private readonly keys = new Set<string>();
  private sorted: FillMsg[] = [];
  version = 0;

  constructor(private readonly keep = FILLS_KEEP) {}

  get size(): number {
    return this.sorted.length;
  }

  /** Newest first. */
  list(): readonly FillMsg[] {
    return this.sorted;
  }

  /** Adds fills not held yet. True when something changed. */
  add(...fills: FillMsg[]): boolean {
    const seen = new Set(this.keys);
    const fresh = fills.filter((f) => {
      const k = `${f.oid}:${f.trade_id}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    if (fresh.length === 0) return false;
    this.sorted = [...this.sorted, ...fresh].sort(newestFirst).slice(0, this.keep);
    this.keys.clear();
    for (const f of this.sorted) this.keys.add(`${f.oid}:${f.trade_id}`);
    this.version++;
    return true;
  }

  clear(): void {
    this.keys.clear();
    this.sorted = [];
    this.version++;
  }
}
