// The order book ladder: asks above (best at the bottom), spread and mid, bids below (best
// at the top), with cumulative depth bars. Rows are created once and updated in place once
// per animation frame. Price cells are buttons that put their price into the order form;
// the arrow keys move between them (one tab stop for the whole ladder).

import type { BookSide, Level, OrderBook } from "../book/book";
import { formatScaled, toNumber } from "../lib/decimal";
import { byId, setAttr, setClass, setText } from "../lib/dom";
import { schedule } from "../lib/scheduler";

/** Levels shown per side. */
export const LADDER_DEPTH = 12;
/** Minimum time between two redraws. */
const LADDER_GAP_MS = 50;

interface Row {
  tr: HTMLTableRowElement;
  btn: HTMLButtonElement;
  qty: HTMLTableCellElement;
  cum: HTMLTableCellElement;
}

export type LadderState = "waiting" | "live" | "resync";

export class Ladder {
  private book: OrderBook | null = null;
  private readonly asks: Row[] = [];
  private readonly bids: Row[] = [];
  private readonly spread: HTMLElement;
  private readonly state: HTMLElement;
  private mine = new Set<string>();
  private tabIndexRow: Row | null = null;
  private spreadKey = "";
  private readonly render = (): void => this.draw();

  constructor(private readonly onPick: (price: string) => void) {
    const asksBody = byId("asks");
    const bidsBody = byId("bids");
    this.spread = byId("spread");
    this.state = byId("book-state");
    for (let i = 0; i < LADDER_DEPTH; i++) {
      this.asks.push(this.makeRow(asksBody));
      this.bids.push(this.makeRow(bidsBody));
    }
    byId("ladder").addEventListener("keydown", (e) => this.onKey(e));
  }

  /** Shows this book (null: none). */
  setBook(book: OrderBook | null): void {
    this.book = book;
    this.invalidate();
  }

  /** Prices (wire strings) where the user has open orders, marked with a dot. */
  setMine(prices: Set<string>): void {
    this.mine = prices;
    this.invalidate();
  }

  /** Sync state shown in the panel header. */
  setState(s: LadderState, detail = ""): void {
    const text =
      s === "live" ? detail : s === "resync" ? "Resynchronising…" : "Waiting for snapshot…";
    setText(this.state, text);
    setAttr(this.state, "data-state", s);
  }

  /** Redraws in a coming frame (at most 20 times a second). */
  invalidate(): void {
    schedule(this.render, LADDER_GAP_MS);
  }

  private makeRow(body: HTMLElement): Row {
    const tr = document.createElement("tr");
    tr.className = "lvl empty";
    const px = document.createElement("td");
    px.className = "px num";
    const btn = document.createElement("button");
    btn.type = "button";
    btn.tabIndex = -1;
    btn.addEventListener("click", () => {
      const p = btn.dataset.px;
      if (p) this.onPick(p);
    });
    px.append(btn);
    const qty = document.createElement("td");
    qty.className = "num";
    const cum = document.createElement("td");
    cum.className = "num muted";
    tr.append(px, qty, cum);
    body.append(tr);
    return { tr, btn, qty, cum };
  }

  private draw(): void {
    const book = this.book;
    if (!book || !book.synced) {
      for (const r of this.asks) this.clearRow(r);
      for (const r of this.bids) this.clearRow(r);
      this.spreadKey = "";
      setText(this.spread, "–");
      return;
    }
    const asks = book.asks.top(LADDER_DEPTH);
    const bids = book.bids.top(LADDER_DEPTH);
    const qd = book.qtyDecimals;
    // Cumulative depth from the best price outward; bars relative to the deeper side.
    const askCum = cumulative(asks);
    const bidCum = cumulative(bids);
    const maxCum = Math.max(
      toNumber(askCum[askCum.length - 1] ?? 0n, qd),
      toNumber(bidCum[bidCum.length - 1] ?? 0n, qd),
      Number.MIN_VALUE,
    );
    // Asks: row 0 is the farthest shown, the last row the best ask.
    for (let i = 0; i < LADDER_DEPTH; i++) {
      const rank = LADDER_DEPTH - 1 - i;
      this.fillRow(this.asks[i] as Row, asks[rank], askCum[rank], qd, maxCum);
      this.fillRow(this.bids[i] as Row, bids[i], bidCum[i], qd, maxCum);
    }
    this.drawSpread(book.asks, book.bids, book.pxDecimals);
    this.fixTabStop();
  }

  private fillRow(
    r: Row,
    l: Level | undefined,
    cum: bigint | undefined,
    qd: number,
    maxCum: number,
  ): void {
    if (!l || cum === undefined) {
      this.clearRow(r);
      return;
    }
    setClass(r.tr, "empty", false);
    setClass(r.tr, "mine", this.mine.has(l.pxText));
    if (r.btn.dataset.px !== l.pxText) {
      r.btn.dataset.px = l.pxText;
      r.btn.textContent = l.pxText;
    }
    setText(r.qty, l.qtyText);
    setText(r.cum, formatScaled(cum, qd));
    const d = Math.min(1, toNumber(cum, qd) / maxCum).toFixed(3);
    if (r.tr.style.getPropertyValue("--d") !== d) r.tr.style.setProperty("--d", d);
  }

  private clearRow(r: Row): void {
    setClass(r.tr, "empty", true);
    setClass(r.tr, "mine", false);
    if (r.btn.dataset.px) {
      delete r.btn.dataset.px;
      r.btn.textContent = "";
      r.qty.textContent = "";
      r.cum.textContent = "";
      r.tr.style.setProperty("--d", "0");
    }
  }

  private drawSpread(asks: BookSide, bids: BookSide, pd: number): void {
    const a = asks.at(0);
    const b = bids.at(0);
    if (!a || !b) {
      this.spreadKey = "";
      setText(this.spread, a || b ? "One-sided book" : "Empty book");
      return;
    }
    const spread = a.px - b.px;
    const sum = a.px + b.px;
    // The mid can fall between two ticks: show it with one more decimal then.
    const mid = sum % 2n === 0n ? formatScaled(sum / 2n, pd) : formatScaled(sum * 5n, pd + 1);
    const bps = ((2 * toNumber(spread, pd)) / toNumber(sum, pd)) * 10_000;
    const key = `${a.pxText}|${b.pxText}`;
    if (this.spreadKey === key) return;
    this.spreadKey = key;
    this.spread.replaceChildren(
      "Spread ",
      strong(formatScaled(spread, pd)),
      ` (${bps.toFixed(bps < 1 ? 2 : 1)} bps) · Mid `,
      strong(mid),
    );
  }

  /** Keeps exactly one price button in the tab order: the focused one, else the best bid. */
  private fixTabStop(): void {
    const focused = this.allRows().find((r) => r.btn === document.activeElement);
    let target = focused ?? null;
    if (!target || !target.btn.dataset.px) {
      target = this.bids[0]?.btn.dataset.px ? (this.bids[0] as Row) : null;
      target ??= [...this.asks].reverse().find((r) => r.btn.dataset.px) ?? null;
    }
    if (target === this.tabIndexRow) return;
    if (this.tabIndexRow) this.tabIndexRow.btn.tabIndex = -1;
    if (target) target.btn.tabIndex = 0;
    this.tabIndexRow = target;
  }

  private allRows(): Row[] {
    return [...this.asks, ...this.bids];
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key !== "ArrowUp" && e.key !== "ArrowDown" && e.key !== "Home" && e.key !== "End") {
      return;
    }
    const rows = this.allRows().filter((r) => r.btn.dataset.px);
    const i = rows.findIndex((r) => r.btn === document.activeElement);
    if (i < 0) return;
    e.preventDefault();
    let j = i;
    if (e.key === "ArrowUp") j = Math.max(0, i - 1);
    else if (e.key === "ArrowDown") j = Math.min(rows.length - 1, i + 1);
    else if (e.key === "Home") j = 0;
    else j = rows.length - 1;
    const row = rows[j] as Row;
    if (this.tabIndexRow) this.tabIndexRow.btn.tabIndex = -1;
    row.btn.tabIndex = 0;
    this.tabIndexRow = row;
    row.btn.focus();
  }
}

function cumulative(levels: Level[]): bigint[] {
  const out: bigint[] = [];
  let acc = 0n;
  for (const l of levels) {
    acc += l.qty;
    out.push(acc);
  }
  return out;
}

function strong(text: string): HTMLElement {
  const s = document.createElement("strong");
  s.textContent = text;
  return s;
}
