// The order book ladder: asks above (best at the bottom), spread and mid, bids below (best
// at the top), with cumulative depth bars, the user's own resting size per level, and price
// grouping (the tick or a multiple of it). Rows are created once and updated in place once
// per animation frame.
//
// While the pointer is over the ladder, or focus is inside it, the layout holds still: each
// row keeps the price it showed and only its sizes update (a level that emptied shows "–"),
// so a click takes the price under the pointer, never one that slid in a moment before.
// Price cells are buttons that put their price into the order form; the arrow keys move
// between them (one tab stop for the whole ladder).

import type { BookSide, OrderBook } from "../book/book";
import { groupLevels, groupOwn, type GroupLevel, type SideName } from "../book/grouping";
import { formatScaled, groupThousands, toNumber, trimZeros } from "../lib/decimal";
import { byId, setAttr, setClass, setText } from "../lib/dom";
import { compactQty } from "../lib/numfmt";
import { schedule } from "../lib/scheduler";

/** Levels (groups) shown per side. */
export const LADDER_DEPTH = 12;
/** Minimum time between two redraws. */
const LADDER_GAP_MS = 50;

interface Row {
  tr: HTMLTableRowElement;
  btn: HTMLButtonElement;
  qty: HTMLTableCellElement;
  cum: HTMLTableCellElement;
  mine: HTMLTableCellElement;
}

/** What a row shows: a group price (null: an empty row) and its quantity. */
interface Cell {
  px: bigint | null;
  qty: bigint;
}

/** One of the user's open orders, for the Mine column. */
export interface OwnOrder {
  side: "buy" | "sell";
  /** Price in ticks of the instrument's price decimals. */
  px: bigint;
  /** Remaining quantity in lots of its quantity decimals. */
  qty: bigint;
}

export type LadderState = "waiting" | "live" | "resync";

export class Ladder {
  private book: OrderBook | null = null;
  private readonly asks: Row[] = [];
  private readonly bids: Row[] = [];
  private readonly wrap: HTMLElement;
  private readonly spread: HTMLElement;
  private readonly state: HTMLElement;
  private readonly groupSelect: HTMLSelectElement;
  private own: OwnOrder[] = [];
  private step = 1n;
  private tabIndexRow: Row | null = null;
  private spreadKey = "";
  private hovered = false;
  private focused = false;
  /** Row prices held while the pointer or focus is on the ladder, best first per side. */
  private frozen: { asks: (bigint | null)[]; bids: (bigint | null)[] } | null = null;
  private shown: { asks: Cell[]; bids: Cell[] } = { asks: [], bids: [] };
  private stateText = "";
  private readonly render = (): void => this.draw();

  constructor(private readonly onPick: (price: string) => void) {
    const asksBody = byId("asks");
    const bidsBody = byId("bids");
    this.wrap = byId("ladder");
    this.spread = byId("spread");
    this.state = byId("book-state");
    this.groupSelect = byId<HTMLSelectElement>("group");
    for (let i = 0; i < LADDER_DEPTH; i++) {
      this.asks.push(this.makeRow(asksBody));
      this.bids.push(this.makeRow(bidsBody));
    }
    this.wrap.addEventListener("keydown", (e) => this.onKey(e));
    this.wrap.addEventListener("pointerenter", () => this.hold("pointer", true));
    this.wrap.addEventListener("pointerleave", () => this.hold("pointer", false));
    // Keyboard focus holds the ladder too (Enter takes the focused price); the focus a
    // mouse click leaves on a price button does not.
    this.wrap.addEventListener("focusin", (e) => {
      if ((e.target as Element).matches(":focus-visible")) this.hold("focus", true);
    });
    this.wrap.addEventListener("focusout", (e) => {
      if (!this.wrap.contains(e.relatedTarget as Node | null)) this.hold("focus", false);
    });
    this.groupSelect.addEventListener("change", () => {
      this.step = BigInt(this.groupSelect.value || "1");
      this.unfreeze();
      this.invalidate();
    });
  }

  /** Shows this book (null: none). */
  setBook(book: OrderBook | null): void {
    this.book = book;
    this.unfreeze();
    this.invalidate();
  }

  /** The grouping steps offered (tick units of `pxDecimals`), the first selected. */
  setSteps(steps: readonly bigint[], pxDecimals: number): void {
    this.groupSelect.replaceChildren(
      ...steps.map((st) => {
        const o = document.createElement("option");
        o.value = st.toString();
        o.textContent = groupThousands(trimZeros(formatScaled(st, pxDecimals), 0));
        return o;
      }),
    );
    this.step = steps[0] ?? 1n;
    this.groupSelect.value = this.step.toString();
    this.unfreeze();
    this.invalidate();
  }

  /** The user's open orders on this instrument, for the Mine column. */
  setMine(orders: OwnOrder[]): void {
    this.own = orders;
    this.invalidate();
  }

  /** Sync state shown in the panel header. */
  setState(s: LadderState, detail = ""): void {
    this.stateText = s === "live" ? detail : s === "resync" ? "Resynchronising…" : "Waiting for snapshot…";
    setAttr(this.state, "data-state", s);
    this.drawState();
    if (s !== "live") this.unfreeze();
  }

  /** Redraws in a coming frame (at most 20 times a second). */
  invalidate(): void {
    schedule(this.render, LADDER_GAP_MS);
  }

  private hold(by: "pointer" | "focus", on: boolean): void {
    if (by === "pointer") this.hovered = on;
    else this.focused = on;
    if (this.hovered || this.focused) {
      if (!this.frozen && this.book?.synced) {
        this.frozen = { asks: this.shown.asks.map((c) => c.px), bids: this.shown.bids.map((c) => c.px) };
        setAttr(this.wrap, "data-frozen", "true");
        this.drawState();
      }
    } else {
      this.unfreeze();
      this.invalidate();
    }
  }

  private unfreeze(): void {
    if (!this.frozen) return;
    this.frozen = null;
    setAttr(this.wrap, "data-frozen", "false");
    this.drawState();
  }

  private drawState(): void {
    const held = this.frozen ? "Held while the pointer is here" : "";
    setText(this.state, [held, this.stateText].filter(Boolean).join(" · "));
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
    const mine = document.createElement("td");
    mine.className = "num mine-qty";
    tr.append(px, qty, cum, mine);
    body.append(tr);
    return { tr, btn, qty, cum, mine };
  }

  /** The cells of one side, best first: the held prices, or the best groups. */
  private cells(side: BookSide, name: SideName, held: (bigint | null)[] | undefined): Cell[] {
    if (!held) {
      const groups = groupLevels(side.levels(), this.step, name, { max: LADDER_DEPTH });
      return Array.from({ length: LADDER_DEPTH }, (_, i): Cell => {
        const g = groups[i];
        return g ? { px: g.px, qty: g.qty } : { px: null, qty: 0n };
      });
    }
    const prices = held.filter((p): p is bigint => p !== null);
    if (prices.length === 0) return held.map(() => ({ px: null, qty: 0n }));
    const farthest = prices.reduce((a, b) => (name === "bids" ? (b < a ? b : a) : b > a ? b : a));
    const qty = new Map<bigint, bigint>(
      groupLevels(side.levels(), this.step, name, { through: farthest }).map((g: GroupLevel) => [g.px, g.qty]),
    );
    return held.map((px) => ({ px, qty: px === null ? 0n : (qty.get(px) ?? 0n) }));
  }

  private draw(): void {
    const book = this.book;
    if (!book || !book.synced) {
      for (const r of this.asks) this.clearRow(r);
      for (const r of this.bids) this.clearRow(r);
      this.shown = { asks: [], bids: [] };
      this.spreadKey = "";
      setText(this.spread, "–");
      return;
    }
    const asks = this.cells(book.asks, "asks", this.frozen?.asks);
    const bids = this.cells(book.bids, "bids", this.frozen?.bids);
    this.shown = { asks, bids };
    const pd = book.pxDecimals;
    const qd = book.qtyDecimals;
    const mineAsks = groupOwn(this.own.filter((o) => o.side === "sell"), this.step, "asks");
    const mineBids = groupOwn(this.own.filter((o) => o.side === "buy"), this.step, "bids");
    // Cumulative depth from the best row outward; bars relative to the deeper side.
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
      this.fillRow(this.asks[i] as Row, asks[rank], askCum[rank] ?? 0n, mineAsks, pd, qd, maxCum);
      this.fillRow(this.bids[i] as Row, bids[i], bidCum[i] ?? 0n, mineBids, pd, qd, maxCum);
    }
    this.drawSpread(book.asks, book.bids, pd);
    this.fixTabStop();
  }

  private fillRow(
    r: Row,
    c: Cell | undefined,
    cum: bigint,
    mine: Map<bigint, bigint>,
    pd: number,
    qd: number,
    maxCum: number,
  ): void {
    if (!c || c.px === null) {
      this.clearRow(r);
      return;
    }
    setClass(r.tr, "empty", false);
    const pxText = formatScaled(c.px, pd);
    if (r.btn.dataset.px !== pxText) {
      r.btn.dataset.px = pxText;
      r.btn.textContent = groupThousands(pxText);
    }
    setQty(r.qty, c.qty === 0n ? "" : formatScaled(c.qty, qd), "–");
    setQty(r.cum, formatScaled(cum, qd), "");
    const own = mine.get(c.px) ?? 0n;
    setClass(r.tr, "mine", own > 0n);
    setQty(r.mine, own > 0n ? formatScaled(own, qd) : "", "");
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
      r.mine.textContent = "";
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
      strong(groupThousands(formatScaled(spread, pd))),
      ` (${bps.toFixed(bps < 1 ? 2 : 1)} bps) · Mid `,
      strong(groupThousands(mid)),
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

/** Sets a size cell: compact text, the full value as its tooltip; `empty` when text is "". */
function setQty(cell: HTMLElement, text: string, empty: string): void {
  const shown = text === "" ? empty : compactQty(text);
  setText(cell, shown);
  const full = text !== "" && shown !== groupThousands(text) ? groupThousands(text) : "";
  if (cell.title !== full) cell.title = full;
}

function cumulative(cells: Cell[]): bigint[] {
  const out: bigint[] = [];
  let acc = 0n;
  for (const c of cells) {
    acc += c.qty;
    out.push(acc);
  }
  return out;
}

function strong(text: string): HTMLElement {
  const s = document.createElement("strong");
  s.textContent = text;
  return s;
}
