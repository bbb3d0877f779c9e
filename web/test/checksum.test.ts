import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bookChecksum, checksumString } from "../src/book/checksum";
import { crc32, crc32Ascii } from "../src/lib/crc32";

const lv = (pxText: string, qtyText: string) => ({ pxText, qtyText });

describe("crc32", () => {
  it("matches the standard check value", () => {
    assert.equal(crc32Ascii("123456789"), 0xcbf43926);
    assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  });
  it("of the empty string is 0", () => assert.equal(crc32Ascii(""), 0));
});

describe("book checksum (protocol.md 6.2)", () => {
  it("reproduces the spec's example", () => {
    const asks = [lv("101.00", "1.0000"), lv("102.00", "2.0000")];
    const bids = [lv("100.00", "3.0000")];
    assert.equal(checksumString(asks, bids), "101.00:1.0000;102.00:2.0000|100.00:3.0000");
    assert.equal(bookChecksum(asks, bids), 2060812089);
  });
  it("writes an empty side as an empty string", () => {
    assert.equal(checksumString([], [lv("100.00", "3.0000")]), "|100.00:3.0000");
    assert.equal(checksumString([], []), "|");
  });
  it("takes only the best ten levels of each side", () => {
    const asks = Array.from({ length: 15 }, (_, i) => lv(`${101 + i}.00`, "1.0000"));
    const s = checksumString(asks, []);
    assert.equal(s.split(";").length, 10);
    assert.ok(s.endsWith("110.00:1.0000|"));
  });
});
