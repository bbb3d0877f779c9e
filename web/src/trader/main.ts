// Entry point of the trader screen ("/"): loads the instruments, connects, and wires the
// market data, the account and the components together.

import { Backoff } from "../lib/backoff";
import { groupThousands } from "../lib/decimal";
import { byId, setClass, setText } from "../lib/dom";
import { schedule } from "../lib/scheduler";
import { Connection, sameOriginWsUrl } from "../net/connection";
import { fetchInstruments } from "../net/rest";
import { errorText } from "../protocol/reasons";
import type { Instrument, ServerMessage } from "../protocol/types";
import { BalancesView } from "./balances";
import { CandleChart } from "./chart";
import { Ladder } from "./ladder";
import { Market, type Interval } from "./market";
import { OrderForm } from "./orderform";
import { FillsView, OrdersView } from "./orders";
import { ConnStatus, startLatencyReadout } from "./status";
import { TapeView, TradeList } from "./tape";
import { FILLS_KEEP, Trading } from "./trading";

const PREFS_KEY = "tickcast.trader.prefs.v1";

interface Prefs {
  symbol?: string;
  interval?: Interval;
}

function loadPrefs(): Prefs {
  try {
    return JSON.parse(localStorage.getItem(PREFS_KEY) ?? "{}") as Prefs;
  } catch {
    return {};
  }
}

function savePrefs(p: Prefs): void {
  try {
    localStorage.setItem(PREFS_KEY, JSON.stringify(p));
  } catch {
    // storage unavailable: preferences last for this page only
  }
}

async function loadInstruments(pill: HTMLElement): Promise<Instrument[]> {
  const backoff = new Backoff({ baseMs: 1000, maxMs: 15_000 });
  for (;;) {
    try {
      const list = await fetchInstruments();
      if (list.length > 0) return list;
      throw new Error("no instruments");
    } catch (err) {
      const delay = backoff.next();
      pill.dataset.state = "waiting";
      setText(pill, `Cannot load instruments (${String(err)}); retrying in ${Math.ceil(delay / 1000)}s`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

async function main(): Promise<void> {
  const pill = byId("conn");
  const instruments = await loadInstruments(pill);
  const bySymbol = new Map(instruments.map((i) => [i.s, i]));
  const prefs = loadPrefs();
  const fromUrl = new URLSearchParams(location.search).get("symbol") ?? "";
  const initial =
    [fromUrl, prefs.symbol ?? ""].find((s) => bySymbol.has(s)) ?? (instruments[0] as Instrument).s;

  // ---- connection (handlers refer to the objects created below; none runs before start())
  const conn = new Connection(sameOriginWsUrl(), {
    onReady: (w, fresh) => {
      market.onReady(w, fresh);
      void trading.onReady();
    },
    onMessage: (m) => route(m),
    onState: (s) => {
      status.set(s);
      if (s.kind !== "live") {
        trading.onDisconnected();
        if (market.book?.synced) ladder.setState("live", "stale: disconnected");
      }
    },
  });
  const status = new ConnStatus(
    pill,
    byId("conn-retry"),
    byId<HTMLButtonElement>("reconnect"),
    () => conn.reconnectNow(),
  );
  startLatencyReadout(byId("latency"), conn.latency, conn.clock);

  // ---- components
  const form = new OrderForm({
    place: (r) => trading.place(r),
    bestPrice: (side) => {
      const b = market.book;
      if (!b?.synced) return undefined;
      return (side === "buy" ? b.asks.at(0) : b.bids.at(0))?.pxText;
    },
  });
  const ladder = new Ladder((px) => form.setPrice(px));
  const chart = new CandleChart(byId("chart"));
  const tradeList = new TradeList();
  const tape = new TapeView(byId("tape"), tradeList);
  const ordersView = new OrdersView({
    open: () => trading.open.values(),
    cancel: (oid) => trading.cancel(oid),
    cancelAll: () => trading.cancelAll(),
  });
  const fillsView = new FillsView(() => trading.fills, FILLS_KEEP);

  const priceOf = (asset: string): string | undefined => {
    if (asset === "USD") return "1";
    const s = `${asset}-USD`;
    const last = market.tickers.get(s)?.last;
    if (last) return last;
    return bySymbol.get(s)?.ref || undefined;
  };
  /** Whether every held asset is priced from a live ticker (not only a reference price). */
  const pricesFinal = (): boolean => {
    const acc = trading.lastAccount;
    if (!acc) return false;
    return Object.keys(acc.balances).every(
      (a) => a === "USD" || !bySymbol.has(`${a}-USD`) || market.tickers.has(`${a}-USD`),
    );
  };
  const balances = new BalancesView({
    account: () => trading.lastAccount,
    priceOf,
    startEquity: () => trading.stored?.startEquity,
    onEquity: (total) => {
      if (pricesFinal()) trading.setStartEquity(total);
    },
  });

  // ---- market data
  const summary = {
    last: byId("sum-last"),
    change: byId("sum-change"),
    high: byId("sum-high"),
    low: byId("sum-low"),
    vol: byId("sum-vol"),
  };
  const drawSummary = (): void => {
    const t = market.tickers.get(market.symbol);
    setText(summary.last, t?.last || "–");
    setText(summary.high, t?.high || "–");
    setText(summary.low, t?.low || "–");
    setText(summary.vol, t?.vol ? groupThousands(t.vol) : "–");
    const ch = t?.change ?? "";
    const up = ch !== "" && !ch.startsWith("-") && !/^[0.]*$/.test(ch);
    const down = ch.startsWith("-");
    setText(summary.change, ch ? `${up ? "+" : ""}${ch}%` : "–");
    setClass(summary.change, "up", up);
    setClass(summary.change, "down", down);
    document.title = t?.last ? `${t.last} ${market.symbol} · tickcast` : "tickcast · trader";
  };

  const market = new Market(conn, bySymbol, tradeList, {
    ladder,
    tape,
    chart,
    ticker: (s) => {
      if (s === market.symbol) schedule(drawSummary, 100);
      balances.invalidate();
    },
    book: () => {},
  });

  const markMine = (): void => {
    const prices = new Set<string>();
    for (const o of trading.open.values()) if (o.s === market.symbol && o.px) prices.add(o.px);
    ladder.setMine(prices);
  };

  // ---- account and orders
  const trading = new Trading(conn, {
    state: (s, detail) => {
      const ready = s === "ready";
      form.setReady(ready, ready ? "" : (detail ?? (s === "offline" ? "Waiting for the connection…" : "")));
      ordersView.setReady(ready);
      status.note(s === "authenticating" ? "signing in" : s === "account" ? "creating account" : s === "error" ? "account error" : "");
      if (s === "error" && detail) setText(byId("form-error"), detail);
    },
    orders: () => {
      ordersView.invalidate();
      markMine();
    },
    fills: () => fillsView.invalidate(),
    account: () => balances.invalidate(),
    orderUpdate: (o) => form.orderUpdate(o),
    fill: () => {},
  });

  const route = (m: ServerMessage): void => {
    if (market.handle(m) || trading.handle(m)) return;
    if (m.t === "error") {
      // Errors not tied to a pending request (e.g. a subscription refused).
      console.warn(`server error ${m.code}: ${m.msg}`);
      status.note(errorText(m.code));
    }
  };

  // ---- controls
  const select = byId<HTMLSelectElement>("symbol");
  select.replaceChildren(
    ...instruments.map((i) => {
      const o = document.createElement("option");
      o.value = i.s;
      o.textContent = i.s;
      return o;
    }),
  );
  select.value = initial;
  select.disabled = false;
  const choose = (s: string): void => {
    const inst = bySymbol.get(s);
    if (!inst) return;
    market.select(s);
    form.setInstrument(inst);
    markMine();
    drawSummary();
    prefs.symbol = s;
    savePrefs(prefs);
    const url = new URL(location.href);
    url.searchParams.set("symbol", s);
    history.replaceState(null, "", url);
  };
  select.addEventListener("change", () => choose(select.value));

  const ivButtons: Record<Interval, HTMLButtonElement> = {
    "1s": byId<HTMLButtonElement>("iv-1s"),
    "1m": byId<HTMLButtonElement>("iv-1m"),
  };
  const setIv = (iv: Interval): void => {
    market.setInterval(iv);
    for (const [k, b] of Object.entries(ivButtons)) b.setAttribute("aria-pressed", String(k === iv));
    prefs.interval = iv;
    savePrefs(prefs);
  };
  ivButtons["1s"].addEventListener("click", () => setIv("1s"));
  ivButtons["1m"].addEventListener("click", () => setIv("1m"));
  setIv(prefs.interval === "1s" ? "1s" : "1m");

  byId<HTMLButtonElement>("new-account").addEventListener("click", () => {
    if (confirm("Replace the demo account with a new one? Open orders stay on the old account.")) {
      void trading.newAccount();
      balances.invalidate();
    }
  });

  choose(initial);
  market.watchTickers();
  conn.start();
}

void main();
