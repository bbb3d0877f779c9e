// The ticker board: one row per symbol with last, change, best bid, best ask, spread, high,
// low, volume and a sparkline of the last two minutes, the last price flashing on every
// change. Tickers and quotes come from their own streams (each with its own seq). Updates
// are batched per animation frame; each row keeps a fixed number of samples.

import { cmpDec, floatOf, formatDec, parseDecimal, subDec } from "../lib/decimal";
import { compactQty, grouped } from "../lib/numfmt";
import { el, setClass, setText } from "../lib/dom";
import { schedule } from "../lib/scheduler";
import { Sparkline } from "./sparkline";

/** Samples per sparkline (one per second). */
export const SPARK_SLOTS = 120;

export interface TickerFields {
  s: string;
  last?: string;
  high?: string;
  low?: string;
  vol?: string;
  change?: string;
  seq?: number;
  /** Engine timestamp, ns. */
  ts?: number;
}

/** A best bid and offer (protocol.md 5.4); an empty side has no price. */
export interface QuoteFields {
  s: string;
  bid?: string;
  bid_qty?: string;
  ask?: string;
  ask_qty?: string;
  seq?: number;
  ts?: number;
}

/**
 * One value per second for the `slots` seconds before nowMs from 1 s candles (REST items,
 * oldest first): each second's close, the previous close carried through seconds without
 * trades. Seconds before the first candle are left out. Floats: drawing only.
 */
export function sparkSeed(candles: readonly unknown[], nowMs: number, slots: number): number[] {
  const closes = new Map<number, number>();
  for (const c of candles) {
    if (typeof c !== "object" || c === null) continue;
    const o = c as { start?: unknown; c?: unknown };
    if (typeof o.start !== "number" || typeof o.c !== "string") continue;
    const v = floatOf(o.c);
    if (Number.isFinite(v)) closes.set(Math.floor(o.start / 1e9), v);
  }
  const end = Math.floor(nowMs / 1000);
  const out: number[] = [];
  let last: number | undefined;
  for (let t = end - slots + 1; t <= end; t++) {
    last = closes.get(t) ?? last;
    if (last !== undefined) out.push(last);
  }
  return out;
}

/** ask − bid with the prices' decimals, or "" when a side is missing. */
export function spreadOf(bid: string | undefined, ask: string | undefined): string {
  const b = bid ? parseDecimal(bid) : null;
  const a = ask ? parseDecimal(ask) : null;
  return a && b ? formatDec(subDec(a, b)) : "";
}

interface Row {
  symbol: string;
  tr: HTMLTableRowElement;
  last: HTMLTableCellElement;
  lastPx: HTMLElement;
  /** The change again under the last price, shown on phones instead of its column. */
  lastChg: HTMLElement;
  change: HTMLTableCellElement;
  bid: HTMLTableCellElement;
  bidPx: HTMLElement;
  /** The ask again under the bid, shown on phones instead of its column. */
  bidAsk: HTMLElement;
  ask: HTMLTableCellElement;
  spread: HTMLTableCellElement;
  quote: { bid: string; bidQty: string; ask: string; askQty: string; seq: number; ts: number };
  high: HTMLTableCellElement;
  low: HTMLTableCellElement;
  vol: HTMLTableCellElement;
  spark: Sparkline;
  data: Required<Omit<TickerFields, "s" | "ts">>;
  /** ts of the ticker shown, ns (0 when unknown). */
  ts: number;
  samples: number[];
  /** Direction of the last price change not yet shown. */
  pendingFlash: 0 | 1 | -1;
  flashParity: boolean;
  dirty: boolean;
}

export class TickerBoard {
  private readonly rows = new Map<string, Row>();
  private readonly order: string[] = [];
  private readonly render = (): void => this.draw();

  constructor(
    private readonly body: HTMLElement,
    private readonly empty: HTMLElement,
  ) {}

  /** Declares the symbols in display order (instrument list). */
  setSymbols(symbols: readonly string[]): void {
    for (const s of symbols) this.row(s);
  }

  /** Forgets the sequence numbers (a new feed history: seq restarts). */
  resetSeq(symbol?: string): void {
    for (const r of this.rows.values()) if (!symbol || r.symbol === symbol) r.data.seq = 0;
  }

  /** Applies a ticker (SSE event or REST); older seqs than the one shown are ignored. */
  update(t: TickerFields): void {
    const r = this.row(t.s);
    // Older than shown: skip. A lower seq with a newer ts means the feed's history
    // restarted (seq went back), not an old value.
    const newer = t.ts !== undefined && r.ts > 0 && t.ts > r.ts;
    if (t.seq !== undefined && t.seq > 0 && r.data.seq > 0 && t.seq <= r.data.seq && !newer) return;
    if (t.ts !== undefined) r.ts = t.ts;
    const prev = r.data.last;
    if (t.last !== undefined && t.last !== "" && prev !== "" && t.last !== prev) {
      const a = parseDecimal(t.last);
      const b = parseDecimal(prev);
      if (a && b) r.pendingFlash = cmpDec(a, b) > 0 ? 1 : cmpDec(a, b) < 0 ? -1 : r.pendingFlash;
    }
    r.data = {
      last: t.last ?? r.data.last,
      high: t.high ?? r.data.high,
      low: t.low ?? r.data.low,
      vol: t.vol ?? r.data.vol,
      change: t.change ?? r.data.change,
      seq: t.seq ?? r.data.seq,
    };
    // The newest sample follows the price within its second.
    const v = floatOf(r.data.last);
    if (Number.isFinite(v)) {
      if (r.samples.length === 0) r.samples.push(v);
      else r.samples[r.samples.length - 1] = v;
    }
    this.touch(r);
  }

  /** Starts a new sample slot for every symbol (called once a second). */
  sample(): void {
    for (const r of this.rows.values()) {
      const v = floatOf(r.data.last);
      if (!Number.isFinite(v)) continue;
      r.samples.push(v);
      if (r.samples.length > SPARK_SLOTS) r.samples.splice(0, r.samples.length - SPARK_SLOTS);
      this.touch(r);
    }
  }

  /** Applies a quote; older seqs than the one shown are ignored (same rule as tickers). */
  updateQuote(q: QuoteFields): void {
    const r = this.row(q.s);
    const cur = r.quote;
    const newer = q.ts !== undefined && cur.ts > 0 && q.ts > cur.ts;
    if (q.seq !== undefined && q.seq > 0 && cur.seq > 0 && q.seq <= cur.seq && !newer) return;
    r.quote = {
      bid: q.bid ?? "",
      bidQty: q.bid_qty ?? "",
      ask: q.ask ?? "",
      askQty: q.ask_qty ?? "",
      seq: q.seq ?? cur.seq,
      ts: q.ts ?? cur.ts,
    };
    this.touch(r);
  }

  /** Forgets the quotes' sequence numbers (a new feed history). */
  resetQuoteSeq(symbol?: string): void {
    for (const r of this.rows.values()) if (!symbol || r.symbol === symbol) r.quote.seq = 0;
  }

  /** Puts history (one value per second, oldest first) before the samples gathered so far. */
  seed(symbol: string, values: readonly number[]): void {
    if (values.length === 0) return;
    const r = this.row(symbol);
    r.samples = [...values, ...r.samples].slice(-SPARK_SLOTS);
    this.touch(r);
  }

  /** Current last prices, by symbol (for tests and the page). */
  lasts(): Map<string, string> {
    return new Map([...this.rows.values()].map((r) => [r.symbol, r.data.last]));
  }

  private touch(r: Row): void {
    r.dirty = true;
    schedule(this.render, 50);
  }

  private row(symbol: string): Row {
    let r = this.rows.get(symbol);
    if (r) return r;
    const tr = el("tr");
    tr.dataset.symbol = symbol;
    const th = el("th");
    th.scope = "row";
    const a = el("a", "", symbol);
    a.href = `/?symbol=${encodeURIComponent(symbol)}`;
    th.append(a);
    const last = el("td", "num last");
    const lastPx = el("span", "px");
    const lastChg = el("span", "sub change");
    last.append(lastPx, lastChg);
    const change = el("td", "num change");
    const bid = el("td", "num bid");
    const bidPx = el("span", "px");
    const bidAsk = el("span", "sub ask");
    bid.append(bidPx, bidAsk);
    const ask = el("td", "num ask");
    const spread = el("td", "num spread");
    const high = el("td", "num wide");
    const low = el("td", "num wide");
    const vol = el("td", "num wide");
    const sparkCell = el("td", "spark-col");
    const spark = new Sparkline();
    sparkCell.append(spark.svg);
    tr.append(th, last, change, bid, ask, spread, high, low, vol, sparkCell);
    r = {
      symbol,
      tr,
      last,
      lastPx,
      lastChg,
      change,
      bid,
      bidPx,
      bidAsk,
      ask,
      spread,
      quote: { bid: "", bidQty: "", ask: "", askQty: "", seq: 0, ts: 0 },
      high,
      low,
      vol,
      spark,
      data: { last: "", high: "", low: "", vol: "", change: "", seq: 0 },
      ts: 0,
      samples: [],
      pendingFlash: 0,
      flashParity: false,
      dirty: true,
    };
    this.rows.set(symbol, r);
    this.order.push(symbol);
    this.body.append(tr);
    this.empty.hidden = true;
    return r;
  }

  private draw(): void {
    for (const r of this.rows.values()) {
      if (!r.dirty) continue;
      r.dirty = false;
      const d = r.data;
      setText(r.lastPx, d.last ? grouped(d.last) : "–");
      setText(r.high, d.high ? grouped(d.high) : "–");
      setText(r.low, d.low ? grouped(d.low) : "–");
      setText(r.vol, d.vol ? compactQty(d.vol) : "–");
      r.vol.title = d.vol ? grouped(d.vol) : "";
      const q = r.quote;
      setText(r.bidPx, q.bid ? grouped(q.bid) : "–");
      setText(r.bidAsk, q.ask ? grouped(q.ask) : "–");
      r.bid.title = q.bid ? `${grouped(q.bidQty)} bid at ${grouped(q.bid)}` : "No bids";
      setText(r.ask, q.ask ? grouped(q.ask) : "–");
      r.ask.title = q.ask ? `${grouped(q.askQty)} offered at ${grouped(q.ask)}` : "No offers";
      const sp = spreadOf(q.bid, q.ask);
      setText(r.spread, sp ? grouped(sp) : "–");
      const mid = q.bid && q.ask ? (floatOf(q.bid) + floatOf(q.ask)) / 2 : 0;
      r.spread.title = sp && mid > 0 ? `${((floatOf(sp) / mid) * 10_000).toFixed(2)} bps of the mid` : "";
      const up = d.change !== "" && !d.change.startsWith("-") && !/^[0.]*$/.test(d.change);
      const down = d.change.startsWith("-");
      const chg = d.change ? `${up ? "+" : ""}${d.change}%` : "–";
      for (const c of [r.change, r.lastChg]) {
        setText(c, chg);
        setClass(c, "up", up);
        setClass(c, "down", down);
      }
      if (r.pendingFlash !== 0) {
        const dir = r.pendingFlash > 0 ? "up" : "down";
        r.flashParity = !r.flashParity;
        const cls = `f-${dir}-${r.flashParity ? "a" : "b"}`;
        r.lastPx.classList.remove("f-up-a", "f-up-b", "f-down-a", "f-down-b");
        r.lastPx.classList.add(cls);
        setClass(r.last, "tick-up", dir === "up");
        setClass(r.last, "tick-down", dir === "down");
        r.pendingFlash = 0;
      }
      r.spark.draw(r.samples, SPARK_SLOTS);
    }
  }
}
