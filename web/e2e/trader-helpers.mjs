// Helpers shared by the trader screen's browser tests: finding the ladder's rows, waiting for
// the page to be ready, prices computed exactly from the server's own book, and orders placed
// through the form.

import assert from "node:assert/strict";
import { decimalsOf, fromUnits, getJSON, toUnits, waitFor } from "./harness.mjs";

/** Rows of the ladder that show a level (their price is a button). */
export function levelRows(page) {
  return page
    .getByRole("region", { name: "Order book", exact: true })
    .getByRole("row")
    .filter({ has: page.getByRole("button", { name: /^\d/ }) });
}

/** The instrument selected on the page, as GET /api/v1/instruments describes it. */
export async function selectedInstrument(page) {
  const symbol = await page.getByLabel("Symbol", { exact: true }).inputValue();
  const list = await getJSON("/api/v1/instruments");
  const inst = list.find((i) => i.s === symbol);
  assert.ok(inst, `instrument ${symbol} not in /api/v1/instruments`);
  return inst;
}

/** Waits for levels in the ladder and an enabled Buy (signed in, data flowing). */
export async function waitReady(page) {
  await waitFor("the book to show levels", async () => (await levelRows(page).count()) >= 2, 20_000);
  const buy = page.getByRole("button", { name: "Buy", exact: true });
  await waitFor("Buy to be enabled (account signed in)", () => buy.isEnabled(), 20_000);
}

/** A price string with thousands separators, as the page shows prices. */
export function grouped(price) {
  const [i, f] = price.split(".");
  const g = i.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return f === undefined ? g : `${g}.${f}`;
}

/**
 * A limit price `permille` ‰ (at least one tick) below the best bid (side buy) or above the
 * best ask (sell) of the server's book: inside the band and away from the touch, so that it
 * rests while the test runs.
 */
export async function restingPrice(inst, side, permille) {
  const pd = decimalsOf(inst.tick);
  const tick = toUnits(inst.tick, pd);
  const book = await getJSON(`/api/v1/book/${encodeURIComponent(inst.s)}`);
  const lvl = side === "buy" ? book.bids?.[0] : book.asks?.[0];
  assert.ok(lvl, `the book of ${inst.s} has no ${side === "buy" ? "bids" : "asks"}`);
  const best = toUnits(lvl[0], pd);
  let off = (best * BigInt(permille)) / 1000n;
  off -= off % tick;
  if (off < tick) off = tick;
  return fromUnits(side === "buy" ? best - off : best + off, pd);
}

/** Fills the form and clicks Buy or Sell; `tif` (time in force) for a limit order, if given. */
export async function placeOrder(page, { type = "limit", side = "Buy", qty, price, tif }) {
  await page.getByLabel("Type", { exact: true }).selectOption(type);
  if (type === "limit") await page.getByLabel("Price", { exact: true }).fill(price);
  if (tif) await page.getByLabel("Time in force", { exact: true }).selectOption(tif);
  await page.getByLabel("Quantity", { exact: true }).fill(qty);
  await page.getByRole("button", { name: side, exact: true }).click();
}

/** The open-order row showing `price`, as a locator. */
export function openOrderRow(page, price) {
  return page
    .getByRole("region", { name: "Open orders", exact: true })
    .getByRole("row")
    .filter({ hasText: grouped(price) });
}

/** The body rows of a table in the region named `name`. */
export function tableRows(page, name) {
  return page.getByRole("region", { name, exact: true }).locator("tbody tr");
}

/**
 * Fills the tables: a resting limit buy (an open order with Amend and Cancel) and a market
 * buy of the minimum size (a fill). Returns the resting order's price.
 */
export async function openOrderAndFill(page, inst) {
  const price = await restingPrice(inst, "buy", 4);
  await placeOrder(page, { side: "Buy", qty: inst.min_qty, price });
  await placeOrder(page, { type: "market", side: "Buy", qty: inst.min_qty });
  await waitFor(
    "an open order and a fill",
    async () => (await openOrderRow(page, price).count()) === 1 && (await tableRows(page, "Fills").count()) >= 1,
    15_000,
  );
  return price;
}
