// The ticker board: one row per symbol with last, change, high, low, volume and a
// sparkline of the last two minutes, the last price flashing on every change. Updates
// are batched per animation frame; each row keeps a fixed number of samples.

import { cmpDec, groupThousands, floatOf, parseDecimal } from "../lib/decimal";
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

interface Row {
  symbol: string;
  tr: HTMLTableRowElement;
  last: HTMLTableCellElement;
  change: HTMLTableCellElement;
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
    const change = el("td", "num change");
    const high = el("td", "num wide");
    const low = el("td", "num wide");
    const vol = el("td", "num wide");
    const sparkCell = el("td", "spark-col");
    const spark = new Sparkline();
    sparkCell.append(spark.svg);
    tr.append(th, last, change, high, low, vol, sparkCell);
    r = {
      symbol,
      tr,
      last,
      change,
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
      setText(r.last, d.last || "–");
      setText(r.high, d.high || "–");
      setText(r.low, d.low || "–");
      setText(r.vol, d.vol ? groupThousands(d.vol) : "–");
      const up = d.change !== "" && !d.change.startsWith("-") && !/^[0.]*$/.test(d.change);
      const down = d.change.startsWith("-");
      setText(r.change, d.change ? `${up ? "+" : ""}${d.change}%` : "–");
      setClass(r.change, "up", up);
      setClass(r.change, "down", down);
      if (r.pendingFlash !== 0) {
        const dir = r.pendingFlash > 0 ? "up" : "down";
        r.flashParity = !r.flashParity;
        const cls = `f-${dir}-${r.flashParity ? "a" : "b"}`;
        r.last.classList.remove("f-up-a", "f-up-b", "f-down-a", "f-down-b");
        r.last.classList.add(cls);
        setClass(r.last, "tick-up", dir === "up");
        setClass(r.last, "tick-down", dir === "down");
        r.pendingFlash = 0;
      }
      r.spark.draw(r.samples, SPARK_SLOTS);
    }
  }
}
