// Order-entry arithmetic, exact: what a market order would cost by walking the book (up to
// the price band, which bounds a market order on the venue, protocol.md 8.9), the band itself,
// and the largest quantity a balance pays for (the Max and percentage shortcuts).

import type { Level } from "../book/book";
import { parseDecimal, pow10, type Dec } from "../lib/decimal";

/** The result of walking the book for a quantity. */
export interface Sweep {
  /** Quantity that would fill, in lot units of the quantity's decimals. */
  qty: bigint;
  /** Σ price × quantity, in units of 10^-(price decimals + quantity decimals). */
  notional: bigint;
  /** Whether the whole quantity would fill within the levels (and the limit). */
  complete: boolean;
}

/**
 * Walks levels (best first) for `want`: asks for a buy, bids for a sell. A level beyond
 * `limit` (above it for a buy, below for a sell) is not reached.
 */
export function sweep(
  levels: Iterable<Pick<Level, "px" | "qty">>,
  want: bigint,
  side: "buy" | "sell",
  limit?: bigint,
): Sweep {
  let qty = 0n;
  let notional = 0n;
  for (const l of levels) {
    if (qty >= want) break;
    if (limit !== undefined && (side === "buy" ? l.px > limit : l.px < limit)) break;
    const take = l.qty < want - qty ? l.qty : want - qty;
    qty += take;
    notional += take * l.px;
  }
  return { qty, notional, complete: qty >= want };
}

/**
 * The price band around `last` (ticks): [last − b, last + b] with b = floor(last × pct / 100)
 * (protocol.md 8.9). Null when pct is not a decimal.
 */
export function bandLimits(last: bigint, pct: string): { lo: bigint; hi: bigint } | null {
  const p = parseDecimal(pct);
  if (!p || p.units < 0n) return null;
  const bound = (last * p.units) / (100n * pow10(p.scale));
  return { lo: last - bound, hi: last + bound };
}

/** floor(a / b) for non-negative decimals, as an integer; 0 when b is zero. */
export function floorDiv(a: Dec, b: Dec): bigint {
  if (b.units <= 0n || a.units <= 0n) return 0n;
  return (a.units * pow10(b.scale)) / (b.units * pow10(a.scale));
}

/**
 * The largest quantity, in lots, that `pct` percent of an available balance pays for:
 * for a buy the balance is quote currency and each lot costs `px` × `lot`; for a sell it is
 * the base asset itself. Capped by `maxLots` when given.
 */
export function affordableLots(
  available: Dec,
  side: "buy" | "sell",
  lot: Dec,
  px: Dec | null,
  pct: number,
  maxLots?: bigint,
): bigint {
  let lots: bigint;
  if (side === "buy") {
    if (!px || px.units <= 0n) return 0n;
    lots = floorDiv(available, { units: px.units * lot.units, scale: px.scale + lot.scale });
  } else {
    lots = floorDiv(available, lot);
  }
  lots = (lots * BigInt(Math.round(pct))) / 100n;
  if (maxLots !== undefined && maxLots > 0n && lots > maxLots) lots = maxLots;
  return lots;
}
