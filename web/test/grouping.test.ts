import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { groupLevels, groupOwn, groupPrice, groupSteps } from "../src/book/grouping";

const lv = (px: bigint, qty: bigint) => ({ px, qty });

describe("groupPrice", () => {
  it("rounds bids down and asks up to the step", () => {
    assert.equal(groupPrice(6000123n, 100n, "bids"), 6000100n);
    assert.equal(groupPrice(6000123n, 100n, "asks"), 6000200n);
    assert.equal(groupPrice(6000100n, 100n, "bids"), 6000100n);
    assert.equal(groupPrice(6000100n, 100n, "asks"), 6000100n);
    assert.equal(groupPrice(6000123n, 1n, "asks"), 6000123n);
  });
});

describe("groupSteps", () => {
  it("offers the tick and its multiples by ten", () => {
    assert.deepEqual(groupSteps(1n), [1n, 10n, 100n, 1000n, 10000n]);
    assert.deepEqual(groupSteps(5n), [5n, 50n, 500n, 5000n, 50000n]);
  });
});

describe("groupLevels", () => {
  // Bids best first (descending), in ticks of 0.01: 100.05, 100.01, 99.99, 99.90, 99.89.
  const bids = [lv(10005n, 1n), lv(10001n, 2n), lv(9999n, 3n), lv(9990n, 4n), lv(9989n, 5n)];
  // Asks best first (ascending): 100.06, 100.09, 100.10, 100.11.
  const asks = [lv(10006n, 1n), lv(10009n, 2n), lv(10010n, 3n), lv(10011n, 4n)];

  it("keeps levels as they are at the tick", () => {
    assert.deepEqual(groupLevels(bids, 1n, "bids"), bids.map((l) => ({ ...l })));
  });

  it("sums bids into groups at or below their price, best first", () => {
    assert.deepEqual(groupLevels(bids, 10n, "bids"), [
      { px: 10000n, qty: 3n }, // 100.05 + 100.01
      { px: 9990n, qty: 7n }, // 99.99 + 99.90
      { px: 9980n, qty: 5n },
    ]);
  });

  it("sums asks into groups at or above their price", () => {
    assert.deepEqual(groupLevels(asks, 10n, "asks"), [
      { px: 10010n, qty: 6n }, // 100.06, 100.09, 100.10
      { px: 10020n, qty: 4n },
    ]);
  });

  it("stops at max groups", () => {
    assert.deepEqual(groupLevels(bids, 10n, "bids", { max: 2 }), [
      { px: 10000n, qty: 3n },
      { px: 9990n, qty: 7n },
    ]);
  });

  it("with through, goes as deep as that price whatever max says", () => {
    assert.deepEqual(
      groupLevels(bids, 10n, "bids", { max: 1, through: 9990n }).map((g) => g.px),
      [10000n, 9990n],
    );
    assert.deepEqual(
      groupLevels(asks, 1n, "asks", { through: 10009n }).map((g) => g.px),
      [10006n, 10009n],
    );
  });

  it("reads a generator once", () => {
    function* gen() {
      yield* bids;
    }
    assert.equal(groupLevels(gen(), 100n, "bids").length, 2);
  });
});

describe("groupOwn", () => {
  it("sums own orders per group of their side", () => {
    const m = groupOwn([lv(10005n, 1n), lv(10001n, 2n), lv(9990n, 4n)], 10n, "bids");
    assert.deepEqual([...m], [
      [10000n, 3n],
      [9990n, 4n],
    ]);
    const a = groupOwn([lv(10006n, 1n), lv(10010n, 2n)], 10n, "asks");
    assert.deepEqual([...a], [[10010n, 3n]]);
  });
});
