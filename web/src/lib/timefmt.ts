// Time formatting for nanosecond protocol timestamps, in the viewer's local time zone.

const pad2 = (n: number): string => (n < 10 ? "0" : "") + n;
const pad3 = (n: number): string => (n < 10 ? "00" : n < 100 ? "0" : "") + n;

/** Milliseconds since the epoch from nanoseconds (float, precise enough for display). */
export function nsToMs(ns: number): number {
  return ns / 1e6;
}

/** "HH:MM:SS" local time. */
export function clock(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** "HH:MM:SS.mmm" local time. */
export function clockMs(ms: number): string {
  const d = new Date(ms);
  return clock(ms) + "." + pad3(d.getMilliseconds());
}

/** "12.3 ms" / "850 µs" / "2.1 s" for a duration in ms. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return "–";
  const a = Math.abs(ms);
  if (a < 1) return `${Math.round(ms * 1000)} µs`;
  if (a < 10) return `${ms.toFixed(2)} ms`;
  if (a < 1000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

let anchor = Number.NaN;

/**
 * The local wall clock in ms with sub-millisecond resolution where the browser allows:
 * performance.now() anchored to Date.now(). The monotonic clock drifts from the wall clock
 * (NTP slewing, a laptop sleeping), so the anchor is reset when they part by over 2 ms.
 */
export function nowMs(): number {
  if (typeof performance === "undefined") return Date.now();
  const mono = performance.now();
  const wall = Date.now();
  if (Number.isNaN(anchor)) anchor = performance.timeOrigin || wall - mono;
  let t = anchor + mono;
  if (Math.abs(t - wall) > 2) {
    anchor = wall - mono + 0.5; // Date.now() truncates to the ms: centre it
    t = anchor + mono;
  }
  return t;
}
