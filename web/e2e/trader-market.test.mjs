// Browser tests of the trader screen's market views: the chart (history at load, intervals,
// order lines and fill markers), the depth chart, and the ladder (holding still under the
// pointer, price grouping, the user's own size).

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertNoProblems, decimalsOf, getJSON, launch, toUnits, waitFor, withPage } from "./harness.mjs";
import { levelRows, openOrderRow, placeOrder, restingPrice, selectedInstrument, tableRows, waitReady } from "./trader-helpers.mjs";

const chartAttr = async (page, name) => page.locator("#chart").getAttribute(name);

/** The ladder's price texts, top to bottom ("" for empty rows). */
function ladderPrices(page) {
  return page.locator("#ladder td.px button").evaluateAll((bs) => bs.map((b) => b.textContent ?? ""));
}

/** The ladder's size texts (the Size column), top to bottom. */
function ladderSizes(page) {
  return page.locator("#ladder tr.lvl td:nth-child(2)").evaluateAll((tds) => tds.map((td) => td.textContent ?? ""));
}

describe("trader screen: chart, depth, ladder", () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it("loads the venue's candle history fitted to the plot, and switches intervals", async () => {
    await withPage(browser, "chart-history", "/", async ({ page, problems }) => {
      await waitReady(page);
      const inst = await selectedInstrument(page);
      for (const iv of ["1s", "1m", "5m", "15m", "1h"]) {
        await page.getByRole("group", { name: "Candle interval" }).getByRole("button", { name: iv, exact: true }).click();
        assert.equal(await page.locator(`#iv-${iv}`).getAttribute("aria-pressed"), "true");
        await waitFor(`${iv} candles`, async () => Number(await chartAttr(page, "data-bars")) > 0, 20_000);
        const bars = Number(await chartAttr(page, "data-bars"));
        const [from, to] = (await chartAttr(page, "data-range")).split("..").map(Number);
        if (bars < 150) {
          // A short history is shown whole, from the left edge: not squeezed to the right.
          assert.ok(from <= 0 && to >= bars - 1, `${iv}: ${bars} bars shown as ${from}..${to}`);
        } else {
          assert.ok(from >= bars - 151 && from <= bars - 149 && to >= bars - 1, `${iv}: ${bars} bars shown as ${from}..${to}`);
        }
        if (iv === "1m" || iv === "1h") {
          // 1m is the REST history itself; 1h is built from it and has fewer bars.
          const rest = await getJSON(`/api/v1/candles/${encodeURIComponent(inst.s)}?interval=1m&limit=1000`);
          const hours = new Set(rest.map((c) => Math.floor(c.start / 1e9 / 3600)));
          const want = iv === "1m" ? rest.length : hours.size;
          assert.ok(Math.abs(bars - want) <= 1, `${iv}: ${bars} bars, REST 1m history gives ${want}`);
        }
      }
      assertNoProblems(problems);
    });
  });

  it("draws volume bars under the candles", async (t) => {
    await withPage(browser, "chart-volume", "/", async ({ page, problems }) => {
      await waitReady(page);
      const inst = await selectedInstrument(page);
      await waitFor("1m candles", async () => Number(await chartAttr(page, "data-bars")) > 0, 20_000);
      // The histogram holds a bar for every candle that traded: the REST 1m history's.
      const rest = await getJSON(`/api/v1/candles/${encodeURIComponent(inst.s)}?interval=1m&limit=1000`);
      const traded = rest.filter((c) => Number(c.v) > 0).length;
      assert.ok(traded > 0, "the venue's 1m history has volume");
      await waitFor("volume bars", async () => Number(await chartAttr(page, "data-volume-bars")) > 0, 10_000);
      const vol = Number(await chartAttr(page, "data-volume-bars"));
      assert.ok(Math.abs(vol - traded) <= 1, `${vol} volume bars, REST 1m history has ${traded} candles with volume`);
      assert.ok(vol <= Number(await chartAttr(page, "data-bars")), "no more volume bars than candles");
      // Pixels: green and red bars in the pane's bottom band (the volume scale's 20 %; the
      // candles keep to the top 76 %).
      const px = await waitFor(
        "volume bars painted",
        () =>
          page.locator("#chart").evaluate((chart) => {
            const pane = [...chart.querySelectorAll("canvas")].sort((a, b) => b.width * b.height - a.width * a.height)[0];
            if (!pane) return null;
            const { width: w, height: h } = pane;
            const y0 = Math.ceil(h * 0.82);
            const data = pane.getContext("2d").getImageData(0, y0, w, h - y0).data;
            let colored = 0;
            const columns = new Set();
            for (let i = 0; i < data.length; i += 4) {
              const [r, g, a] = [data[i], data[i + 1], data[i + 3]];
              if (a < 20 || Math.abs(r - g) < 30) continue;
              colored++;
              columns.add((i / 4) % w);
            }
            return colored > 200 && columns.size > 20 && { colored, columns: columns.size, w, h };
          }),
        10_000,
      );
      t.diagnostic(`${vol} volume bars; pixels ${JSON.stringify(px)}`);
      assertNoProblems(problems);
    });
  });

  it("draws cumulative bids and asks in the depth chart", async () => {
    await withPage(browser, "depth-chart", "/", async ({ page, problems }) => {
      await waitReady(page);
      const region = page.getByRole("region", { name: "Depth chart", exact: true });
      const canvas = region.locator("canvas");
      await waitFor("depth points", async () => Number(await canvas.getAttribute("data-bid-points")) > 1 && Number(await canvas.getAttribute("data-ask-points")) > 1, 20_000);
      // Pixels: the bids' green on the left half, the asks' red on the right half.
      const px = await canvas.evaluate((c) => {
        const ctx = c.getContext("2d");
        const { width: w, height: h } = c;
        const data = ctx.getImageData(0, 0, w, h).data;
        let green = 0;
        let red = 0;
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            const i = (y * w + x) * 4;
            const [r, g, a] = [data[i], data[i + 1], data[i + 3]];
            if (a < 40) continue;
            if (x < w / 2 && g > r + 40) green++;
            if (x > w / 2 && r > g + 40) red++;
          }
        }
        return { green, red, w, h };
      });
      assert.ok(px.green > 200 && px.red > 200, `depth chart pixels: ${JSON.stringify(px)}`);
      assert.match(await region.locator("#depth-summary").innerText(), /^Bids \S+ · asks \S+ \w+ within ±/);
      assert.match(await canvas.getAttribute("aria-label"), /^Depth chart: Bids/);
      assertNoProblems(problems);
    });
  });

  it("holds the ladder still while the pointer is over it; a click takes the price under it", async () => {
    await withPage(browser, "ladder-hold", "/", async ({ page, problems }) => {
      await waitReady(page);
      const inst = await selectedInstrument(page);
      const wrap = page.locator("#ladder");
      const rows = levelRows(page);
      await waitFor("a full ladder", async () => (await rows.count()) >= 16, 20_000);
      const target = page.locator("#bids tr").nth(2).locator("td.px button");
      await target.hover();
      await waitFor("the ladder to hold", async () => (await wrap.getAttribute("data-frozen")) === "true", 5_000);
      const held = await ladderPrices(page);
      const heldSizes = await ladderSizes(page);
      assert.equal(heldSizes.length, held.length, "a size cell per row");
      const heldText = await target.innerText();
      const heldSet = new Set(held.filter(Boolean).map((p) => p.replace(/,/g, "")));
      // Wait until the server's book has moved so that a live ladder would show other
      // prices, and until the page has drawn newer data (the depth chart follows the book).
      const summary = page.locator("#depth-summary");
      const summaryBefore = await summary.innerText();
      await waitFor(
        "the book's top prices to change",
        async () => {
          const b = await getJSON(`/api/v1/book/${encodeURIComponent(inst.s)}`);
          const top = [...(b.asks ?? []).slice(0, 12), ...(b.bids ?? []).slice(0, 12)].map(([p]) => p);
          return top.some((p) => !heldSet.has(p));
        },
        30_000,
        200,
      );
      await waitFor("the page to draw newer data", async () => (await summary.innerText()) !== summaryBefore, 30_000, 100);
      assert.deepEqual(await ladderPrices(page), held, "rows moved under the pointer");
      assert.equal(await wrap.getAttribute("data-frozen"), "true");
      // Held rows still update their sizes in place (the simulator requotes several times a
      // second; a level that emptied shows "–").
      await waitFor(
        "a size to change in a held row",
        async () => {
          const [prices, sizes] = [await ladderPrices(page), await ladderSizes(page)];
          const still = prices.every((p, i) => p === held[i]) && (await wrap.getAttribute("data-frozen")) === "true";
          return still && sizes.some((q, i) => q !== heldSizes[i]);
        },
        15_000,
      );
      assert.deepEqual(await ladderPrices(page), held, "rows moved under the pointer");
      await target.click();
      const want = heldText.replace(/,/g, "");
      assert.equal(await page.getByLabel("Price", { exact: true }).inputValue(), want);
      // The pointer leaves: the ladder follows the book again.
      await page.mouse.move(5, 5);
      await waitFor("the ladder to let go", async () => (await wrap.getAttribute("data-frozen")) === "false", 5_000);
      assertNoProblems(problems);
    });
  });

  it("groups prices and marks the user's own size at its level", async () => {
    await withPage(browser, "ladder-group-mine", "/", async ({ page, problems }) => {
      await waitReady(page);
      const inst = await selectedInstrument(page);
      const pd = decimalsOf(inst.tick);
      const tick = toUnits(inst.tick, pd);
      const price = await restingPrice(inst, "buy", 3); // 0.3 % under the bid
      await placeOrder(page, { side: "Buy", qty: inst.min_qty, price });
      await waitFor("the order under Open orders", async () => (await openOrderRow(page, price).count()) === 1, 15_000);
      // The widest grouping: 10,000 ticks.
      const group = page.getByLabel("Group", { exact: true });
      const options = await group.locator("option").allTextContents();
      assert.equal(options.length, 5, `grouping options ${options}`);
      await group.selectOption({ index: 4 });
      const step = tick * 10000n;
      const groupPx = (toUnits(price, pd) / step) * step; // bids group down
      await waitFor(
        "ladder prices on the grouping step",
        async () => {
          const prices = (await ladderPrices(page)).filter((p) => p !== "");
          return prices.length > 0 && prices.every((p) => toUnits(p.replace(/,/g, ""), pd) % step === 0n);
        },
        10_000,
      );
      const mineRow = page.locator("#bids tr").filter({ has: page.locator("td.mine-qty", { hasText: /\d/ }) });
      await waitFor("the Mine column at the order's group", async () => (await mineRow.count()) === 1, 10_000);
      const rowPx = (await mineRow.locator("td.px button").innerText()).replace(/,/g, "");
      assert.equal(toUnits(rowPx, pd), groupPx, `own size shown at ${rowPx}`);
      assert.equal(await mineRow.locator("td.mine-qty").innerText(), inst.min_qty);
      // Sizes are compact with separators; the full value is the tooltip when shortened.
      for (const t of await page.locator("#ladder td:nth-child(2), #ladder td:nth-child(3)").allInnerTexts()) {
        assert.match(t, /^(–|\d{1,3}(,\d{3})*(\.\d+)?[KMB]?|)$/, `size ${t}`);
      }
      await openOrderRow(page, price).getByRole("button", { name: "Cancel", exact: true }).click();
      await waitFor("the Mine column to empty", async () => (await mineRow.count()) === 0, 10_000);
      assertNoProblems(problems);
    });
  });

  it("draws a line for an open order and a marker for a fill", async () => {
    await withPage(browser, "chart-lines-markers", "/", async ({ page, problems }) => {
      await waitReady(page);
      const inst = await selectedInstrument(page);
      await waitFor("candles", async () => Number(await chartAttr(page, "data-bars")) > 0, 20_000);
      const price = await restingPrice(inst, "buy", 3);
      await placeOrder(page, { side: "Buy", qty: inst.min_qty, price });
      await waitFor("an order line", async () => Number(await chartAttr(page, "data-order-lines")) === 1, 15_000);
      await placeOrder(page, { type: "market", side: "Buy", qty: inst.min_qty });
      await waitFor("a fill", async () => (await tableRows(page, "Fills").count()) >= 1, 15_000);
      await waitFor("a fill marker", async () => Number(await chartAttr(page, "data-fill-markers")) >= 1, 15_000);
      await openOrderRow(page, price).getByRole("button", { name: "Cancel", exact: true }).click();
      await waitFor("the order line to go", async () => Number(await chartAttr(page, "data-order-lines")) === 0, 15_000);
      assertNoProblems(problems);
    });
  });
});
