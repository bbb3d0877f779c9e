// Candle intervals of the chart. The server serves 1 s and 1 min candles (streams and REST,
// protocol.md 5.6); 5 min, 15 min and 1 h candles are built here from 1 min ones: per bucket
// (aligned on multiples of the interval since the epoch) the first open, the last close,
// the highest high, the lowest low, the summed volume. A live 1 min candle replaces its
// minute and its bucket is rebuilt from the minutes it holds. Exact decimals throughout.

import { addDec, cmpDec, formatDec, parseDecimal } from "../lib/decimal";

/** A candle as the chart keeps it. */
export interface Bar {
  /** Start, seconds since the epoch. */
  time: number;
  o: string;
  h: string;
  l: string;
  c: string;
  v: string;
}

export type Interval = "1s" | "1m" | "5m" | "15m" | "1h";

/** The intervals offered, shortest first. */
export const INTERVALS: readonly Interval[] = ["1s", "1m", "5m", "15m", "1h"];

/** Length of each interval in seconds. */
export const INTERVAL_SECONDS: Record<Interval, number> = {
  "1s": 1,
  "1m": 60,
  "5m": 300,
  "15m": 900,
  "1h": 3600,
};

/** Whether a value names an interval. */
export function isInterval(v: unknown): v is Interval {
  return typeof v === "string" && (INTERVALS as readonly string[]).includes(v);
}

/** The server interval an interval is built from: 1 s candles for 1s, 1 min ones otherwise. */
export function sourceOf(iv: Interval): "1s" | "1m" {
  return iv === "1s" ? "1s" : "1m";
}

/** Start of the bucket of `sec` seconds that `time` (seconds) falls in. */
export function bucketOf(time: number, sec: number): number {
  return Math.floor(time / sec) * sec;
}

/** Reads a bar from a REST item or a `candle` message. */
export function toBar(v: unknown): Bar | null {
  if (typeof v !== "object" || v === null) return null;
  const o = v as Record<string, unknown>;
  const start = typeof o.start === "bigint" ? Number(o.start) : o.start;
  if (typeof start !== "number" || !Number.isFinite(start)) return null;
  for (const k of ["o", "h", "l", "c", "v"]) {
    if (typeof o[k] !== "string" || parseDecimal(o[k] as string) === null) return null;
  }
  return {
    time: Math.floor(start / 1e9),
    o: o.o as string,
    h: o.h as string,
    l: o.l as string,
    c: o.c as string,
    v: o.v as string,
  };
}

function cmpText(a: string, b: string): number {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  return x && y ? cmpDec(x, y) : 0;
}

/** One bar of `time` from bars sorted by time (all of the same bucket). */
export function merge(time: number, bars: readonly Bar[]): Bar {
  const first = bars[0] as Bar;
  let h = first.h;
  let l = first.l;
  let v = parseDecimal(first.v) ?? { units: 0n, scale: 0 };
  for (let i = 1; i < bars.length; i++) {
    const b = bars[i] as Bar;
    if (cmpText(b.h, h) > 0) h = b.h;
    if (cmpText(b.l, l) < 0) l = b.l;
    v = addDec(v, parseDecimal(b.v) ?? { units: 0n, scale: 0 });
  }
  return { time, o: first.o, h, l, c: (bars[bars.length - 1] as Bar).c, v: formatDec(v) };
}

/** Bars of `sec` seconds from source bars sorted by time (one per start). */
export function aggregate(bars: readonly Bar[], sec: number): Bar[] {
  const out: Bar[] = [];
  let i = 0;
  while (i < bars.length) {
    const t = bucketOf((bars[i] as Bar).time, sec);
    let j = i;
    while (j < bars.length && bucketOf((bars[j] as Bar).time, sec) === t) j++;
    out.push(merge(t, bars.slice(i, j)));
    i = j;
  }
  return out;
}

/**
 * Inserts or replaces bar in a list sorted by time; returns its index. A bar older than the
 * list's first is dropped (-1).
 */
export function upsert(list: Bar[], bar: Bar): number {
  const last = list[list.length - 1];
  if (!last || bar.time > last.time) {
    list.push(bar);
    return list.length - 1;
  }
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const t = (list[mid] as Bar).time;
    if (t === bar.time) {
      list[mid] = bar;
      return mid;
    }
    if (t < bar.time) lo = mid + 1;
    else hi = mid - 1;
  }
  if (lo === 0) return -1;
  list.splice(lo, 0, bar);
  return lo;
}

/** The bar of the bucket holding `time`, rebuilt from the source bars (sorted by time). */
export function rebuild(source: readonly Bar[], time: number, sec: number): Bar | null {
  const t = bucketOf(time, sec);
  let i = source.length;
  while (i > 0 && (source[i - 1] as Bar).time >= t) i--;
  let j = i;
  while (j < source.length && (source[j] as Bar).time < t + sec) j++;
  return j > i ? merge(t, source.slice(i, j)) : null;
}
