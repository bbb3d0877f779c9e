// End-to-end tests of the trader screen ("/") against a real tickcast server.
// Assumes: GET /api/v1/instruments, GET /api/v1/book/{s}, GET /api/v1/trades/{s},
// POST /api/v1/accounts, /ws with tickcast.v1.msgpack, a simulator that keeps both sides
// of every book populated, and price-band checks as in protocol.md 8.9.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  assertNoProblems,
  decimalsOf,
  fromUnits,
  getJSON,
  launch,
  toUnits,
  waitFor,
  withPage,
} from "./harness.mjs";
import { grouped, levelRows, selectedInstrument, waitReady } from "./trader-helpers.mjs";

/** Regions of the trader screen, by accessible name. */
const REGIONS = ["Chart", "Order book", "Depth chart", "Trades", "Open orders", "Order history", "Fills", "Balances"];

describe("trader screen", () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it("renders the order book from the WebSocket feed", async () => {
    await withPage(browser, "trader-renders-book", "/", async ({ page, problems, sockets }) => {
      await waitFor("the book to show levels", async () => (await levelRows(page).count()) >= 2, 15_000);
      for (const name of REGIONS) {
        assert.equal(await page.getByRole("region", { name, exact: true }).count(), 1, `region ${name}`);
      }
      for (const label of ["Symbol", "Type", "Price", "Quantity", "Time in force", "Post only"]) {
        assert.equal(await page.getByLabel(label, { exact: true }).count(), 1, `field ${label}`);
      }
      assert.ok(sockets.some((u) => new URL(u).pathname === "/ws"), `no /ws socket among ${sockets}`);
      // The feed runs: trades on the tape, candles on the chart, the depth chart drawn.
      await waitFor("trades on the tape", async () => (await page.locator("#tape tr").count()) >= 3, 20_000);
      await waitFor("candles", async () => Number(await page.locator("#chart").getAttribute("data-bars")) > 0, 20_000);
      await waitFor("depth", async () => Number(await page.locator("#depth").getAttribute("data-bid-points")) > 0, 20_000);
      assert.ok((await levelRows(page).count()) >= 2);
      const conn = page.getByRole("status", { name: "Connection", exact: true });
      assert.equal(await conn.getAttribute("data-state"), "live");
      assert.equal(await conn.innerText(), "Live");
      assertNoProblems(problems);
    });
  });

  it("places a limit buy below the best bid, lists it, cancels it", async () => {
    await withPage(browser, "trader-place-cancel", "/", async ({ page, problems }) => {
      await waitReady(page);
      const inst = await selectedInstrument(page);
      const pd = decimalsOf(inst.tick);
      const tick = toUnits(inst.tick, pd);
      const book = await getJSON(`/api/v1/book/${encodeURIComponent(inst.s)}`);
      assert.ok(book.bids?.length > 0, "the book has no bids");
      const bestBid = toUnits(book.bids[0][0], pd);
      // Below the best bid by a quarter of the price band (at most 2.5%, at least one
      // tick): well inside the band, and far enough that a price jump of the simulator
      // does not fill it while the test runs.
      const bandPermille = BigInt(Math.round(Number(inst.band_pct || "10") * 10));
      const permille = bandPermille / 4n < 25n ? bandPermille / 4n : 25n;
      let below = (bestBid * permille) / 1000n;
      below -= below % tick;
      if (below < tick) below = tick;
      const price = fromUnits(bestBid - below, pd);

      await page.getByLabel("Type", { exact: true }).selectOption("limit");
      await page.getByLabel("Price", { exact: true }).fill(price);
      await page.getByLabel("Quantity", { exact: true }).fill(inst.min_qty);
      await page.getByLabel("Time in force", { exact: true }).selectOption("gtc");
      await page.getByRole("button", { name: "Buy", exact: true }).click();

      const orders = page.getByRole("region", { name: "Open orders", exact: true });
      const row = orders.getByRole("row").filter({ hasText: grouped(price) });
      await waitFor(`the order at ${price} under Open orders`, async () => (await row.count()) === 1, 10_000);
      await row.getByRole("button", { name: "Cancel", exact: true }).click();
      await waitFor(`the order at ${price} to leave Open orders`, async () => (await row.count()) === 0, 10_000);
      assert.equal(await page.getByRole("alert").innerText(), "");
      assertNoProblems(problems);
    });
  });

  it("shows a price-band rejection in plain words (keyboard submit, hotkeys armed)", async () => {
    await withPage(browser, "trader-price-band", "/", async ({ page, problems }) => {
      await waitReady(page);
      const inst = await selectedInstrument(page);
      const pd = decimalsOf(inst.tick);
      const tick = toUnits(inst.tick, pd);
      const trades = await getJSON(`/api/v1/trades/${encodeURIComponent(inst.s)}?limit=1`);
      const list = Array.isArray(trades) ? trades : (trades.trades ?? []);
      const lastText = list.length > 0 ? list[list.length - 1].px : inst.ref;
      let half = toUnits(lastText, pd) / 2n;
      half -= half % tick;
      const price = fromUnits(half, pd);

      await page.getByLabel("Type", { exact: true }).selectOption("limit");
      await page.getByLabel("Price", { exact: true }).fill(price);
      const qty = page.getByLabel("Quantity", { exact: true });
      await qty.fill(inst.min_qty);
      // Hotkeys off (the default): Enter sends nothing.
      await qty.press("Enter");
      const msg = page.locator("#form-msg");
      await waitFor("the hotkeys-off notice", async () => /Hotkeys are off/.test(await msg.innerText()), 5_000);
      assert.equal(await page.getByRole("alert").innerText(), "");
      await page.getByLabel("Hotkeys armed", { exact: true }).check();
      await qty.press("Enter"); // armed: Enter buys
      const alert = page.getByRole("alert");
      await waitFor("the rejection reason", async () => /price band/i.test(await alert.innerText()), 10_000);
      assert.match(await alert.innerText(), /Price is too far from the last trade \(outside the price band\)\./);
      assertNoProblems(problems);
    });
  });

  it("is one column on a phone-sized screen", async () => {
    await withPage(
      browser,
      "trader-phone",
      "/",
      async ({ page, problems }) => {
        await waitFor("the book to show levels", async () => (await levelRows(page).count()) >= 2, 15_000);
        const boxes = [];
        for (const name of REGIONS) {
          const box = await page.getByRole("region", { name, exact: true }).boundingBox();
          assert.ok(box, `region ${name} not visible`);
          boxes.push({ name, ...box });
        }
        const width = 390;
        for (const b of boxes) {
          assert.ok(b.x >= 0 && b.x + b.width <= width + 1, `${b.name} overflows: ${JSON.stringify(b)}`);
          assert.ok(b.width > width * 0.85, `${b.name} is not full width: ${b.width}`);
        }
        const scrollW = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(scrollW <= width + 1, `page scrolls sideways (${scrollW}px)`);
        assertNoProblems(problems);
      },
      { viewport: { width: 390, height: 844 }, touch: true },
    );
  });
});
