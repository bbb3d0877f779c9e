import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FillMsg, OrderMsg } from "../src/protocol/types";
import { FillList, OrderHistory, isTerminal, remainingOf } from "../src/trader/history";

const order = (o: Partial<OrderMsg>): OrderMsg => ({
  t: "order", oid: 1, cid: "c", s: "BTC-USD", side: "buy", type: "limit", tif: "gtc", post_only: false,
  px: "100.00", qty: "1.0000", filled: "0.0000", avg_px: "", status: "canceled", seq: 1, ts: 1000, ...o,
});

const fill = (f: Partial<FillMsg>): FillMsg => ({
  t: "fill", oid: 1, cid: "c", trade_id: 1, s: "BTC-USD", side: "buy", px: "100.00", qty: "0.1000", liq: "maker",
  seq: 1, ts: 1000, ...f,
});

describe("OrderHistory", () => {
  it("keeps ended orders only, newest first", () => {
    const h = new OrderHistory();
    assert.equal(h.add(order({ oid: 1, status: "new", ts: 500 })), false);
    h.add(order({ oid: 2, status: "filled", ts: 2000, seq: 5 }));
    h.add(order({ oid: 3, status: "expired", reason: "ioc_remainder", ts: 3000, seq: 9 }));
    h.add(order({ oid: 4, status: "canceled", ts: 1000, seq: 3 }));
    assert.deepEqual(h.list().map((o) => o.oid), [3, 2, 4]);
  });

  it("merges the REST answer with live messages without duplicates, the higher seq winning", () => {
    const h = new OrderHistory();
    const live = order({ oid: 7, status: "filled", filled: "1.0000", seq: 12, ts: 5000 });
    h.add(live);
    const v = h.version;
    assert.equal(h.add(order({ oid: 7, status: "filled", filled: "1.0000", seq: 12, ts: 5000 })), false);
    assert.equal(h.version, v);
    // An older message of the same order (from a stale source) does not replace it.
    assert.equal(h.add(order({ oid: 7, status: "canceled", seq: 10, ts: 4000 })), false);
    assert.equal(h.list()[0]?.status, "filled");
    assert.equal(h.size, 1);
  });

  it("keys rejected orders (oid 0) by their seq", () => {
    const h = new OrderHistory();
    h.add(order({ oid: 0, status: "rejected", reason: "price_band", seq: 4, ts: 100 }));
    h.add(order({ oid: 0, status: "rejected", reason: "price_band", seq: 4, ts: 100 })); // the same, from REST
    h.add(order({ oid: 0, status: "rejected", reason: "insufficient_funds", seq: 6, ts: 200 }));
    assert.deepEqual(h.list().map((o) => o.reason), ["insufficient_funds", "price_band"]);
  });

  it("orders by time, then by seq when the time is the same", () => {
    const h = new OrderHistory();
    h.add(order({ oid: 1, ts: 100, seq: 2 }), order({ oid: 2, ts: 100, seq: 3 }));
    assert.deepEqual(h.list().map((o) => o.oid), [2, 1]);
  });

  it("is capped, dropping the oldest", () => {
    const h = new OrderHistory(3);
    for (let i = 1; i <= 5; i++) h.add(order({ oid: i, ts: i * 10, seq: i }));
    assert.deepEqual(h.list().map((o) => o.oid), [5, 4, 3]);
    h.clear();
    assert.equal(h.size, 0);
  });
});

describe("FillList", () => {
  it("deduplicates by order and trade, newest first, capped", () => {
    const f = new FillList(3);
    assert.ok(f.add(fill({ oid: 1, trade_id: 10, ts: 100 })));
    assert.ok(f.add(fill({ oid: 2, trade_id: 10, ts: 100, seq: 2 }))); // a self-trade: two fills of one trade
    assert.equal(f.add(fill({ oid: 1, trade_id: 10, ts: 100 })), false);
    f.add(fill({ oid: 1, trade_id: 11, ts: 300, seq: 3 }), fill({ oid: 1, trade_id: 11, ts: 300, seq: 3 }));
    assert.deepEqual(f.list().map((x) => `${x.oid}:${x.trade_id}`), ["1:11", "2:10", "1:10"]);
    f.add(fill({ oid: 1, trade_id: 12, ts: 400, seq: 4 }));
    assert.deepEqual(f.list().map((x) => x.trade_id), [12, 11, 10]);
    assert.equal(f.size, 3);
  });
});

describe("remainingOf and isTerminal", () => {
  it("subtracts exactly with the quantity's decimals", () => {
    assert.equal(remainingOf({ qty: "0.2000", filled: "0.1500" }), "0.0500");
    assert.equal(remainingOf({ qty: "631", filled: "0" }), "631");
    assert.equal(remainingOf({ qty: "1.0000", filled: "1.0000" }), "0.0000");
  });
  it("knows the final statuses", () => {
    for (const s of ["filled", "canceled", "expired", "rejected"]) assert.ok(isTerminal(s));
    for (const s of ["new", "partially_filled"]) assert.ok(!isTerminal(s));
  });
});
