import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Level } from "../src/book/book";
import { depthOf } from "../src/book/depth";

// Prices in ticks of 0.01, quantities in lots of 0.0001.
const lv = (px: bigint, qty: bigint): Level => ({ px, qty, pxText: "", qtyText: "" });

describe("depthOf", () => {
  it("sums each side outward from the best price", () => {
    const d = depthOf([lv(9990n, 10000n), lv(9980n, 5000n)], [lv(10010n, 20000n), lv(10020n, 5000n)], 2, 4);
    assert.ok(d);
    assert.deepEqual(d.bids, [
      { px: 99.9, cum: 1 },
      { px: 99.8, cum: 1.5 },
    ]);
    assert.deepEqual(d.asks, [
      { px: 100.1, cum: 2 },
      { px: 100.2, cum: 2.5 },
    ]);
    assert.equal(d.mid, 100);
    assert.equal(d.lo, 99.8);
    assert.equal(d.hi, 100.2);
    assert.equal(d.maxCum, 2.5);
    assert.equal(d.bidTotal, 15000n);
    assert.equal(d.askTotal, 25000n);
  });

  it("draws both sides as deep as the shallower one reaches", () => {
    // Bids reach 0.30 below the mid, asks only 0.10 above: the range is ±0.10.
    const d = depthOf(
      [lv(9995n, 1n), lv(9990n, 1n), lv(9970n, 1n)],
      [lv(10005n, 1n), lv(10010n, 1n)],
      2,
      0,
    );
    assert.ok(d);
    assert.equal(d.mid, 100);
    assert.equal(d.lo, 99.9);
    assert.equal(d.hi, 100.1);
    assert.deepEqual(d.bids.map((p) => p.px), [99.95, 99.9]); // 99.70 is outside
    assert.equal(d.bidTotal, 2n);
    assert.equal(d.maxCum, 2);
  });

  it("keeps a mid between two ticks exact", () => {
    const d = depthOf([lv(9999n, 1n), lv(9998n, 1n)], [lv(10000n, 1n), lv(10001n, 1n)], 2, 0);
    assert.ok(d);
    assert.equal(d.mid, 99.995);
    assert.equal(d.lo, 99.98);
    assert.equal(d.hi, 100.01);
  });

  it("takes a one-sided book's own extent", () => {
    const d = depthOf([], [lv(10010n, 2n), lv(10030n, 3n)], 2, 0);
    assert.ok(d);
    assert.equal(d.bids.length, 0);
    assert.equal(d.asks.length, 2);
    assert.equal(d.hi, 100.3);
    assert.equal(d.maxCum, 5);
  });

  it("is null for an empty book", () => {
    assert.equal(depthOf([], [], 2, 4), null);
  });
});
