import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { aggregate, bucketOf, isInterval, rebuild, sourceOf, toBar, upsert, type Bar } from "../src/trader/candles";

const bar = (time: number, o: string, h: string, l: string, c: string, v: string): Bar => ({ time, o, h, l, c, v });
/** An hour's start (seconds): a multiple of 3600. */
const H = 1_795_478_400;

describe("intervals", () => {
  it("build 5m, 15m and 1h from 1m, and 1s from itself", () => {
    assert.equal(sourceOf("1s"), "1s");
    for (const iv of ["1m", "5m", "15m", "1h"] as const) assert.equal(sourceOf(iv), "1m");
    assert.ok(isInterval("15m"));
    assert.ok(!isInterval("2m"));
  });
  it("align buckets on multiples since the epoch", () => {
    assert.equal(bucketOf(H + 299, 300), H);
    assert.equal(bucketOf(H + 300, 300), H + 300);
    assert.equal(bucketOf(H + 3599, 3600), H);
  });
});

describe("aggregate", () => {
  const minutes = [
    bar(H, "100.00", "101.00", "99.50", "100.50", "1.0000"),
    bar(H + 60, "100.50", "102.25", "100.00", "102.00", "0.2500"),
    bar(H + 240, "102.00", "102.00", "98.75", "99.00", "2.0000"), // minutes without trades are absent
    bar(H + 300, "99.00", "99.10", "98.90", "99.05", "0.0001"),
  ];

  it("takes the first open, the last close, the extremes and the summed volume", () => {
    assert.deepEqual(aggregate(minutes, 300), [
      bar(H, "100.00", "102.25", "98.75", "99.00", "3.2500"),
      bar(H + 300, "99.00", "99.10", "98.90", "99.05", "0.0001"),
    ]);
  });

  it("compares prices as decimals, not as text", () => {
    const b = aggregate([bar(H, "9.50", "9.90", "9.10", "9.80", "1"), bar(H + 60, "9.80", "10.20", "9.70", "10.10", "2")], 300);
    assert.equal(b[0]?.h, "10.20");
    assert.equal(b[0]?.l, "9.10");
    assert.equal(b[0]?.v, "3");
  });

  it("is the identity at the source interval", () => {
    assert.deepEqual(aggregate(minutes, 60), minutes);
  });
});

describe("upsert and rebuild (live candles)", () => {
  it("appends, replaces, inserts in order, and drops what is older than the list", () => {
    const list: Bar[] = [bar(H + 60, "1", "1", "1", "1", "1")];
    assert.equal(upsert(list, bar(H + 180, "2", "2", "2", "2", "1")), 1);
    assert.equal(upsert(list, bar(H + 120, "3", "3", "3", "3", "1")), 1);
    assert.equal(upsert(list, bar(H + 180, "4", "4", "4", "4", "1")), 2);
    assert.deepEqual(list.map((b) => [b.time - H, b.o]), [[60, "1"], [120, "3"], [180, "4"]]);
    assert.equal(upsert(list, bar(H, "5", "5", "5", "5", "1")), -1);
    assert.equal(list.length, 3);
  });

  it("rebuilds the bucket of a changed minute from the minutes it holds", () => {
    const src = [
      bar(H + 540, "1.00", "1.00", "1.00", "1.00", "1"), // the previous 15 min bucket
      bar(H + 900, "2.00", "2.50", "1.90", "2.10", "1"),
      bar(H + 960, "2.10", "2.20", "2.00", "2.00", "2"),
    ];
    assert.deepEqual(rebuild(src, H + 960, 900), bar(H + 900, "2.00", "2.50", "1.90", "2.00", "3"));
    // The minute's candle updated in place (a later trade in it).
    src[2] = bar(H + 960, "2.10", "2.60", "2.00", "2.55", "3");
    assert.deepEqual(rebuild(src, H + 960, 900), bar(H + 900, "2.00", "2.60", "1.90", "2.55", "4"));
    assert.equal(rebuild(src, H + 1800, 900), null);
  });
});

describe("toBar", () => {
  it("reads REST items and candle messages, refusing malformed ones", () => {
    assert.deepEqual(toBar({ start: 1795479120000000000, o: "1.00", h: "2.00", l: "0.50", c: "1.50", v: "3" }), {
      time: 1795479120,
      o: "1.00",
      h: "2.00",
      l: "0.50",
      c: "1.50",
      v: "3",
    });
    assert.equal(toBar({ start: "x", o: "1", h: "1", l: "1", c: "1", v: "1" }), null);
    assert.equal(toBar({ start: 1, o: "1e3", h: "1", l: "1", c: "1", v: "1" }), null);
    assert.equal(toBar(null), null);
  });
});
