import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compactQty, grouped, money } from "../src/lib/numfmt";

describe("compactQty", () => {
  const cases: [string, string][] = [
    ["0.1440", "0.1440"],
    ["1.7489", "1.7489"],
    ["631", "631"],
    ["9999.9999", "9,999.9999"],
    ["1234.5000", "1,234.5000"],
    ["10000", "10.00K"],
    ["12345.6789", "12.34K"],
    ["631250", "631.25K"],
    ["999999.999", "999.99K"],
    ["1000000", "1.00M"],
    ["1205000", "1.20M"],
    ["999999999", "999.99M"],
    ["3456000000000", "3,456.00B"],
    ["-25000", "-25.00K"],
    ["0.0000", "0.0000"],
    ["not a number", "not a number"],
  ];
  for (const [input, want] of cases) {
    it(`${input} → ${want}`, () => assert.equal(compactQty(input), want));
  }
});

describe("money", () => {
  it("rounds down to two decimals with separators", () => {
    assert.equal(money("94005.123456"), "94,005.12");
    assert.equal(money("100000.000000"), "100,000.00");
    assert.equal(money("0.009999"), "0.00");
    assert.equal(money("92592"), "92,592.00");
    assert.equal(money("-1.005"), "-1.01"); // toward −∞: never shown better than it is
  });
  it("rounds to nearest when asked", () => {
    assert.equal(money("1.005", 2, "nearest"), "1.01");
    assert.equal(money("1.004", 2, "nearest"), "1.00");
  });
  it("leaves non-numbers alone", () => {
    assert.equal(money(""), "");
    assert.equal(money("–"), "–");
  });
});

describe("grouped", () => {
  it("keeps every decimal", () => {
    assert.equal(grouped("60036.16"), "60,036.16");
    assert.equal(grouped("0.15096"), "0.15096");
    assert.equal(grouped(""), "");
  });
});
