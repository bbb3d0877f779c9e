// Retakes the README's screenshots, docs/screenshot-trader.png and docs/screenshot-viewer.png,
// at 1440×900 with the built UI against a running server with the simulator on: the one at
// TICKCAST_URL, or ../bin/tickcast started here (as the browser tests do). On the trader
// screen it places a resting limit buy, buys a little at market and cancels a sell, through
// the UI, so that open orders, the order history, fills, the chart's order line and fill
// marker have something to show. Waits on conditions, never on fixed sleeps.
//
// Usage: npm run screenshots [-- --out DIR] [-- --phone]   (--phone adds 390×844 shots)

import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { decimalsOf, fromUnits, launch, startServer, toUnits, waitFor, webDir } from "../e2e/harness.mjs";

const args = process.argv.slice(2);
const outIdx = args.indexOf("--out");
const outDir = resolve(outIdx >= 0 ? args[outIdx + 1] : join(webDir, "..", "docs"));
const phone = args.includes("--phone");
mkdirSync(outDir, { recursive: true });

let server = null;
let base = process.env.TICKCAST_URL?.replace(/\/+$/, "");
if (!base) {
  server = await startServer();
  base = server.url;
}
process.env.TICKCAST_URL = base;
console.log(`screenshots: ${base} → ${outDir}`);

const getJSON = async (path) => (await fetch(base + path)).json();
let browser = null;
try {
  browser = await launch();
  await trader({ width: 1440, height: 900 }, join(outDir, "screenshot-trader.png"), true);
  await viewer({ width: 1440, height: 900 }, join(outDir, "screenshot-viewer.png"));
  if (phone) {
    await trader({ width: 390, height: 844 }, join(outDir, "screenshot-trader-phone.png"), false);
    await viewer({ width: 390, height: 844 }, join(outDir, "screenshot-viewer-phone.png"));
  }
} finally {
  await browser?.close();
  await server?.stop(); // also when the browser failed to start: no server left behind
}

async function newPage(viewport) {
  const small = viewport.width < 700;
  const context = await browser.newContext({ viewport, baseURL: base, deviceScaleFactor: 1, hasTouch: small, isMobile: small });
  return { context, page: await context.newPage() };
}

async function trader(viewport, file, trade) {
  const { context, page } = await newPage(viewport);
  await page.goto("/");
  const book = page.getByRole("region", { name: "Order book", exact: true });
  await waitFor("the ladder", async () => (await book.getByRole("button", { name: /^\d/ }).count()) >= 10, 30_000);
  const buy = page.getByRole("button", { name: "Buy", exact: true });
  await waitFor("Buy enabled", () => buy.isEnabled(), 30_000);
  await waitFor("candles", async () => Number(await page.locator("#chart").getAttribute("data-bars")) > 0, 30_000);
  if (trade) {
    const symbol = await page.getByLabel("Symbol", { exact: true }).inputValue();
    const inst = (await getJSON("/api/v1/instruments")).find((i) => i.s === symbol);
    const pd = decimalsOf(inst.tick);
    const snap = await getJSON(`/api/v1/book/${symbol}`);
    const ask = toUnits(snap.asks[0][0], pd);
    const tick = toUnits(inst.tick, pd);
    /** bp basis points of px, at least one tick, on the tick grid. */
    const off = (px, bp) => {
      let d = (px * BigInt(bp)) / 10000n;
      d -= d % tick;
      return d < tick ? tick : d;
    };
    const orders = page.getByRole("region", { name: "Open orders", exact: true });
    const history = page.getByRole("region", { name: "Order history", exact: true });
    const fills = page.getByRole("region", { name: "Fills", exact: true });
    const send = async (type, side, qty, px) => {
      await page.getByLabel("Type", { exact: true }).selectOption(type);
      if (px) await page.getByLabel("Price", { exact: true }).fill(px);
      await page.getByLabel("Quantity", { exact: true }).fill(qty);
      await page.getByRole("button", { name: side, exact: true }).click();
    };
    // A sell far above the market, canceled: a line in the history.
    await send("limit", "Sell", "0.0500", fromUnits(ask + off(ask, 300), pd));
    await waitFor("the sell under Open orders", async () => (await orders.getByRole("button", { name: "Cancel", exact: true }).count()) === 1);
    await orders.getByRole("button", { name: "Cancel", exact: true }).click();
    await waitFor("the cancel in the history", async () => (await history.locator("tbody tr").count()) >= 1);
    // A small market buy: a fill, a marker, a filled order.
    await send("market", "Buy", "0.0300");
    await waitFor("the fill", async () => (await fills.locator("tbody tr").count()) >= 1, 15_000);
    // A resting buy joining the fifth bid level: an open order, a line on the chart, and its
    // size in the ladder's Mine column.
    const now = await getJSON(`/api/v1/book/${symbol}`);
    const level = now.bids[Math.min(4, now.bids.length - 1)][0];
    await send("limit", "Buy", "0.2500", level);
    await waitFor("the resting buy", async () => (await orders.locator("tbody tr").count()) === 1);
    await page.getByLabel("Quantity", { exact: true }).fill("");
    await page.evaluate(() => (document.activeElement instanceof HTMLElement ? document.activeElement.blur() : undefined));
  }
  await page.mouse.move(viewport.width - 5, viewport.height - 5);
  await waitFor("the depth chart", async () => Number(await page.locator("#depth").getAttribute("data-bid-points")) > 0);
  await waitFor("the latency readout", async () => /\d/.test(await page.locator("#latency").innerText()), 30_000);
  await page.screenshot({ path: file });
  console.log(`screenshots: ${file}`);
  await context.close();
}

async function viewer(viewport, file) {
  const { context, page } = await newPage(viewport);
  await page.goto("/viewer");
  const rows = page.getByRole("region", { name: "Tickers", exact: true }).locator("tbody tr");
  await waitFor(
    "tickers with bid and ask",
    async () => {
      const cells = await rows.locator("td.bid").allTextContents();
      return cells.length > 0 && cells.every((t) => /\d/.test(t));
    },
    30_000,
  );
  // Let the sparklines gather some samples (one a second).
  await waitFor(
    "sparklines",
    async () => {
      const pts = await page.locator("svg.spark polyline").evaluateAll((ls) => ls.map((l) => (l.getAttribute("points") ?? "").trim().split(" ").length));
      return pts.length > 0 && Math.min(...pts) >= 20;
    },
    60_000,
    500,
  );
  await waitFor("the latency readout", async () => /\d/.test(await page.locator("#latency").innerText()), 30_000);
  await page.screenshot({ path: file });
  console.log(`screenshots: ${file}`);
  await context.close();
}
