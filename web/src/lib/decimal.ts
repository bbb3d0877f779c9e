// Decimal numbers as scaled integers. Prices, quantities and balances travel as strings
// ("64250.50") and are held as bigint "units" of 10^-decimals, never as binary floats, so
// 0.1 + 0.2 is exactly 0.3 and a price is always an exact multiple of its tick.
// Floats appear only where something is drawn (chart, depth bars, sparklines).

/** A decimal value: units × 10^-scale. */
export interface Dec {
  readonly units: bigint;
  readonly scale: number;
}

/** Rounding of a value that does not fit the target precision. */
export type Rounding = "down" | "up" | "nearest";

const PLAIN = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/** The longest decimal string the protocol accepts from clients. */
export const MAX_DECIMAL_LEN = 32;

const pow10Cache: bigint[] = [];

/** 10^n as a bigint (n ≥ 0). */
export function pow10(n: number): bigint {
  let p = pow10Cache[n];
  if (p === undefined) {
    p = 10n ** BigInt(n);
    if (n < 64) pow10Cache[n] = p;
  }
  return p;
}

/**
 * The number of decimals written in a step such as a tick or lot: "0.01" → 2, "0.0001" → 4,
 * "1" → 0, "0.50" → 2. The server formats values with exactly this many decimals.
 */
export function decimalsOf(step: string): number {
  const dot = step.indexOf(".");
  return dot < 0 ? 0 : step.length - dot - 1;
}

/**
 * Parses a plain decimal string (optional sign, digits, optional fraction; no exponent, no
 * separators). Returns null for anything else, including an empty string or a lone ".".
 */
export function parseDecimal(s: string): Dec | null {
  const m = PLAIN.exec(s);
  if (!m) return null;
  const sign = m[1] ?? "";
  const int = m[2] ?? "";
  const frac = m[3] ?? "";
  if (int === "" && frac === "") return null;
  const digits = (int + frac).replace(/^0+(?=\d)/, "") || "0";
  let units = BigInt(digits);
  if (sign === "-") units = -units;
  return { units, scale: frac.length };
}

/** Integer division of n by d (d > 0) rounded as asked; "nearest" rounds halves away from zero. */
export function divRound(n: bigint, d: bigint, mode: Rounding): bigint {
  if (d <= 0n) throw new RangeError("divRound: divisor must be positive");
  const q = n / d; // truncates toward zero
  const r = n - q * d;
  if (r === 0n) return q;
  switch (mode) {
    case "down": // toward −∞
      return n < 0n ? q - 1n : q;
    case "up": // toward +∞
      return n < 0n ? q : q + 1n;
    case "nearest": {
      const twice = (r < 0n ? -r : r) * 2n;
      if (twice >= d) return n < 0n ? q - 1n : q + 1n;
      return q;
    }
  }
}

/**
 * Re-expresses d with `scale` decimals. Returns null when that loses a non-zero digit and
 * no rounding was asked for.
 */
export function rescale(d: Dec, scale: number, mode?: Rounding): bigint | null {
  if (d.scale === scale) return d.units;
  if (d.scale < scale) return d.units * pow10(scale - d.scale);
  const div = pow10(d.scale - scale);
  if (mode === undefined) {
    return d.units % div === 0n ? d.units / div : null;
  }
  return divRound(d.units, div, mode);
}

/**
 * Parses s into units of 10^-decimals, exactly: "64250.5" with 2 decimals → 6425050n.
 * Returns null when s is not a plain decimal or has non-zero digits beyond `decimals`.
 */
export function parseScaled(s: string, decimals: number): bigint | null {
  const d = parseDecimal(s);
  return d === null ? null : rescale(d, decimals);
}

/** Formats units of 10^-decimals with exactly `decimals` decimals: (6425050n, 2) → "64250.50". */
export function formatScaled(units: bigint, decimals: number): string {
  const neg = units < 0n;
  let digits = (neg ? -units : units).toString();
  if (decimals > 0) {
    if (digits.length <= decimals) digits = "0".repeat(decimals - digits.length + 1) + digits;
    const cut = digits.length - decimals;
    digits = digits.slice(0, cut) + "." + digits.slice(cut);
  }
  return neg ? "-" + digits : digits;
}

/** Formats a Dec with its own scale. */
export function formatDec(d: Dec): string {
  return formatScaled(d.units, d.scale);
}

/** Rounds units to a whole multiple of step (both in the same scale, step > 0). */
export function roundToStep(units: bigint, step: bigint, mode: Rounding): bigint {
  return divRound(units, step, mode) * step;
}

/** Whether units is a whole multiple of step. */
export function isMultiple(units: bigint, step: bigint): boolean {
  return step > 0n && units % step === 0n;
}

/** a + b, exact, in the larger of the two scales. */
export function addDec(a: Dec, b: Dec): Dec {
  const scale = Math.max(a.scale, b.scale);
  return {
    units: (rescale(a, scale) ?? 0n) + (rescale(b, scale) ?? 0n),
    scale,
  };
}

/** a − b, exact. */
export function subDec(a: Dec, b: Dec): Dec {
  return addDec(a, { units: -b.units, scale: b.scale });
}

/** a × b, exact (the scales add). */
export function mulDec(a: Dec, b: Dec): Dec {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

/** Compares a and b: −1, 0 or 1. */
export function cmpDec(a: Dec, b: Dec): number {
  const d = subDec(a, b).units;
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** The Dec zero. */
export const ZERO: Dec = { units: 0n, scale: 0 };

/**
 * A float approximation of units × 10^-decimals, for drawing only (chart, bars, sparklines).
 * Never feed the result back into prices or quantities.
 */
export function toNumber(units: bigint, decimals: number): number {
  return Number(units) / 10 ** decimals;
}

/** A float approximation of a decimal string, for drawing only; NaN when not a decimal. */
export function floatOf(s: string): number {
  const d = parseDecimal(s);
  return d === null ? Number.NaN : toNumber(d.units, d.scale);
}

/** Inserts thousands separators into a formatted decimal: "1234567.50" → "1,234,567.50". */
export function groupThousands(s: string, sep = ","): string {
  const neg = s.startsWith("-");
  const body = neg ? s.slice(1) : s;
  const dot = body.indexOf(".");
  const int = dot < 0 ? body : body.slice(0, dot);
  const rest = dot < 0 ? "" : body.slice(dot);
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  return (neg ? "-" : "") + grouped + rest;
}

/**
 * Drops trailing fractional zeros beyond `minDecimals` (display only; the value is
 * unchanged): ("100000.000000", 2) → "100000.00", ("1.2500", 2) → "1.25", ("7", 2) → "7".
 */
export function trimZeros(s: string, minDecimals: number): string {
  const dot = s.indexOf(".");
  if (dot < 0) return s;
  let end = s.length;
  const keep = dot + 1 + minDecimals;
  while (end > keep && s.charCodeAt(end - 1) === 48 /* 0 */) end--;
  if (end === dot + 1) end = dot; // "5." → "5"
  return s.slice(0, end);
}

/** Validation failure of user input, named after the server's reject reason it anticipates. */
export type InputProblem = "invalid" | "too_long" | "not_positive" | "step";

/** The outcome of reading a user-typed price or quantity against a step. */
export type StepInput =
  | { ok: true; units: bigint; text: string }
  | { ok: false; problem: InputProblem; nearest?: bigint };

/**
 * Reads a user-typed amount for a field whose values must be multiples of `step`, itself
 * written with `decimals` decimals (tick or lot). Surrounding spaces are ignored; commas,
 * exponents and signs are refused. On success `text` is the canonical wire form.
 */
export function readStepInput(raw: string, step: bigint, decimals: number): StepInput {
  const s = raw.trim();
  if (s.length > MAX_DECIMAL_LEN) return { ok: false, problem: "too_long" };
  if (!/^\d*\.?\d*$/.test(s)) return { ok: false, problem: "invalid" };
  const d = parseDecimal(s);
  if (d === null) return { ok: false, problem: "invalid" };
  if (d.units <= 0n) return { ok: false, problem: "not_positive" };
  const exact = rescale(d, decimals);
  if (exact === null || !isMultiple(exact, step)) {
    const approx = rescale(d, decimals, "nearest") ?? 0n;
    return { ok: false, problem: "step", nearest: roundToStep(approx, step, "nearest") };
  }
  return { ok: true, units: exact, text: formatScaled(exact, decimals) };
}
