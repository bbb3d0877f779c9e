import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatScaled } from "../src/lib/decimal";
import { computeEquity, pnl, toCents } from "../src/trader/equity";
import { parseDecimal } from "../src/lib/decimal";

const cents = (d: { units: bigint; scale: number }) => formatScaled(toCents(d), 2);

describe("equity", () => {
  const balances = {
    USD: { total: "100000.00", available: "68000.00" },
    BTC: { total: "1.5000", available: "1.0000" },
    ETH: { total: "0.100", available: "0.100" },
  };
  const prices: Record<string, string> = { BTC: "64250.50", ETH: "3000.10" };

  it("values every asset at its USD last price, USD at 1, exactly", () => {
    const e = computeEquity(balances, (a) => prices[a]);
    // 100000.00 + 1.5 × 64250.50 + 0.1 × 3000.10 = 100000 + 96375.75 + 300.01
    assert.equal(cents(e.total), "196675.76");
    assert.deepEqual(e.missing, []);
    assert.deepEqual(
      e.perAsset.map((a) => [a.asset, a.value && cents(a.value)]),
      [["BTC", "96375.75"], ["ETH", "300.01"], ["USD", "100000.00"]],
    );
  });

  it("uses total, not available", () => {
    const e = computeEquity({ BTC: { total: "2.0000", available: "0.0000" } }, () => "10.00");
    assert.equal(cents(e.total), "20.00");
  });

  it("reports assets without a price and leaves them out", () => {
    const e = computeEquity(balances, (a) => (a === "BTC" ? prices.BTC : undefined));
    assert.deepEqual(e.missing, ["ETH"]);
    assert.equal(cents(e.total), "196375.75");
  });

  it("does not count a zero balance without a price as missing", () => {
    const e = computeEquity({ XYZ: { total: "0.00", available: "0.00" } }, () => undefined);
    assert.deepEqual(e.missing, []);
  });

  it("has no float drift on many small amounts", () => {
    const e = computeEquity({ A: { total: "0.1", available: "0" }, B: { total: "0.2", available: "0" } }, () => "1");
    assert.equal(formatScaled(e.total.units, e.total.scale), "0.3");
  });
});

describe("pnl", () => {
  it("is equity now minus equity at start, with a percentage", () => {
    const r = pnl(parseDecimal("101000.00")!, parseDecimal("100000.00"));
    assert.ok(r);
    assert.equal(cents(r.abs), "1000.00");
    assert.equal(r.pct, 1);
  });
  it("is negative on a loss", () => {
    const r = pnl(parseDecimal("99750.5")!, parseDecimal("100000.00"));
    assert.equal(cents(r!.abs), "-249.50");
    assert.equal(r!.pct, -0.2495);
  });
  it("is unknown without a start", () => {
    assert.equal(pnl(parseDecimal("1")!, null), null);
    assert.equal(pnl(parseDecimal("1")!, parseDecimal("0")), null);
  });
});
