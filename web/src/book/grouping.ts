// Price grouping of the ladder: levels summed into buckets of a step (a multiple of the
// tick). A bid falls into the bucket at or below its price, an ask into the one at or above
// it, so a group's price is never better than the prices it holds (as on the big venues).
// Exact integers throughout.

import type { Level } from "./book";

/** One group: its price and the summed quantity, in tick and lot units. */
export interface GroupLevel {
  px: bigint;
  qty: bigint;
}

export type SideName = "bids" | "asks";

/** Multiples of the tick offered as grouping steps. */
export const GROUP_MULTIPLES = [1n, 10n, 100n, 1000n, 10000n] as const;

/** The grouping steps for an instrument, in tick units of its price decimals. */
export function groupSteps(tick: bigint): bigint[] {
  return GROUP_MULTIPLES.map((m) => m * tick);
}

/** The price of the group px falls into. */
export function groupPrice(px: bigint, step: bigint, side: SideName): bigint {
  if (step <= 1n) return px;
  const r = ((px % step) + step) % step;
  if (r === 0n) return px;
  return side === "bids" ? px - r : px - r + step;
}

export interface GroupOptions {
  /** Stop after this many groups. */
  max?: number;
  /** Stop after the group of this price (inclusive), whatever max says. */
  through?: bigint;
}

/**
 * Groups levels given best first into groups, best first. Stops at `max` groups, or once
 * past `through`, or when the levels run out.
 */
export function groupLevels(
  levels: Iterable<Pick<Level, "px" | "qty">>,
  step: bigint,
  side: SideName,
  opts: GroupOptions = {},
): GroupLevel[] {
  const out: GroupLevel[] = [];
  const max = opts.max ?? Number.POSITIVE_INFINITY;
  const through = opts.through;
  const past = (g: bigint): boolean =>
    through !== undefined && (side === "bids" ? g < through : g > through);
  let cur: GroupLevel | null = null;
  for (const l of levels) {
    const g = groupPrice(l.px, step, side);
    if (cur && cur.px === g) {
      cur.qty += l.qty;
      continue;
    }
    if (past(g) || (through === undefined && out.length >= max)) break;
    cur = { px: g, qty: l.qty };
    out.push(cur);
  }
  return out;
}

/**
 * Sums the user's own remaining quantities per group: `orders` are (price, remaining) of
 * open orders on one side.
 */
export function groupOwn(
  orders: Iterable<{ px: bigint; qty: bigint }>,
  step: bigint,
  side: SideName,
): Map<bigint, bigint> {
  const m = new Map<bigint, bigint>();
  for (const o of orders) {
    const g = groupPrice(o.px, step, side);
    m.set(g, (m.get(g) ?? 0n) + o.qty);
  }
  return m;
}
