import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bookChecksum } from "../src/book/checksum";
import type { Connection } from "../src/net/connection";
import type { BookDeltaMsg, BookSnapshotMsg, Instrument, TradeMsg, WireLevel } from "../src/protocol/types";
import type { CandleChart } from "../src/trader/chart";
import type { Ladder } from "../src/trader/ladder";
import { Market } from "../src/trader/market";
import { TradeList, type TapeView } from "../src/trader/tape";
import { FakeConn, stubFetch, tick } from "./fakes";

const inst: Instrument = {
  s: "BTC-USD", base: "BTC", quote: "USD", tick: "0.01", lot: "0.0001",
  min_qty: "0.0001", max_qty: "100.0000", band_pct: "10", ref: "100.00",
};

function setup() {
  const conn = new FakeConn();
  conn.isLive = false; // history loads at once, no fallback timers
  const fetches = stubFetch((_m, url) => {
    if (url.startsWith("/api/v1/trades/")) return [{ id: 1, px: "100.00", qty: "1.0000", side: "buy", ts: 1 }];
    if (url.startsWith("/api/v1/candles/")) return [];
    return [];
  });
  const ladderStates: string[] = [];
  const chartCalls: string[] = [];
  const ladder = { setBook() {}, setState: (s: string) => ladderStates.push(s), invalidate() {} };
  const chart = {
    clear: () => chartCalls.push("clear"),
    setInstrument() {},
    beginHistory: () => chartCalls.push("begin"),
    setHistory: () => chartCalls.push("history"),
    setNote() {},
    push: () => chartCalls.push("push"),
  };
  const trades = new TradeList();
  const market = new Market(conn as unknown as Connection, new Map([[inst.s, inst]]), trades, {
    ladder: ladder as unknown as Ladder,
    tape: { invalidate() {} } as unknown as TapeView,
    chart: chart as unknown as CandleChart,
    ticker() {},
    book() {},
  });
  market.select("BTC-USD");
  conn.isLive = true;
  return { conn, market, trades, fetches, ladderStates, chartCalls };
}

const lv = (l: WireLevel) => ({ pxText: l[0], qtyText: l[1] });
function snap(seq: number, bids: WireLevel[], asks: WireLevel[]): BookSnapshotMsg {
  return { t: "book_snapshot", ch: "book", s: "BTC-USD", seq, off: seq, ts: 0, bids, asks, cs: bookChecksum(asks.map(lv), bids.map(lv)) };
}
function delta(seq: number, bids: WireLevel[], asks: WireLevel[], cs: number): BookDeltaMsg {
  return { t: "book", ch: "book", s: "BTC-USD", seq, off: seq, ts: 0, bids, asks, cs };
}
const trade = (seq: number, id: number): TradeMsg => ({
  t: "trade", ch: "trades", s: "BTC-USD", seq, off: seq, ts: 0, id, px: "100.00", qty: "1.0000", side: "sell",
});

describe("Market", () => {
  it("subscribes to book, trades and candles of the selected instrument and loads history", async () => {
    const { conn, fetches, trades } = setup();
    assert.deepEqual(conn.calls, ["subscribe book,trades,candles.1m BTC-USD"]);
    await tick(5);
    assert.ok(fetches.some((f) => f.startsWith("GET /api/v1/trades/BTC-USD?limit=")));
    assert.ok(fetches.some((f) => f.startsWith("GET /api/v1/candles/BTC-USD?interval=1m&limit=")));
    assert.equal(trades.size, 1);
  });

  it("applies a snapshot and deltas, acknowledging each for resume", () => {
    const { conn, market } = setup();
    const bids: WireLevel[] = [["100.00", "1.0000"]];
    const asks: WireLevel[] = [["101.00", "1.0000"]];
    market.handle(snap(10, bids, asks));
    const after = { bids: [["100.00", "2.0000"]] as WireLevel[], asks };
    market.handle(delta(11, after.bids, [], bookChecksum(asks.map(lv), after.bids.map(lv))));
    assert.equal(market.book?.seq, 11);
    assert.deepEqual(conn.resume.position("book:BTC-USD")?.seq, 11);
    assert.deepEqual(conn.calls.filter((c) => c.startsWith("resubscribe")), []);
  });

  it("resyncs the book (fresh resubscribe) on a checksum mismatch", async () => {
    const { conn, market, ladderStates } = setup();
    market.handle(snap(10, [["100.00", "1.0000"]], [["101.00", "1.0000"]]));
    market.handle(delta(11, [["100.00", "2.0000"]], [], 42));
    await tick(5);
    assert.deepEqual(conn.calls.filter((c) => c.startsWith("resubscribe")), ["resubscribe book:BTC-USD fresh"]);
    assert.equal(market.book?.synced, false);
    assert.equal(conn.resume.position("book:BTC-USD"), undefined);
    assert.ok(ladderStates.includes("resync"));
    // Deltas in flight are ignored until the new snapshot.
    market.handle(delta(12, [["100.00", "3.0000"]], [], 0));
    await tick(5);
    assert.equal(conn.calls.filter((c) => c.startsWith("resubscribe")).length, 1);
    market.handle(snap(20, [["100.00", "3.0000"]], []));
    assert.equal(market.book?.synced, true);
    assert.equal(market.resyncs, 1);
  });

  it("resyncs the book on a seq gap", async () => {
    const { conn, market } = setup();
    const asks: WireLevel[] = [["101.00", "1.0000"]];
    market.handle(snap(10, [], asks));
    market.handle(delta(12, [], [], bookChecksum(asks.map(lv), [])));
    await tick(5);
    assert.deepEqual(conn.calls.filter((c) => c.startsWith("resubscribe")), ["resubscribe book:BTC-USD fresh"]);
  });

  it("resumes trades from the last seq on a gap and drops duplicates", () => {
    const { conn, market, trades } = setup();
    market.handle(trade(5, 50));
    market.handle(trade(6, 51));
    market.handle(trade(6, 51)); // duplicate
    assert.equal(conn.resume.position("trades:BTC-USD")?.seq, 6);
    market.handle(trade(9, 54)); // gap: 7 and 8 lost
    market.handle(trade(10, 55)); // still waiting for the replay: no second resubscribe
    assert.deepEqual(conn.calls.filter((c) => c.startsWith("resubscribe")), ["resubscribe trades:BTC-USD resume"]);
    market.handle(trade(7, 52)); // replay
    assert.equal(conn.resume.position("trades:BTC-USD")?.seq, 7);
    assert.deepEqual(trades.newest(3).map((t) => t.id), [52, 51, 50]);
  });

  it("resyncs when the server's history restarted under the same epoch", async () => {
    const { conn, market, trades, fetches } = setup();
    const asks: WireLevel[] = [["101.00", "1.0000"]];
    market.handle({ ...snap(300, [], asks), ts: 1000 });
    market.handle({ ...trade(200, 900), ts: 1000 });
    // Same epoch, seq back to the start, newer data: not duplicates.
    market.handle({ ...delta(2, [], [], 0), ts: 5000 });
    await tick(5);
    assert.deepEqual(conn.calls.filter((c) => c.startsWith("resubscribe")), ["resubscribe book:BTC-USD fresh"]);
    const before = fetches.length;
    market.handle({ ...trade(2, 2), ts: 5000 });
    await tick(5);
    assert.equal(fetches.length, before + 1, "trade history reloaded");
    assert.equal(conn.resume.position("trades:BTC-USD")?.seq, 2);
    assert.ok(trades.newest(5).some((t) => t.id === 2));
    assert.ok(!trades.newest(5).some((t) => t.id === 900), "tape of the old history dropped");
  });

  it("on reset forgets the stream and reloads its history", async () => {
    const { conn, market, fetches, chartCalls } = setup();
    market.handle(trade(5, 50));
    await tick(5);
    const before = fetches.length;
    market.handle({ t: "reset", ch: "trades", s: "BTC-USD", reason: "epoch_changed" });
    market.handle({ t: "reset", ch: "candles.1m", s: "BTC-USD", reason: "history_expired" });
    assert.equal(conn.resume.position("trades:BTC-USD"), undefined);
    await tick(5);
    assert.equal(fetches.length, before + 2);
    assert.ok(chartCalls.lastIndexOf("begin") < chartCalls.lastIndexOf("history"));
  });

  it("ignores messages of another instrument (late, after a switch)", () => {
    const { conn, market } = setup();
    market.handle({ ...trade(1, 1), s: "ETH-USD" });
    assert.equal(conn.resume.position("trades:ETH-USD"), undefined);
  });

  it("keeps the newest ticker, ignoring older seqs", () => {
    const { market } = setup();
    const tk = (seq: number, last: string) => ({ t: "ticker" as const, ch: "ticker", s: "BTC-USD", seq, off: seq, ts: 0, last, open: "", high: "", low: "", vol: "", change: "" });
    market.handle(tk(5, "101.00"));
    market.handle(tk(4, "99.00"));
    assert.equal(market.tickers.get("BTC-USD")?.last, "101.00");
  });
});
