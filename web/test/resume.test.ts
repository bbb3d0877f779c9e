import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ResumeState } from "../src/net/resume";
import { Backoff } from "../src/lib/backoff";

describe("ResumeState", () => {
  it("plans nothing to resume before any message", () => {
    const r = new ResumeState();
    r.welcome("e1");
    assert.deepEqual(r.plan(["book:BTC-USD", "trades:BTC-USD"]), {
      since: {},
      fresh: ["book:BTC-USD", "trades:BTC-USD"],
    });
  });

  it("resumes every stream from its last acknowledged seq", () => {
    const r = new ResumeState();
    r.welcome("e1");
    r.ack("trades:BTC-USD", 5);
    r.ack("trades:BTC-USD", 6);
    r.ack("book:BTC-USD", 42);
    r.welcome("e1"); // reconnect, same history
    assert.deepEqual(r.plan(["book:BTC-USD", "trades:BTC-USD", "ticker:ETH-USD"]), {
      epoch: "e1",
      since: { "book:BTC-USD": 42, "trades:BTC-USD": 6 },
      fresh: ["ticker:ETH-USD"],
    });
  });

  it("sends the previous epoch even when the new welcome names another", () => {
    const r = new ResumeState();
    r.welcome("e1");
    r.ack("trades:BTC-USD", 9);
    r.welcome("e2"); // server restarted: it will answer reset epoch_changed
    const p = r.plan(["trades:BTC-USD"]);
    assert.equal(p.epoch, "e1");
    assert.deepEqual(p.since, { "trades:BTC-USD": 9 });
  });

  it("does not mix epochs: streams of an older epoch start fresh", () => {
    const r = new ResumeState();
    r.welcome("e1");
    r.ack("trades:BTC-USD", 9);
    r.welcome("e2");
    r.ack("book:BTC-USD", 3); // seen on the new history
    const p = r.plan(["trades:BTC-USD", "book:BTC-USD"]);
    assert.equal(p.epoch, "e2");
    assert.deepEqual(p.since, { "book:BTC-USD": 3 });
    assert.deepEqual(p.fresh, ["trades:BTC-USD"]);
    assert.equal(r.position("trades:BTC-USD"), undefined);
  });

  it("forget makes a stream fresh (resync, reset)", () => {
    const r = new ResumeState();
    r.welcome("e1");
    r.ack("book:BTC-USD", 42);
    r.forget("book:BTC-USD");
    assert.deepEqual(r.plan(["book:BTC-USD"]).fresh, ["book:BTC-USD"]);
  });

  it("ignores acks before the first welcome", () => {
    const r = new ResumeState();
    r.ack("book:BTC-USD", 1);
    assert.equal(r.position("book:BTC-USD"), undefined);
  });

  it("tells a restarted history (seq back, data newer) from a duplicate", () => {
    const r = new ResumeState();
    r.welcome("e1");
    r.ack("trades:BTC-USD", 500, 2_000);
    assert.equal(r.restarted("trades:BTC-USD", 499, 1_999), false); // old duplicate
    assert.equal(r.restarted("trades:BTC-USD", 500, 2_000), false); // the same message
    assert.equal(r.restarted("trades:BTC-USD", 3, 5_000), true); // new history, same epoch
    assert.equal(r.restarted("trades:BTC-USD", 501, 5_000), false); // simply the next one
    assert.equal(r.restarted("book:BTC-USD", 1, 5_000), false); // unknown stream
  });

  it("reports a stream's position with its epoch", () => {
    const r = new ResumeState();
    r.welcome("abc_-1");
    r.ack("candles.1m:ETH-USD", 77);
    assert.deepEqual(r.position("candles.1m:ETH-USD"), { seq: 77, epoch: "abc_-1", ts: undefined });
  });
});

describe("Backoff", () => {
  it("grows exponentially with jitter in [½, 1] of the cap, up to the maximum", () => {
    const lo = new Backoff({ baseMs: 100, maxMs: 1000, random: () => 0 });
    const hi = new Backoff({ baseMs: 100, maxMs: 1000, random: () => 0.999999 });
    const los = Array.from({ length: 6 }, () => lo.next());
    const his = Array.from({ length: 6 }, () => hi.next());
    assert.deepEqual(los, [50, 100, 200, 400, 500, 500]);
    assert.deepEqual(his, [100, 200, 400, 800, 1000, 1000]);
  });
  it("respects a floor and resets", () => {
    const b = new Backoff({ baseMs: 100, random: () => 0 });
    assert.equal(b.next(5000), 5000);
    assert.equal(b.attempts, 1);
    b.reset();
    assert.equal(b.attempts, 0);
    assert.equal(b.next(), 50);
  });
});
