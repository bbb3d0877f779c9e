// End-to-end tests of the viewer ("/viewer") against a real tickcast server.
// Assumes: GET /sse?channels=ticker streams `event: ticker` for every symbol while the
// simulator trades, GET /api/v1/instruments and GET /api/v1/ticker.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { assertNoProblems, launch, waitFor, withPage } from "./harness.mjs";

async function lastPrices(page) {
  return page
    .getByRole("region", { name: "Tickers", exact: true })
    .locator("tbody tr")
    .evaluateAll((rows) =>
      rows.map((r) => `${r.querySelector("th")?.textContent}=${r.querySelector("td")?.textContent}`),
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
});
