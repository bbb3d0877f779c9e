// Browser tests of the trader screen on a phone (390×844, touch): tapping a ladder price
// brings the order form into view with that price, tap targets are at least 32 px, and no
// symbol breaks across lines.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertNoProblems, launch, waitFor, withPage } from "./harness.mjs";
import { openOrderAndFill, selectedInstrument, waitReady } from "./trader-helpers.mjs";

const PHONE = { viewport: { width: 390, height: 844 }, touch: true };

describe("trader screen on a phone", () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it("scrolls the order form into view when a ladder price is tapped", async () => {
    await withPage(
      browser,
      "phone-tap",
      "/",
      async ({ page, problems }) => {
        await waitReady(page);
        const form = page.locator("#order-form");
        const inView = async () => {
          const b = await form.boundingBox();
          return b !== null && b.y >= -1 && b.y < 844;
        };
        assert.equal(await inView(), false, "the form starts below the fold");
        // The book moves while the test reads it and there is no hover to hold the ladder
        // before a tap: record, in the page, the price the tapped row held when it was hit.
        const btn = page.locator("#bids tr").first().locator("td.px button");
        await btn.scrollIntoViewIfNeeded();
        await btn.evaluate((b) => {
          b.addEventListener("pointerdown", () => (b.dataset.tapped = b.dataset.px ?? ""), { capture: true });
        });
        await btn.tap();
        await waitFor("the form in view", inView, 15_000, 50);
        const tapped = await btn.getAttribute("data-tapped");
        assert.match(tapped ?? "", /^\d+(\.\d+)?$/, "the tap reached the price button");
        assert.equal(await page.getByLabel("Price", { exact: true }).inputValue(), tapped);
        assertNoProblems(problems);
      },
      PHONE,
    );
  });

  it("has tap targets of at least 32 px and breaks no symbol", async () => {
    await withPage(
      browser,
      "phone-targets",
      "/",
      async ({ page, problems }) => {
        await waitReady(page);
        const inst = await selectedInstrument(page);
        await openOrderAndFill(page, inst); // rows with Amend and Cancel, and a fill
        const small = await page.evaluate(() => {
          const bad = [];
          const targets = document.querySelectorAll("header a, header button, header select, main button, main select, main input, main a");
          for (const el of targets) {
            let r = el.getBoundingClientRect();
            const style = getComputedStyle(el);
            if (r.width === 0 || r.height === 0 || style.visibility === "hidden") continue;
            if (el instanceof HTMLInputElement && el.type === "checkbox") {
              // A checkbox is tapped together with its label: the larger of the two counts.
              const label = document.querySelector(`label[for="${el.id}"]`);
              const lr = label?.getBoundingClientRect();
              if (lr && lr.height >= r.height) r = lr;
            }
            if (r.height < 32 || (r.width < 32 && !(el instanceof HTMLInputElement))) {
              bad.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""} "${(el.textContent ?? "").trim().slice(0, 20)}" ${Math.round(r.width)}×${Math.round(r.height)}`);
            }
          }
          return bad;
        });
        assert.deepEqual(small, [], "tap targets under 32 px");
        // Every symbol on the page stays on one line.
        const broken = await page.evaluate(() => {
          const bad = [];
          for (const el of document.querySelectorAll(".sym, #form-symbol, #symbol")) {
            if (el.getClientRects().length === 0) continue;
            if (el instanceof HTMLSelectElement) {
              if (el.clientHeight > 48) bad.push(`select ${el.clientHeight}px tall`);
              continue;
            }
            const range = document.createRange();
            range.selectNodeContents(el);
            const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
            if (tops.size > 1) bad.push(`"${el.textContent}" on ${tops.size} lines`);
          }
          return bad;
        });
        assert.deepEqual(broken, [], "symbols broken across lines");
        const scrollW = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(scrollW <= 391, `page scrolls sideways (${scrollW}px)`);
        assertNoProblems(problems);
      },
      PHONE,
    );
  });
});
