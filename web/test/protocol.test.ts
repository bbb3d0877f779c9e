import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Encoder } from "@msgpack/msgpack";
import { checkMessage, decodeJSON } from "../src/protocol/check";
import { decodeFrame, encodeOp } from "../src/protocol/codec";
import { Decoder } from "@msgpack/msgpack";
import { asList } from "../src/net/rest";
import { ClockOffset, LatencyStats } from "../src/lib/latency";

describe("codec", () => {
  it("encodes operations as msgpack maps", () => {
    const op = encodeOp({ op: "subscribe", id: 1, channels: ["book"], symbols: ["BTC-USD"], since: { "book:BTC-USD": 42 }, epoch: "e1" });
    assert.deepEqual(new Decoder().decode(op), {
      op: "subscribe",
      id: 1,
      channels: ["book"],
      symbols: ["BTC-USD"],
      since: { "book:BTC-USD": 42 },
      epoch: "e1",
    });
  });

  it("omits undefined fields", () => {
    const loose = { op: "order", cid: "c1", s: "BTC-USD", side: "buy", type: "market", qty: "1", px: undefined };
    const op = encodeOp(loose as unknown as Parameters<typeof encodeOp>[0]);
    assert.ok(!("px" in (new Decoder().decode(op) as object)));
  });

  it("decodes a frame with 64-bit integers as numbers", () => {
    const enc = new Encoder({ useBigInt64: true });
    const frame = enc.encode({
      t: "trade", ch: "trades", s: "BTC-USD", seq: 1, off: 9, id: 77,
      px: "64250.50", qty: "0.1250", side: "buy", ts: 1_795_476_614_529_623_617n,
    });
    const m = decodeFrame(frame);
    assert.ok(m && m.t === "trade");
    assert.equal(typeof m.ts, "number");
    assert.ok(Math.abs(m.ts - 1.795476614529623617e18) < 1e3);
  });

  it("drops garbage and messages missing required fields", () => {
    assert.equal(decodeFrame(new Uint8Array([0xc1])), null);
    assert.equal(decodeFrame(new Encoder().encode([1, 2])), null);
    assert.equal(decodeFrame(new Encoder().encode({ t: "trade", ch: "trades", s: "X" })), null);
    assert.equal(decodeFrame(new Encoder().encode({ t: "book", ch: "book", s: "X", seq: 1, off: 1, ts: 1, cs: 1, bids: [[1, 2]] })), null);
    assert.equal(decodeFrame(new Encoder().encode({ t: "brand_new" })), null);
  });

  it("ignores unknown keys and fills absent book sides", () => {
    const m = checkMessage({ t: "book", ch: "book", s: "X", seq: 2, off: 3, ts: 4, cs: 5, bids: [["1.00", "1.0000"]], extra: { a: 1 } });
    assert.ok(m && m.t === "book");
    assert.deepEqual(m.asks, []);
  });

  it("parses SSE JSON", () => {
    const m = decodeJSON('{"t":"ticker","ch":"ticker","s":"BTC-USD","seq":9,"off":123,"last":"64250.50","open":"63000.00","high":"64900.00","low":"62950.00","vol":"1532.2000","change":"1.98","ts":1}');
    assert.ok(m && m.t === "ticker" && m.last === "64250.50");
    assert.equal(decodeJSON("{nope"), null);
  });
});

describe("asList", () => {
  it("accepts a bare array, an envelope or a map by symbol", () => {
    assert.deepEqual(asList([1, 2]), [1, 2]);
    assert.deepEqual(asList({ trades: [1] }, "trades"), [1]);
    assert.deepEqual(asList({ "BTC-USD": { s: "BTC-USD" } }), [{ s: "BTC-USD" }]);
    assert.deepEqual(asList(null), []);
  });
});

describe("LatencyStats", () => {
  it("keeps a bounded window and computes percentiles", () => {
    const s = new LatencyStats(100);
    for (let i = 1; i <= 1000; i++) s.add(i % 100 === 0 ? 100 : 1);
    assert.equal(s.size, 100);
    assert.equal(s.percentile(50), 1);
    assert.equal(s.percentile(99), 1);
    assert.equal(s.percentile(100), 100);
  });
  it("smooths", () => {
    const s = new LatencyStats(10, 0.5);
    s.add(10);
    s.add(20);
    assert.equal(s.smoothed, 15);
    s.add(Number.NaN);
    assert.equal(s.size, 2);
  });
});

describe("ClockOffset", () => {
  it("trusts the sample with the smallest round trip", () => {
    const c = new ClockOffset();
    c.add(0, 100, 1050); // rtt 100, offset 1000
    c.add(200, 210, 1205); // rtt 10, offset 1000
    c.add(300, 500, 2000); // rtt 200, offset 1600 (asymmetric, ignored)
    assert.equal(c.offsetMs, 1000);
    assert.equal(c.rttMs, 10);
  });
});
