import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sparkSeed, spreadOf } from "../src/viewer/board";

describe("spreadOf", () => {
  it("is ask − bid with the prices' decimals", () => {
    assert.equal(spreadOf("59999.28", "59999.30"), "0.02");
    assert.equal(spreadOf("0.15002", "0.15005"), "0.00003");
    assert.equal(spreadOf(undefined, "1.00"), "");
  });
});

describe("sparkSeed", () => {
  const s = (sec: number) => sec * 1e9;
  it("takes one close per second, carrying it through seconds without trades", () => {
    const candles = [
      { start: s(95), c: "1.00" },
      { start: s(97), c: "1.50" },
      { start: s(100), c: "2.00" },
    ];
    // The 6 seconds up to t = 100.4 s: 95 … 100.
    assert.deepEqual(sparkSeed(candles, 100_400, 6), [1, 1, 1.5, 1.5, 1.5, 2]);
  });
  it("leaves out seconds before the first candle and ignores malformed items", () => {
    assert.deepEqual(sparkSeed([{ start: s(99), c: "3.25" }, { start: "x", c: "1" }, null], 100_000, 4), [3.25, 3.25]);
    assert.deepEqual(sparkSeed([], 100_000, 4), []);
  });
});
