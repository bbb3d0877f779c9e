import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OrderBook, type BookUpdate } from "../src/book/book";
import { bookChecksum } from "../src/book/checksum";
import type { WireLevel } from "../src/protocol/types";

/** A message whose cs is that of the given resulting top-of-book, as a server would send. */
function msg(
  seq: number,
  bids: WireLevel[],
  asks: WireLevel[],
  after: { bids: WireLevel[]; asks: WireLevel[] },
): BookUpdate {
  const l = (x: WireLevel) => ({ pxText: x[0], qtyText: x[1] });
  return { seq, bids, asks, cs: bookChecksum(after.asks.map(l), after.bids.map(l)) };
}

const snapBids: WireLevel[] = [
  ["100.00", "3.0000"],
  ["99.50", "1.0000"],
];
const snapAsks: WireLevel[] = [
  ["101.00", "1.0000"],
  ["102.00", "2.0000"],
];

function synced(): OrderBook {
  const b = new OrderBook(2, 4);
  const r = b.applySnapshot(msg(41, snapBids, snapAsks, { bids: snapBids, asks: snapAsks }));
  assert.equal(r, "ok");
  return b;
}

const texts = (levels: { pxText: string; qtyText: string }[]) =>
  levels.map((l) => `${l.pxText}x${l.qtyText}`);

describe("OrderBook", () => {
  it("loads a snapshot and verifies its checksum (spec example)", () => {
    const b = new OrderBook(2, 4);
    const bids: WireLevel[] = [["100.00", "3.0000"]];
    const asks: WireLevel[] = [
      ["101.00", "1.0000"],
      ["102.00", "2.0000"],
    ];
    assert.equal(b.applySnapshot({ seq: 1, bids, asks, cs: 2060812089 }), "ok");
    assert.equal(b.seq, 1);
    assert.equal(b.checksum(), 2060812089);
  });

  it("orders bids descending and asks ascending whatever the input order", () => {
    const b = new OrderBook(2, 4);
    const bids: WireLevel[] = [
      ["99.00", "1.0000"],
      ["100.00", "1.0000"],
      ["99.50", "1.0000"],
    ];
    const asks: WireLevel[] = [
      ["103.00", "1.0000"],
      ["101.00", "1.0000"],
      ["102.00", "1.0000"],
    ];
    b.applySnapshot({ seq: 1, bids, asks, cs: 0 });
    assert.deepEqual(b.bids.top(10).map((l) => l.pxText), ["100.00", "99.50", "99.00"]);
    assert.deepEqual(b.asks.top(10).map((l) => l.pxText), ["101.00", "102.00", "103.00"]);
  });

  it("orders numerically, not as strings", () => {
    const b = new OrderBook(2, 4);
    const bids: WireLevel[] = [
      ["9.00", "1.0000"],
      ["10.00", "1.0000"],
      ["100.00", "1.0000"],
    ];
    b.applySnapshot({ seq: 1, bids, asks: [], cs: 0 });
    assert.deepEqual(b.bids.top(3).map((l) => l.pxText), ["100.00", "10.00", "9.00"]);
  });

  it("applies deltas: update, insert, remove at zero", () => {
    const b = synced();
    const afterBids: WireLevel[] = [
      ["100.50", "0.5000"],
      ["100.00", "4.0000"],
    ];
    const afterAsks: WireLevel[] = [["102.00", "2.0000"]];
    const r = b.applyDelta(
      msg(
        42,
        [
          ["100.00", "4.0000"],
          ["100.50", "0.5000"],
          ["99.50", "0.0000"],
        ],
        [["101.00", "0.0000"]],
        { bids: afterBids, asks: afterAsks },
      ),
    );
    assert.equal(r, "ok");
    assert.equal(b.seq, 42);
    assert.deepEqual(texts(b.bids.top(10)), ["100.50x0.5000", "100.00x4.0000"]);
    assert.deepEqual(texts(b.asks.top(10)), ["102.00x2.0000"]);
  });

  it("ignores removal of an absent level", () => {
    const b = synced();
    const r = b.applyDelta(
      msg(42, [["50.00", "0.0000"]], [], { bids: snapBids, asks: snapAsks }),
    );
    assert.equal(r, "ok");
    assert.equal(b.bids.size, 2);
  });

  it("detects a seq gap without applying the message", () => {
    const b = synced();
    const r = b.applyDelta(msg(44, [["100.00", "9.0000"]], [], { bids: [], asks: [] }));
    assert.equal(r, "gap");
    assert.equal(b.seq, 41);
    assert.equal(b.bids.get(10000n)?.qtyText, "3.0000");
  });

  it("ignores duplicates and stale deltas", () => {
    const b = synced();
    assert.equal(b.applyDelta(msg(41, [["100.00", "9.0000"]], [], { bids: [], asks: [] })), "ignored");
    assert.equal(b.applyDelta(msg(12, [["100.00", "9.0000"]], [], { bids: [], asks: [] })), "ignored");
    assert.equal(b.bids.get(10000n)?.qtyText, "3.0000");
  });

  it("ignores deltas before the first snapshot", () => {
    const b = new OrderBook(2, 4);
    assert.equal(b.applyDelta({ seq: 5, bids: [["1.00", "1.0000"]], asks: [], cs: 0 }), "ignored");
    assert.equal(b.synced, false);
  });

  it("reports a checksum mismatch", () => {
    const b = synced();
    const r = b.applyDelta({ seq: 42, bids: [["100.00", "5.0000"]], asks: [], cs: 12345 });
    assert.equal(r, "checksum");
  });

  it("reports an unparseable level", () => {
    const b = synced();
    assert.equal(b.applyDelta({ seq: 42, bids: [["abc", "1.0000"]], asks: [], cs: 0 }), "invalid");
    assert.equal(b.applyDelta({ seq: 42, bids: [["100.001", "1.0000"]], asks: [], cs: 0 }), "invalid");
  });

  it("a new snapshot replaces everything", () => {
    const b = synced();
    const bids: WireLevel[] = [["90.00", "1.0000"]];
    assert.equal(b.applySnapshot(msg(100, bids, [], { bids, asks: [] })), "ok");
    assert.deepEqual(texts(b.bids.top(10)), ["90.00x1.0000"]);
    assert.equal(b.asks.size, 0);
    assert.equal(b.seq, 100);
  });

  it("invalidate waits for the next snapshot", () => {
    const b = synced();
    b.invalidate();
    assert.equal(b.synced, false);
    assert.equal(b.applyDelta(msg(42, [], [], { bids: [], asks: [] })), "ignored");
  });

  it("keeps checksum over only the top ten after many levels", () => {
    const b = new OrderBook(2, 4);
    const bids: WireLevel[] = Array.from({ length: 30 }, (_, i) => [`${100 - i}.00`, "1.0000"]);
    const asks: WireLevel[] = Array.from({ length: 30 }, (_, i) => [`${101 + i}.00`, "1.0000"]);
    assert.equal(b.applySnapshot(msg(1, bids, asks, { bids: bids.slice(0, 10), asks: asks.slice(0, 10) })), "ok");
    // Removing the best bid brings the 11th into the checksum.
    const after = { bids: bids.slice(1, 11), asks: asks.slice(0, 10) };
    assert.equal(b.applyDelta(msg(2, [["100.00", "0.0000"]], [], after)), "ok");
  });
});
