import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  END_REASONS,
  ERROR_CODES,
  REJECT_REASONS,
  endText,
  errorText,
  rejectText,
} from "../src/protocol/reasons";

// The codes of docs/protocol.md 9.1, 8.4 and 8.3, copied here on purpose: if the list in reasons.ts loses
// one, this test notices.
const SPEC_ERRORS = [
  "bad_request", "unknown_op", "unknown_channel", "unknown_symbol", "not_authenticated",
  "invalid_token", "unknown_order", "rate_limited", "too_many_subscriptions", "internal",
];
const SPEC_REJECTS = [
  "invalid_symbol", "invalid_side", "invalid_type", "invalid_tif", "invalid_price",
  "invalid_qty", "price_tick", "qty_lot", "qty_min", "qty_max", "price_band",
  "insufficient_funds", "post_only_would_cross", "no_liquidity", "duplicate_cid",
  "rate_limited", "too_many_open_orders",
];
const SPEC_ENDS = ["user", "ioc_remainder", "fok_unfillable", "self_trade", "disconnect"];

function plain(s: string, code: string): void {
  assert.ok(s.length > 10, `${code}: too short`);
  assert.ok(!s.includes(code) || !code.includes("_"), `${code}: sentence repeats the code`);
  assert.match(s, /^[A-Z].*[.)]$/, `${code}: not a sentence: ${s}`);
}

describe("reject and error wording", () => {
  it("covers every code of protocol.md 9.1, 8.4 and 8.3", () => {
    assert.deepEqual([...ERROR_CODES].sort(), [...SPEC_ERRORS].sort());
    assert.deepEqual([...REJECT_REASONS].sort(), [...SPEC_REJECTS].sort());
    assert.deepEqual([...END_REASONS].sort(), [...SPEC_ENDS].sort());
  });
  for (const code of SPEC_REJECTS) {
    it(`reject ${code} has a plain sentence`, () => plain(rejectText(code), code));
  }
  for (const code of SPEC_ERRORS) {
    it(`error ${code} has a plain sentence`, () => plain(errorText(code), code));
  }
  for (const code of SPEC_ENDS) {
    it(`end ${code} has a plain sentence`, () => plain(endText(code), code));
  }
  it("words price_band as specified", () => {
    assert.equal(rejectText("price_band"), "Price is too far from the last trade (outside the price band).");
    assert.match(rejectText("price_band", { bandPct: "10" }), /±10%/);
  });
  it("adds instrument details where they help", () => {
    assert.match(rejectText("price_tick", { tick: "0.01" }), /0\.01/);
    assert.match(rejectText("qty_min", { minQty: "0.0001" }), /0\.0001/);
  });
  it("falls back for unknown codes without throwing", () => {
    assert.match(rejectText("brand_new_reason"), /brand_new_reason/);
    assert.match(errorText(undefined), /failed/);
    assert.match(endText("xyz"), /xyz/);
  });
  it("does not resolve inherited object keys", () => {
    assert.match(rejectText("toString"), /rejected/);
  });
});

describe("shortReason", () => {
  it("has a few words for every reason, spelling out unknown ones", async () => {
    const { shortReason, END_REASONS, REJECT_REASONS } = await import("../src/protocol/reasons");
    for (const r of [...END_REASONS, ...REJECT_REASONS]) {
      const s = shortReason(r);
      assert.ok(s.length > 0 && s.length <= 24 && !s.includes("_"), `${r}: ${s}`);
    }
    assert.equal(shortReason("price_band"), "Outside price band");
    assert.equal(shortReason("some_new_reason"), "Some new reason");
    assert.equal(shortReason(undefined), "");
  });
});
