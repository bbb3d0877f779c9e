import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseDecimal, type Dec } from "../src/lib/decimal";
import { keepsPriority } from "../src/trader/orders";
import { affordableLots, bandLimits, floorDiv, sweep } from "../src/trader/estimate";

const dec = (s: string): Dec => parseDecimal(s) as Dec;
// Asks best first, prices in ticks of 0.01, quantities in lots of 0.0001.
const asks = [
  { px: 6001000n, qty: 1000n }, // 60010.00 × 0.1000
  { px: 6002000n, qty: 2000n }, // 60020.00 × 0.2000
];
const bids = [
  { px: 5999000n, qty: 500n },
  { px: 5998000n, qty: 5000n },
];

describe("sweep", () => {
  it("walks the asks for a buy", () => {
    const s = sweep(asks, 2000n, "buy");
    assert.deepEqual(s, { qty: 2000n, notional: 1000n * 6001000n + 1000n * 6002000n, complete: true });
  });
  it("walks the bids for a sell", () => {
    const s = sweep(bids, 1000n, "sell");
    assert.equal(s.qty, 1000n);
    assert.equal(s.notional, 500n * 5999000n + 500n * 5998000n);
  });
  it("says when the book is too thin", () => {
    const s = sweep(asks, 5000n, "buy");
    assert.equal(s.qty, 3000n);
    assert.equal(s.complete, false);
  });
  it("stops at the limit (the band for a market order)", () => {
    assert.equal(sweep(asks, 3000n, "buy", 6001000n).qty, 1000n);
    assert.equal(sweep(bids, 3000n, "sell", 5999000n).qty, 500n);
  });
});

describe("bandLimits", () => {
  it("is last ± floor(last × pct / 100), in ticks", () => {
    // protocol.md 8.9: 60030.00 and 10 % → 54027.00 … 66033.00.
    assert.deepEqual(bandLimits(6003000n, "10"), { lo: 5402700n, hi: 6603300n });
    // 2.5 % of 1.08000 (ticks of 0.00001): floor(108000 × 2.5 / 100) = 2700.
    assert.deepEqual(bandLimits(108000n, "2.5"), { lo: 105300n, hi: 110700n });
    assert.equal(bandLimits(100n, "x"), null);
  });
});

describe("affordableLots", () => {
  const lot = dec("0.0001");
  it("buys what the quote balance pays for at the price, rounded down to the lot", () => {
    // 100000.000000 USD at 60000.00: 1.6666 BTC.
    assert.equal(affordableLots(dec("100000.000000"), "buy", lot, dec("60000.00"), 100), 16666n);
    assert.equal(affordableLots(dec("100000.000000"), "buy", lot, dec("60000.00"), 25), 4166n);
  });
  it("sells what the base balance holds", () => {
    assert.equal(affordableLots(dec("1.6666"), "sell", lot, null, 50), 8333n);
    assert.equal(affordableLots(dec("666666"), "sell", dec("1"), null, 100), 666666n);
  });
  it("is capped by the maximum size and zero without a price", () => {
    assert.equal(affordableLots(dec("1000000000.00"), "buy", lot, dec("1.00"), 100, 1_000_000n), 1_000_000n);
    assert.equal(affordableLots(dec("100.00"), "buy", lot, null, 100), 0n);
  });
  it("floorDiv is exact across scales", () => {
    assert.equal(floorDiv(dec("10.00"), dec("3")), 3n);
    assert.equal(floorDiv(dec("0.99"), dec("0.33")), 3n);
    assert.equal(floorDiv(dec("1"), dec("0")), 0n);
  });
});

describe("keepsPriority", () => {
  const o = { px: "60000.00", qty: "0.5000" };
  it("only a lower (or equal) quantity at the same price keeps the queue place", () => {
    assert.ok(keepsPriority(o, "60000.00", "0.4000"));
    assert.ok(keepsPriority(o, "60000.00", "0.5"));
    assert.ok(!keepsPriority(o, "60000.00", "0.6000"));
    assert.ok(!keepsPriority(o, "59999.99", "0.4000"));
  });
});
