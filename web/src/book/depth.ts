// Cumulative depth around the mid, for the depth chart: the bids summed from the best bid
// down and the asks from the best ask up, over a price range symmetric about the mid (as
// deep as the shallower side reaches, so neither side looks deeper only because more of it
// was drawn). Sums are exact; the points are floats for drawing only.

import { toNumber } from "../lib/decimal";
import type { Level } from "./book";

/** A step of the cumulative curve: from this price outward the depth is `cum`. */
export interface DepthPoint {
  px: number;
  cum: number;
}

export interface Depth {
  /** Best first (descending prices), cumulative. */
  bids: DepthPoint[];
  /** Best first (ascending prices), cumulative. */
  asks: DepthPoint[];
  mid: number;
  /** Price range shown. */
  lo: number;
  hi: number;
  /** Largest cumulative quantity inside the range (the y scale). */
  maxCum: number;
  /** Exact totals inside the range, in lot units. */
  bidTotal: bigint;
  askTotal: bigint;
}

/**
 * The depth of the given levels (each side best first, in tick and lot units), or null when
 * the book is empty. With one side only, the range is that side's extent.
 */
export function depthOf(
  bids: readonly Level[],
  asks: readonly Level[],
  pxDecimals: number,
  qtyDecimals: number,
): Depth | null {
  const bb = bids[0];
  const ba = asks[0];
  if (!bb && !ba) return null;
  const px = (u: bigint): number => toNumber(u, pxDecimals);
  // Mid and range in doubled ticks, so a mid between two ticks stays exact.
  const mid2 = bb && ba ? bb.px + ba.px : 2n * ((bb ?? ba) as Level).px;
  const deepBid = bids[bids.length - 1];
  const deepAsk = asks[asks.length - 1];
  const spanB = deepBid ? mid2 - 2n * deepBid.px : null;
  const spanA = deepAsk ? 2n * deepAsk.px - mid2 : null;
  let span2 = spanB !== null && spanA !== null ? (spanB < spanA ? spanB : spanA) : (spanB ?? spanA ?? 0n);
  if (span2 <= 0n) span2 = bb && ba ? ba.px - bb.px : 2n; // a single level: a little room around it
  const lo2 = mid2 - span2;
  const hi2 = mid2 + span2;
  const side = (levels: readonly Level[], inside: (p2: bigint) => boolean): { pts: DepthPoint[]; total: bigint } => {
    const pts: DepthPoint[] = [];
    let acc = 0n;
    for (const l of levels) {
      if (!inside(2n * l.px)) break;
      acc += l.qty;
      pts.push({ px: px(l.px), cum: toNumber(acc, qtyDecimals) });
    }
    return { pts, total: acc };
  };
  const b = side(bids, (p2) => p2 >= lo2);
  const a = side(asks, (p2) => p2 <= hi2);
  const maxCum = Math.max(b.pts[b.pts.length - 1]?.cum ?? 0, a.pts[a.pts.length - 1]?.cum ?? 0);
  return {
    bids: b.pts,
    asks: a.pts,
    mid: toNumber(mid2, pxDecimals) / 2,
    lo: toNumber(lo2, pxDecimals) / 2,
    hi: toNumber(hi2, pxDecimals) / 2,
    maxCum,
    bidTotal: b.total,
    askTotal: a.total,
  };
}
