// Helpers shared by the trader screen's browser tests: finding the ladder's rows, waiting for
// the page to be ready, prices computed exactly from the server's own book, orders placed
// through the form, and a second trader that speaks the WebSocket protocol from Node.

import assert from "node:assert/strict";
import { decode, encode } from "@msgpack/msgpack";
import { baseURL, decimalsOf, fromUnits, getJSON, toUnits, waitFor } from "./harness.mjs";

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

/**
 * Another trader, beside the page's: a new demo account (POST /api/v1/accounts) on its own
 * WebSocket, speaking docs/protocol.md in msgpack from Node. It authenticates with
 * cancel_on_disconnect, so its orders go when its socket closes whatever happens to the test.
 * (Node 20 has WebSocket behind --experimental-websocket, which run.mjs passes.)
 *
 * Returns { account, request(op), next(what, pred, timeoutMs), close() }: request sends an
 * operation with a fresh id and resolves with the reply carrying that id (an `order`,
 * `error`, `subscribed`, `canceled_all`, …); next resolves with the first message from now on
 * that pred accepts. `balances` (the last `account` message's), `orders` (the latest state by
 * cid), `fills` and `quotes` (the latest per symbol subscribed to) follow its messages.
 */
export async function protocolTrader() {
  assert.equal(typeof WebSocket, "function", "no WebSocket in this Node: run it with --experimental-websocket (e2e/run.mjs does)");
  const r = await fetch(`${baseURL()}/api/v1/accounts`, { method: "POST" });
  assert.equal(r.status, 201, `POST /api/v1/accounts: HTTP ${r.status}`);
  const { account, token } = await r.json();
  const ws = new WebSocket(`${baseURL().replace(/^http/, "ws")}/ws`, "tickcast.v1.msgpack");
  ws.binaryType = "arraybuffer";
  const waiters = new Set();
  let closed = null;
  let lastId = 0;
  const trader = {
    account,
    fills: [],
    orders: new Map(),
    quotes: new Map(),
    next(what, pred, timeoutMs = 10_000) {
      return new Promise((ok, fail) => {
        if (closed) return fail(new Error(`${account}'s socket ${closed} before ${what}`));
        const w = { pred, ok, fail, what };
        w.timer = setTimeout(() => {
          waiters.delete(w);
          fail(new Error(`timed out after ${timeoutMs} ms waiting for ${what} on ${account}'s socket`));
        }, timeoutMs);
        waiters.add(w);
      });
    },
    request(op) {
      const id = ++lastId;
      const reply = trader.next(`the reply to ${op.op} ${id}`, (m) => m.id === id);
      ws.send(encode({ ...op, id }));
      return reply;
    },
    async close() {
      if (closed) return;
      const done = new Promise((ok) => ws.addEventListener("close", ok, { once: true }));
      ws.close(1000);
      await done;
    },
  };
  ws.addEventListener("message", (ev) => {
    const m = decode(new Uint8Array(ev.data));
    if (m.t === "fill") trader.fills.push(m);
    if (m.t === "order") trader.orders.set(m.cid, m);
    if (m.t === "quote") trader.quotes.set(m.s, m);
    if (m.t === "account") trader.balances = m.balances;
    for (const w of [...waiters]) {
      if (!w.pred(m)) continue;
      waiters.delete(w);
      clearTimeout(w.timer);
      w.ok(m);
    }
  });
  const end = (why) => {
    closed ??= why;
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.fail(new Error(`${account}'s socket ${why} before ${w.what}`));
    }
    waiters.clear();
  };
  ws.addEventListener("close", (ev) => end(`closed (${ev.code} ${ev.reason})`));
  ws.addEventListener("error", () => end("failed"));
  try {
    await trader.next("welcome", (m) => m.t === "welcome");
    const snapshot = trader.next("the account snapshot", (m) => m.t === "account");
    snapshot.catch(() => {}); // awaited below, unless auth failed
    const authed = await trader.request({ op: "auth", token, cancel_on_disconnect: true });
    assert.equal(authed.t, "authed", `auth: ${JSON.stringify(authed)}`);
    await snapshot;
  } catch (err) {
    ws.close();
    throw err;
  }
  return trader;
}
