// Display formatting of exact decimal strings: thousands separators, sizes abbreviated with
// K, M and B, money at two decimals. Everything works on the strings and bigints of
// decimal.ts (never floats), and every abbreviation rounds toward zero, so a shown size is
// never more than the real one. Full values go into tooltips (title attributes).

import { formatScaled, groupThousands, parseDecimal, rescale, type Rounding } from "./decimal";

/** Sizes below this are shown in full (with separators); above it with K, M or B. */
export const COMPACT_FROM = 10_000n;

const UNITS: readonly [bigint, string][] = [
  [1_000_000_000n, "B"],
  [1_000_000n, "M"],
  [1_000n, "K"],
];

/**
 * A size for a dense column: in full with thousands separators below 10,000
 * ("1,234.5678"), else with two decimals and K, M or B ("631.25K", "1.20M", "3,456.00B"),
 * rounded toward zero. Text that is not a plain decimal is returned unchanged.
 */
export function compactQty(text: string): string {
  const d = parseDecimal(text);
  if (!d) return text;
  const abs = d.units < 0n ? -d.units : d.units;
  const whole = abs / 10n ** BigInt(d.scale);
  if (whole < COMPACT_FROM) return groupThousands(text);
  for (const [size, unit] of UNITS) {
    if (whole < size) continue;
    // units / (size × 10^scale) with 2 decimals, toward zero.
    const hundredths = (abs * 100n) / (size * 10n ** BigInt(d.scale));
    return (d.units < 0n ? "-" : "") + groupThousands(formatScaled(hundredths, 2)) + unit;
  }
  return groupThousands(text);
}

/**
 * An amount of money with `decimals` decimals (2 by default) and thousands separators:
 * ("94005.123456") → "94,005.12". `mode` rounds the dropped digits: "down" (toward −∞,
 * the default: a balance is never shown larger than it is) or "nearest".
 */
export function money(text: string, decimals = 2, mode: Rounding = "down"): string {
  const d = parseDecimal(text);
  if (!d) return text;
  const units = rescale(d, decimals, mode) ?? 0n;
  return groupThousands(formatScaled(units, decimals));
}

/** A price or other exact value with thousands separators and every decimal kept. */
export function grouped(text: string): string {
  return parseDecimal(text) ? groupThousands(text) : text;
}
