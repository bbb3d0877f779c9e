import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  addDec,
  decimalsOf,
  divRound,
  formatScaled,
  groupThousands,
  isMultiple,
  mulDec,
  parseDecimal,
  parseScaled,
  readStepInput,
  rescale,
  roundToStep,
  formatDec,
  trimZeros,
} from "../src/lib/decimal";

describe("decimalsOf", () => {
  const cases: [string, number][] = [
    ["0.01", 2],
    ["0.0001", 4],
    ["1", 0],
    ["0.50", 2],
    ["5", 0],
    ["0.5", 1],
  ];
  for (const [step, want] of cases) {
    it(`${step} → ${want}`, () => assert.equal(decimalsOf(step), want));
  }
});

describe("parseScaled", () => {
  const cases: { name: string; s: string; d: number; want: bigint | null }[] = [
    { name: "exact decimals", s: "64250.50", d: 2, want: 6425050n },
    { name: "fewer decimals", s: "64250.5", d: 2, want: 6425050n },
    { name: "integer", s: "64250", d: 2, want: 6425000n },
    { name: "trailing zeros beyond scale", s: "1.2500", d: 2, want: 125n },
    { name: "digits beyond scale", s: "1.255", d: 2, want: null },
    { name: "leading dot", s: ".5", d: 4, want: 5000n },
    { name: "trailing dot", s: "3.", d: 1, want: 30n },
    { name: "leading zeros", s: "000.0100", d: 4, want: 100n },
    { name: "negative", s: "-1.5", d: 2, want: -150n },
    { name: "zero", s: "0.0000", d: 4, want: 0n },
    { name: "exponent refused", s: "1e3", d: 2, want: null },
    { name: "comma refused", s: "1,000.00", d: 2, want: null },
    { name: "empty refused", s: "", d: 2, want: null },
    { name: "lone dot refused", s: ".", d: 2, want: null },
    { name: "spaces refused", s: " 1", d: 2, want: null },
    { name: "beyond 2^53", s: "123456789012345678.12", d: 2, want: 12345678901234567812n },
  ];
  for (const c of cases) it(c.name, () => assert.equal(parseScaled(c.s, c.d), c.want));
});

describe("formatScaled", () => {
  const cases: [bigint, number, string][] = [
    [6425050n, 2, "64250.50"],
    [5n, 4, "0.0005"],
    [0n, 4, "0.0000"],
    [-150n, 2, "-1.50"],
    [-5n, 2, "-0.05"],
    [42n, 0, "42"],
    [12500n, 4, "1.2500"],
  ];
  for (const [u, d, want] of cases) it(want, () => assert.equal(formatScaled(u, d), want));

  it("round-trips with parseScaled", () => {
    for (const s of ["0.0001", "99999.9999", "1.0000", "0.1250"]) {
      assert.equal(formatScaled(parseScaled(s, 4) as bigint, 4), s);
    }
  });
});

describe("arithmetic without float drift", () => {
  it("0.1 + 0.2 = 0.3 exactly", () => {
    const sum = addDec(parseDecimal("0.1")!, parseDecimal("0.2")!);
    assert.equal(formatDec(sum), "0.3");
    assert.notEqual(0.1 + 0.2, 0.3); // what floats would have done
  });
  it("adds a lot a thousand times", () => {
    let q = 0n;
    for (let i = 0; i < 1000; i++) q += parseScaled("0.0001", 4) as bigint;
    assert.equal(formatScaled(q, 4), "0.1000");
  });
  it("multiplies price by quantity", () => {
    const v = mulDec(parseDecimal("64250.50")!, parseDecimal("0.1250")!);
    assert.equal(formatDec(v), "8031.312500");
    assert.equal(formatScaled(rescale(v, 2, "nearest")!, 2), "8031.31");
  });
  it("sums mixed scales", () => {
    assert.equal(formatDec(addDec(parseDecimal("1.5")!, parseDecimal("0.25")!)), "1.75");
  });
});

describe("rounding", () => {
  const cases: [bigint, bigint, "down" | "up" | "nearest", bigint][] = [
    [7n, 2n, "down", 3n],
    [7n, 2n, "up", 4n],
    [7n, 2n, "nearest", 4n],
    [5n, 4n, "nearest", 1n],
    [6n, 4n, "nearest", 2n],
    [-7n, 2n, "down", -4n],
    [-7n, 2n, "up", -3n],
    [-7n, 2n, "nearest", -4n],
    [8n, 2n, "nearest", 4n],
  ];
  for (const [n, d, m, want] of cases) {
    it(`${n}/${d} ${m} → ${want}`, () => assert.equal(divRound(n, d, m), want));
  }
  it("rounds to a tick of 0.05", () => {
    // 100.03 with tick 0.05 (2 decimals): nearest 100.05, down 100.00
    assert.equal(roundToStep(10003n, 5n, "nearest"), 10005n);
    assert.equal(roundToStep(10003n, 5n, "down"), 10000n);
    assert.equal(roundToStep(10002n, 5n, "nearest"), 10000n);
    assert.ok(isMultiple(10005n, 5n));
    assert.ok(!isMultiple(10003n, 5n));
  });
  it("rescale rounds only when asked", () => {
    const d = parseDecimal("1.005")!;
    assert.equal(rescale(d, 2), null);
    assert.equal(rescale(d, 2, "nearest"), 101n);
    assert.equal(rescale(d, 2, "down"), 100n);
  });
});

describe("readStepInput", () => {
  const tick = 1n; // 0.01 with 2 decimals
  it("accepts and canonicalises", () => {
    assert.deepEqual(readStepInput(" 64250.5 ", tick, 2), {
      ok: true,
      units: 6425050n,
      text: "64250.50",
    });
  });
  it("refuses more decimals than the tick, suggesting the nearest tick", () => {
    assert.deepEqual(readStepInput("64250.505", tick, 2), {
      ok: false,
      problem: "step",
      nearest: 6425051n,
    });
  });
  it("refuses a non-multiple of a coarser step", () => {
    const r = readStepInput("100.03", 5n, 2);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.nearest, 10005n);
  });
  for (const bad of ["", "abc", "1e5", "-1", "1,5", "1.2.3"]) {
    it(`refuses ${JSON.stringify(bad)}`, () => assert.equal(readStepInput(bad, tick, 2).ok, false));
  }
  it("refuses zero", () => {
    assert.deepEqual(readStepInput("0.00", tick, 2), { ok: false, problem: "not_positive" });
  });
  it("refuses over 32 characters", () => {
    assert.deepEqual(readStepInput("1".repeat(33), tick, 2), { ok: false, problem: "too_long" });
  });
});

describe("trimZeros", () => {
  const cases: [string, number, string][] = [
    ["100000.000000", 2, "100000.00"],
    ["1.2500", 2, "1.25"],
    ["1.2345", 2, "1.2345"],
    ["7", 2, "7"],
    ["0.000000", 0, "0"],
    ["5.10", 0, "5.1"],
  ];
  for (const [s, d, want] of cases) it(`${s} → ${want}`, () => assert.equal(trimZeros(s, d), want));
});

describe("groupThousands", () => {
  const cases: [string, string][] = [
    ["1234567.50", "1,234,567.50"],
    ["100000.00", "100,000.00"],
    ["999", "999"],
    ["-1234.5", "-1,234.5"],
    ["0.0001", "0.0001"],
  ];
  for (const [s, want] of cases) it(s, () => assert.equal(groupThousands(s), want));
});
