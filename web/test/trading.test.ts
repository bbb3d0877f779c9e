import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Connection } from "../src/net/connection";
import type { OrderMsg } from "../src/protocol/types";
import { clearAccount } from "../src/trader/account";
import { Trading, type TradingState } from "../src/trader/trading";
import { FakeConn, stubFetch, tick } from "./fakes";

function setup() {
  clearAccount(); // no stored account: a first visit
  const conn = new FakeConn();
  const states: TradingState[] = [];
  let accounts = 0;
  const fetches = stubFetch((method, url) => {
    if (method === "GET" && url.startsWith("/api/v1/account/")) return [];
    assert.equal(`${method} ${url}`, "POST /api/v1/accounts");
    accounts++;
    return { account: `a_${accounts}`, token: `tok_${accounts}` };
  });
  const trading = new Trading(
    conn as unknown as Connection,
    {
      state: (s) => states.push(s),
      orders: () => {},
      fills: () => {},
      history: () => {},
      account: () => {},
      orderUpdate: () => {},
      fill: () => {},
    },
    { minCreateGapMs: 0 },
  );
  return { conn, trading, states, fetches };
}

const order = (o: Partial<OrderMsg>): OrderMsg => ({
  t: "order", oid: 1001, cid: "c", s: "BTC-USD", side: "buy", type: "limit", tif: "gtc",
  post_only: false, px: "100.00", qty: "1.0000", filled: "0.0000", avg_px: "", status: "new",
  seq: 1, ts: 0, ...o,
});

describe("Trading", () => {
  it("creates a demo account on first visit, then authenticates with its token", async () => {
    const { conn, trading, states, fetches } = setup();
    await trading.onReady();
    assert.deepEqual(fetches, ["POST /api/v1/accounts"]);
    const auth = conn.last("auth");
    assert.equal(auth?.token, "tok_1");
    trading.handle({ t: "authed", id: auth?.id as number, account: "a_1" });
    assert.equal(trading.state, "ready");
    assert.deepEqual(states, ["account", "authenticating", "ready"]);
  });

  it("replaces the account when auth answers invalid_token", async () => {
    const { conn, trading, fetches } = setup();
    await trading.onReady();
    const auth = conn.last("auth");
    trading.handle({ t: "error", id: auth?.id as number, code: "invalid_token", msg: "unknown key" });
    await tick(10);
    assert.equal(fetches.length, 2);
    assert.equal(conn.last("auth")?.token, "tok_2");
    assert.equal(trading.stored?.token, "tok_2");
  });

  it("correlates an order's reply by id and keeps open orders", async () => {
    const { conn, trading } = setup();
    await trading.onReady();
    trading.handle({ t: "authed", id: conn.last("auth")?.id as number, account: "a_1" });
    const p = trading.place({ s: "BTC-USD", side: "buy", type: "limit", qty: "1.0000", px: "100.00", tif: "gtc" });
    const op = conn.last("order");
    assert.ok(op && op.id !== undefined && /^[A-Za-z0-9_-]{1,36}$/.test(op.cid));
    assert.equal(op.post_only, false);
    trading.handle(order({ id: op.id, cid: op.cid, status: "new" }));
    const out = await p;
    assert.equal(out.kind, "order");
    assert.equal(trading.open.size, 1);
    trading.handle(order({ status: "canceled", reason: "user", seq: 2 }));
    assert.equal(trading.open.size, 0);
  });

  it("reports a rejection with its reason", async () => {
    const { conn, trading } = setup();
    await trading.onReady();
    trading.handle({ t: "authed", id: conn.last("auth")?.id as number, account: "a_1" });
    const p = trading.place({ s: "BTC-USD", side: "buy", type: "limit", qty: "1.0000", px: "1.00" });
    trading.handle(order({ id: conn.last("order")?.id as number, status: "rejected", reason: "price_band" }));
    const out = await p;
    assert.ok(out.kind === "order" && out.order.reason === "price_band");
    assert.equal(trading.open.size, 0);
  });

  it("sends market orders without price, tif or post_only", async () => {
    const { conn, trading } = setup();
    await trading.onReady();
    trading.handle({ t: "authed", id: conn.last("auth")?.id as number, account: "a_1" });
    void trading.place({ s: "BTC-USD", side: "sell", type: "market", qty: "1.0000", px: "5.00", tif: "fok", postOnly: true });
    const op = conn.last("order");
    assert.ok(op);
    assert.deepEqual(
      Object.keys(op).sort(),
      ["cid", "id", "op", "qty", "s", "side", "type"],
    );
  });

  it("refuses to send before it is signed in, and fails pending requests on disconnect", async () => {
    const { conn, trading } = setup();
    assert.equal((await trading.place({ s: "X", side: "buy", type: "market", qty: "1" })).kind, "offline");
    await trading.onReady();
    trading.handle({ t: "authed", id: conn.last("auth")?.id as number, account: "a_1" });
    const p = trading.cancel(1001);
    trading.onDisconnected();
    assert.equal((await p).kind, "offline");
  });

  it("authenticates again when private messages were lost", async () => {
    const { conn, trading } = setup();
    await trading.onReady();
    trading.handle({ t: "authed", id: conn.last("auth")?.id as number, account: "a_1" });
    const auths = () => conn.sent.filter((o) => o.op === "auth").length;
    trading.handle({ t: "account", account: "a_1", balances: {}, seq: 5, ts: 0 });
    trading.handle({ t: "account", account: "a_1", balances: {}, seq: 6, ts: 0 });
    assert.equal(auths(), 1);
    trading.handle({ t: "account", account: "a_1", balances: {}, seq: 9, ts: 0 });
    assert.equal(auths(), 2);
  });
});

describe("Trading history over REST", () => {
  function signedIn(answers: { orders?: unknown; fills?: unknown }) {
    clearAccount();
    const conn = new FakeConn();
    const fetches = stubFetch((method, url) => {
      if (url.startsWith("/api/v1/account/orders")) return answers.orders ?? [];
      if (url.startsWith("/api/v1/account/fills")) return answers.fills ?? [];
      return { account: "a_1", token: "tok_1" };
    });
    let historyEvents = 0;
    let fillEvents = 0;
    const trading = new Trading(
      conn as unknown as Connection,
      {
        state: () => {},
        orders: () => {},
        fills: () => fillEvents++,
        history: () => historyEvents++,
        account: () => {},
        orderUpdate: () => {},
        fill: () => {},
      },
      { minCreateGapMs: 0 },
    );
    return { conn, trading, fetches, counts: () => ({ historyEvents, fillEvents }) };
  }

  it("loads ended orders, fills and creation times after every authed", async () => {
    const ended = order({ oid: 5, cid: "x", status: "canceled", reason: "user", seq: 7, ts: 900 });
    const open = order({ oid: 6, cid: "y", status: "new", seq: 9, ts: 2000 });
    const f = { t: "fill", oid: 4, cid: "z", trade_id: 3, s: "BTC-USD", side: "buy", px: "100.00", qty: "0.1000", liq: "taker", seq: 3, ts: 500 };
    const { conn, trading, fetches } = signedIn({
      orders: [{ ...ended, created: 800 }, { ...open, created: 1500 }, { t: "order", junk: true }],
      fills: [f, { t: "fill" }],
    });
    await trading.onReady();
    trading.handle({ t: "authed", id: conn.last("auth")?.id as number, account: "a_1" });
    // The auth snapshot restates the open order with the current seq: not its creation.
    trading.handle({ t: "account", account: "a_1", balances: {}, seq: 9, ts: 2000 });
    trading.handle(open);
    await tick(10);
    assert.ok(fetches.includes("GET /api/v1/account/orders?limit=1000"));
    assert.ok(fetches.includes("GET /api/v1/account/fills?limit=1000"));
    assert.deepEqual(trading.history.list().map((o) => o.oid), [5]);
    assert.deepEqual(trading.fills.list().map((x) => x.trade_id), [3]);
    assert.equal(trading.created.get(6), 1500);
    assert.equal(trading.open.size, 1);
  });

  it("merges live messages with what REST brought, and drops an open order REST says ended", async () => {
    const { conn, trading } = signedIn({
      orders: [{ ...order({ oid: 8, status: "filled", seq: 20, ts: 3000 }), created: 2500 }],
    });
    await trading.onReady();
    trading.handle({ t: "authed", id: conn.last("auth")?.id as number, account: "a_1" });
    trading.handle({ t: "account", account: "a_1", balances: {}, seq: 15, ts: 2600 });
    trading.handle(order({ oid: 8, status: "partially_filled", seq: 15, ts: 2600 }));
    assert.equal(trading.open.size, 1);
    await tick(10);
    assert.equal(trading.open.size, 0);
    assert.equal(trading.history.list()[0]?.status, "filled");
    // The same end arriving live later changes nothing.
    assert.equal(trading.history.add(order({ oid: 8, status: "filled", seq: 20, ts: 3000 })), false);
  });

  it("takes a fresh new order's time as its creation, and records its end", async () => {
    const { conn, trading } = signedIn({});
    await trading.onReady();
    trading.handle({ t: "authed", id: conn.last("auth")?.id as number, account: "a_1" });
    trading.handle({ t: "account", account: "a_1", balances: {}, seq: 0, ts: 1 });
    trading.handle(order({ oid: 11, status: "new", seq: 1, ts: 4242 }));
    assert.equal(trading.created.get(11), 4242);
    trading.handle(order({ oid: 11, status: "canceled", reason: "user", seq: 2, ts: 5000 }));
    assert.equal(trading.open.size, 0);
    assert.equal(trading.history.list()[0]?.oid, 11);
  });

  it("sends an amend with only the fields that change, and reports a refusal's reason", async () => {
    const { conn, trading } = signedIn({});
    await trading.onReady();
    trading.handle({ t: "authed", id: conn.last("auth")?.id as number, account: "a_1" });
    const p = trading.amend(11, { qty: "0.4000" });
    const op = conn.last("amend");
    assert.deepEqual(Object.keys(op ?? {}).sort(), ["id", "oid", "op", "qty"]);
    trading.handle({ t: "error", id: op?.id as number, code: "bad_request", msg: "amend rejected: price_band", reason: "price_band" } as never);
    const out = await p;
    assert.ok(out.kind === "error" && out.reason === "price_band");
  });
});
