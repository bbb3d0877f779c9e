// Valuation of an account: equity = Σ over assets of total × last trade price of
// `<ASSET>-USD` (USD itself at 1), exact decimal arithmetic, and PnL against the equity the
// account started with.

import { ZERO, addDec, mulDec, parseDecimal, rescale, subDec, type Dec } from "../lib/decimal";
import type { BalanceEntry } from "../protocol/types";

/** The currency equity is expressed in. */
export const VALUATION_ASSET = "USD";

/** Decimals of displayed USD values. */
export const USD_DECIMALS = 2;

export interface AssetValue {
  asset: string;
  /** Value in USD, exact; null when no price is known. */
  value: Dec | null;
}

export interface Equity {
  /** Sum of the valued assets. */
  total: Dec;
  /** Assets without a price (left out of total). */
  missing: string[];
  perAsset: AssetValue[];
}

/**
 * Values balances in USD. `priceOf(asset)` returns the last trade price of `<ASSET>-USD`
 * as a decimal string, or undefined when unknown.
 */
export function computeEquity(
  balances: Record<string, BalanceEntry>,
  priceOf: (asset: string) => string | undefined,
): Equity {
  let total: Dec = ZERO;
  const missing: string[] = [];
  const perAsset: AssetValue[] = [];
  for (const asset of Object.keys(balances).sort()) {
    const amount = parseDecimal(balances[asset]?.total ?? "");
    if (!amount) {
      perAsset.push({ asset, value: null });
      missing.push(asset);
      continue;
    }
    let value: Dec | null = null;
    if (asset === VALUATION_ASSET) value = amount;
    else {
      const p = priceOf(asset);
      const px = p === undefined ? null : parseDecimal(p);
      if (px) value = mulDec(amount, px);
    }
    if (value === null) {
      if (amount.units !== 0n) missing.push(asset);
    } else total = addDec(total, value);
    perAsset.push({ asset, value });
  }
  return { total, missing, perAsset };
}

/** A value rounded to cents (half away from zero) for display and storage. */
export function toCents(d: Dec): bigint {
  return rescale(d, USD_DECIMALS, "nearest") ?? 0n;
}

/** PnL and its percentage against the starting equity (null when unknown). */
export function pnl(now: Dec, start: Dec | null): { abs: Dec; pct: number } | null {
  if (!start || start.units === 0n) return null;
  const abs = subDec(now, start);
  // The percentage is for display only; the ratio is taken exactly in millionths first.
  const scale = Math.max(abs.scale, start.scale);
  const a = rescale(abs, scale) ?? 0n;
  const s = rescale(start, scale) ?? 1n;
  const pct = Number((a * 1_000_000n) / s) / 10_000;
  return { abs, pct };
}
