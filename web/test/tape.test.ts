import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TradeList, toTapeTrade, type TapeTrade } from "../src/trader/tape";

const t = (id: number): TapeTrade => ({ id, px: "1.00", qty: "1.0000", side: "buy", tsMs: id });

describe("TradeList", () => {
  it("appends live trades and drops duplicates", () => {
    const l = new TradeList(10);
    assert.ok(l.add(t(1)));
    assert.ok(l.add(t(2)));
    assert.ok(!l.add(t(2)));
    assert.ok(!l.add(t(1)));
    assert.deepEqual(l.newest(5).map((x) => x.id), [2, 1]);
    assert.equal(l.appended, 2);
  });

  it("merges REST history with live trades by id", () => {
    const l = new TradeList(10);
    l.add(t(5));
    l.add(t(6));
    l.merge([t(3), t(4), t(5)]);
    assert.deepEqual(l.newest(10).map((x) => x.id), [6, 5, 4, 3]);
    assert.equal(l.lastId, 6);
  });

  it("stays capped however many trades arrive", () => {
    const l = new TradeList(100);
    for (let i = 1; i <= 10_000; i++) l.add(t(i));
    assert.ok(l.size <= 125, `size ${l.size}`);
    assert.equal(l.lastId, 10_000);
    l.merge(Array.from({ length: 500 }, (_, i) => t(20_000 + i)));
    assert.equal(l.size, 100);
  });

  it("inserts a late older trade in order", () => {
    const l = new TradeList(10);
    l.add(t(1));
    l.add(t(3));
    assert.ok(l.add(t(2)));
    assert.deepEqual(l.newest(10).map((x) => x.id), [3, 2, 1]);
  });
});

describe("toTapeTrade", () => {
  it("reads a trade message", () => {
    assert.deepEqual(
      toTapeTrade({ t: "trade", id: 77, px: "64250.50", qty: "0.1250", side: "sell", ts: 1_700_000_000_000_000_000 }),
      { id: 77, px: "64250.50", qty: "0.1250", side: "sell", tsMs: 1_700_000_000_000 },
    );
  });
  it("accepts bigint integers", () => {
    assert.equal(toTapeTrade({ id: 5n, px: "1", qty: "1", side: "buy", ts: 0n })?.id, 5);
  });
  it("refuses incomplete items", () => {
    assert.equal(toTapeTrade({ id: 1, px: 1, qty: "1" }), null);
    assert.equal(toTapeTrade(null), null);
  });
});
