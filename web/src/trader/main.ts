// Entry point of the trader screen ("/"): loads the instruments, connects, and wires the
// market data, the account and the components together.

import { groupSteps } from "../book/grouping";
import { Backoff } from "../lib/backoff";
import { decimalsOf, parseScaled } from "../lib/decimal";
import { byId, prefersReducedMotion, setClass, setText } from "../lib/dom";
import { compactQty, grouped } from "../lib/numfmt";
import { schedule } from "../lib/scheduler";
import { Connection, sameOriginWsUrl } from "../net/connection";
import { fetchInstruments } from "../net/rest";
import { errorText } from "../protocol/reasons";
import type { Instrument, ServerMessage } from "../protocol/types";
import { BalancesView } from "./balances";
import { INTERVALS, isInterval, type Interval } from "./candles";
import { CandleChart } from "./chart";
import { DepthChart } from "./depth";
import { FILLS_KEEP, remainingOf } from "./history";
import { FillsView, OrderHistoryView } from "./history_view";
import { Ladder, type OwnOrder } from "./ladder";
import { Market } from "./market";
import { OrderForm } from "./orderform";
import { OrdersView } from "./orders";
import { ConnStatus, startLatencyReadout } from "./status";
import { TapeView, TradeList } from "./tape";
import { Trading } from "./trading";

/** Assets shown as money (two decimals) besides every quote currency. */
const FIAT = new Set(["USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD"]);

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
  const moneyAssets = new Set([...FIAT, ...instruments.map((i) => i.quote)]);
  const isMoney = (asset: string): boolean => moneyAssets.has(asset);
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
      syncReady();
    },
    onStale: (stale) => {
      status.setStale(stale, () => conn.silentMs);
      if (market.book?.synced) ladder.setState("live", stale ? "stale: no data" : "");
      syncReady();
    },
  });
  const status = new ConnStatus(
    pill,
    byId("conn-retry"),
    byId<HTMLButtonElement>("reconnect"),
    () => conn.reconnectNow(),
  );
  startLatencyReadout(byId("latency"), conn.latency, conn.clock, () => status.flowing);

  // ---- components
  const form = new OrderForm({
    place: (r) => trading.place(r),
    bestPrice: (side) => {
      const b = market.book;
      if (!b?.synced) return undefined;
      return (side === "buy" ? b.asks.at(0) : b.bids.at(0))?.pxText;
    },
    book: () => market.book,
    available: (asset) => trading.lastAccount?.balances[asset]?.available,
    isMoney,
    last: () => market.tickers.get(market.symbol)?.last || bySymbol.get(market.symbol)?.ref || undefined,
  });
  const formPanel = byId("order-form");
  const ladder = new Ladder((px) => {
    form.setPrice(px);
    // On a narrow screen the form is out of sight below the book: bring it up.
    const r = formPanel.getBoundingClientRect();
    if (r.top < 0 || r.bottom > window.innerHeight) {
      formPanel.scrollIntoView({ block: "start", behavior: prefersReducedMotion() ? "auto" : "smooth" });
    }
  });
  const depth = new DepthChart(byId<HTMLCanvasElement>("depth"), byId("depth-summary"), byId("depth-readout"));
  const chart = new CandleChart(byId("chart"));
  const tradeList = new TradeList();
  const tape = new TapeView(byId("tape"), tradeList);
  const ordersView = new OrdersView({
    open: () => trading.open.values(),
    created: (oid) => trading.created.get(oid),
    instrument: (s) => bySymbol.get(s),
    cancel: (oid) => trading.cancel(oid),
    cancelAll: () => trading.cancelAll(),
    amend: (oid, change) => trading.amend(oid, change),
  });

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
    isMoney,
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
    setText(summary.last, t?.last ? grouped(t.last) : "–");
    setText(summary.high, t?.high ? grouped(t.high) : "–");
    setText(summary.low, t?.low ? grouped(t.low) : "–");
    setText(summary.vol, t?.vol ? compactQty(t.vol) : "–");
    summary.vol.title = t?.vol ? `${grouped(t.vol)} ${bySymbol.get(market.symbol)?.base ?? ""}` : "";
    const ch = t?.change ?? "";
    const up = ch !== "" && !ch.startsWith("-") && !/^[0.]*$/.test(ch);
    const down = ch.startsWith("-");
    setText(summary.change, ch ? `${up ? "+" : ""}${ch}%` : "–");
    setClass(summary.change, "up", up);
    setClass(summary.change, "down", down);
    document.title = t?.last ? `${grouped(t.last)} ${market.symbol} · tickcast` : "tickcast · trader";
  };

  const market = new Market(conn, bySymbol, tradeList, {
    ladder,
    tape,
    chart,
    ticker: (s) => {
      if (s === market.symbol) {
        schedule(drawSummary, 100);
        form.refresh();
      }
      balances.invalidate();
    },
    book: () => {
      depth.invalidate();
      form.refresh();
    },
  });

  const markMine = (): void => {
    const inst = bySymbol.get(market.symbol);
    const own: OwnOrder[] = [];
    if (inst) {
      const pd = decimalsOf(inst.tick);
      const qd = decimalsOf(inst.lot);
      for (const o of trading.open.values()) {
        if (o.s !== market.symbol || !o.px) continue;
        const px = parseScaled(o.px, pd);
        const qty = parseScaled(remainingOf(o), qd);
        if (px !== null && qty !== null && qty > 0n) own.push({ side: o.side, px, qty });
      }
    }
    ladder.setMine(own);
    chart.setOrders(trading.open.values());
  };

  // ---- account and orders
  const trading = new Trading(conn, {
    state: (s, detail) => {
      tradingDetail = s === "ready" ? "" : (detail ?? (s === "offline" ? "Waiting for the connection…" : ""));
      tradingReady = s === "ready";
      syncReady();
      status.note(s === "authenticating" ? "signing in" : s === "account" ? "creating account" : s === "error" ? "account error" : "");
      if (s === "error" && detail) setText(byId("form-error"), detail);
    },
    orders: () => {
      ordersView.invalidate();
      markMine();
    },
    fills: () => {
      fillsView.invalidate();
      chart.setFills(trading.fills.list());
    },
    history: () => historyView.invalidate(),
    account: () => {
      balances.invalidate();
      form.refresh();
    },
    orderUpdate: (o) => form.orderUpdate(o),
    fill: () => {},
  });
  const historyView = new OrderHistoryView(trading.history);
  const fillsView = new FillsView(trading.fills, FILLS_KEEP);

  let tradingReady = false;
  let tradingDetail = "";
  /** Order entry is open when signed in and data flows (not while stale or offline). */
  function syncReady(): void {
    const flowing = status.flowing;
    const ready = tradingReady && flowing;
    const why = !flowing && conn.isLive
      ? "Stale: nothing has arrived for over 2 seconds. Order entry is paused until data flows again."
      : tradingDetail;
    form.setReady(ready, ready ? "" : why);
    ordersView.setReady(ready);
  }

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
    depth.setBook(market.book, inst.base);
    const pd = decimalsOf(inst.tick);
    ladder.setSteps(groupSteps(parseScaled(inst.tick, pd) ?? 1n), pd);
    form.setInstrument(inst);
    markMine();
    chart.setFills(trading.fills.list());
    drawSummary();
    prefs.symbol = s;
    savePrefs(prefs);
    const url = new URL(location.href);
    url.searchParams.set("symbol", s);
    history.replaceState(null, "", url);
  };
  select.addEventListener("change", () => choose(select.value));

  const ivButtons = new Map<Interval, HTMLButtonElement>(INTERVALS.map((iv) => [iv, byId<HTMLButtonElement>(`iv-${iv}`)]));
  const setIv = (iv: Interval): void => {
    market.setInterval(iv);
    chart.setOrders(trading.open.values());
    chart.setFills(trading.fills.list());
    for (const [k, b] of ivButtons) b.setAttribute("aria-pressed", String(k === iv));
    prefs.interval = iv;
    savePrefs(prefs);
  };
  for (const [iv, b] of ivButtons) b.addEventListener("click", () => setIv(iv));
  setIv(isInterval(prefs.interval) ? prefs.interval : "1m");

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
