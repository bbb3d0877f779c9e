// End-to-end tests of the viewer ("/viewer") against a real tickcast server.
// Assumes: GET /sse?channels=ticker,quote streams `event: ticker` and `event: quote` for
// every symbol while the simulator trades, GET /api/v1/instruments and GET /api/v1/ticker.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertNoProblems, launch, waitFor, withPage } from "./harness.mjs";

async function lastPrices(page) {
  return page
    .getByRole("region", { name: "Tickers", exact: true })
    .locator("tbody tr")
    .evaluateAll((rows) =>
      rows.map((r) => `${r.querySelector("th")?.textContent}=${r.querySelector("td.last .px")?.textContent}`),
    );
}

describe("viewer", () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it("shows a row per symbol whose prices change, over SSE only", async () => {
    await withPage(browser, "viewer-prices-change", "/viewer", async ({ page, problems, sockets }) => {
      const region = page.getByRole("region", { name: "Tickers", exact: true });
      await waitFor(
        "ticker rows with prices",
        async () => {
          const rows = await lastPrices(page);
          return rows.length > 0 && rows.every((r) => /=\d/.test(r));
        },
        15_000,
      );
      const first = await lastPrices(page);
      await waitFor(
        "a last price to change",
        async () => {
          const now = await lastPrices(page);
          return now.some((r, i) => r !== first[i]);
        },
        20_000,
        250,
      );
      assert.equal(await region.locator("svg").count() > 0, true, "no sparklines");
      assert.equal(await page.locator("#conn").getAttribute("data-state"), "live");
      assert.deepEqual(sockets, [], "the viewer must not open a WebSocket");
      assertNoProblems(problems);
    });
  });

  it("shows bid, ask and spread, and the spread is ask − bid", async () => {
    await withPage(browser, "viewer-quotes", "/viewer", async ({ page, problems }) => {
      const heads = await page.getByRole("region", { name: "Tickers", exact: true }).locator("thead th").allInnerTexts();
      for (const h of ["Bid", "Ask", "Spread"]) assert.ok(heads.some((t) => t.startsWith(h)), `no ${h} column in ${heads}`);
      const quotes = () =>
        page.locator("#rows tr").evaluateAll((rows) =>
          rows.map((r) => ({
            bid: r.querySelector("td.bid .px")?.textContent ?? "",
            ask: r.querySelector("td.ask")?.textContent ?? "",
            spread: r.querySelector("td.spread")?.textContent ?? "",
          })),
        );
      await waitFor("bids, asks and spreads", async () => {
        const q = await quotes();
        return q.length > 0 && q.every((r) => /\d/.test(r.bid) && /\d/.test(r.ask) && /\d/.test(r.spread));
      }, 20_000);
      // Exact check on one row: the spread is the difference of the two prices shown.
      const units = (s, d) => BigInt(s.replace(/[,.]/g, "")) * 10n ** BigInt(d - (s.split(".")[1]?.length ?? 0));
      for (const r of await quotes()) {
        const d = Math.max(...[r.bid, r.ask, r.spread].map((s) => s.split(".")[1]?.length ?? 0));
        // Values may change between reading the cells: accept any consistent row.
        if (units(r.ask, d) - units(r.bid, d) === units(r.spread, d)) return assertNoProblems(problems);
      }
      const again = await quotes();
      assert.fail(`no row whose spread is ask − bid: ${JSON.stringify(again)}`);
    });
  });

  it("fills a large screen and stays readable on a phone", async () => {
    await withPage(
      browser,
      "viewer-large",
      "/viewer",
      async ({ page, problems }) => {
        await waitFor("rows", async () => (await page.locator("#rows tr").count()) > 0, 15_000);
        const box = await page.locator("table.tickers").boundingBox();
        assert.ok(box.width >= 1920 * 0.95, `the board is ${box.width}px wide on a 1920px screen`);
        assert.ok(box.y + box.height >= 1080 * 0.85, `the board ends at ${box.y + box.height}px of 1080`);
        const size = await page.locator("#rows td.last").first().evaluate((td) => parseFloat(getComputedStyle(td).fontSize));
        assert.ok(size >= 18, `type of ${size}px on a large screen`);
        assertNoProblems(problems);
      },
      { viewport: { width: 1920, height: 1080 } },
    );
    await withPage(
      browser,
      "viewer-phone",
      "/viewer",
      async ({ page, problems }) => {
        await waitFor("rows with quotes", async () => /\d/.test((await page.locator("#rows td.bid .px").first().textContent()) ?? ""), 15_000);
        const overflow = await page.locator(".board .scroll-x").evaluate((s) => s.scrollWidth - s.clientWidth);
        assert.ok(overflow <= 1, `the board scrolls sideways by ${overflow}px`);
        for (const sel of ["td.last .px", "td.bid .px", "td.bid .sub", "td.spread"]) {
          const visible = await page.locator(`#rows ${sel}`).first().isVisible();
          assert.ok(visible, `${sel} not visible on a phone`);
        }
        const size = await page.locator("#rows td.last").first().evaluate((td) => parseFloat(getComputedStyle(td).fontSize));
        assert.ok(size >= 14, `type of ${size}px on a phone`);
        assertNoProblems(problems);
      },
      { viewport: { width: 390, height: 844 }, touch: true },
    );
  });
});
