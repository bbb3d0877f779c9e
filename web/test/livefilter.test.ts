import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LiveFilter } from "../src/net/livefilter";

describe("LiveFilter", () => {
  it("never counts a book snapshot", () => {
    const f = new LiveFilter();
    f.welcome(1000);
    assert.equal(f.live("book:BTC-USD", "book_snapshot", 5000), false);
    assert.equal(f.live("book:BTC-USD", "book", 5000), true);
  });

  it("does not count what was published before the connection (resume replays)", () => {
    const f = new LiveFilter();
    f.welcome(1000);
    assert.equal(f.live("trades:BTC-USD", "trade", 999), false);
    assert.equal(f.live("trades:BTC-USD", "trade", 1000), true);
  });

  it("does not count the latest values a later subscribe is answered with", () => {
    const f = new LiveFilter();
    f.welcome(1000);
    f.subscribed(["ticker:ETH-USD", "candles.1m:ETH-USD"], 60_000);
    // The ticker's latest value was published at 30 s: it is history, not latency.
    assert.equal(f.live("ticker:ETH-USD", "ticker", 30_000), false);
    assert.equal(f.live("candles.1m:ETH-USD", "candle", 59_999), false);
    assert.equal(f.live("ticker:ETH-USD", "ticker", 60_001), true);
    // Other streams are unaffected.
    assert.equal(f.live("ticker:BTC-USD", "ticker", 30_000), true);
  });

  it("forgets subscriptions on a new connection and on unsubscribe", () => {
    const f = new LiveFilter();
    f.welcome(1000);
    f.subscribed(["quote:BTC-USD"], 50_000);
    f.forget("quote:BTC-USD");
    assert.equal(f.live("quote:BTC-USD", "quote", 2000), true);
    f.subscribed(["quote:BTC-USD"], 50_000);
    f.welcome(3000);
    assert.equal(f.live("quote:BTC-USD", "quote", 4000), true);
    assert.equal(f.live("quote:BTC-USD", "quote", 2999), false);
  });
});
