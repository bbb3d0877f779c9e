// The trade tape: the most recent trades of the selected instrument, newest on top,
// coloured by the aggressor's side. The model is capped and deduplicated by trade id (REST
// history and the live stream overlap); the view prepends new rows once per frame.

import { el } from "../lib/dom";
import { compactQty, grouped } from "../lib/numfmt";
import { schedule } from "../lib/scheduler";
import { clockMs } from "../lib/timefmt";
import type { Side } from "../protocol/types";

/** One trade as the tape keeps it. */
export interface TapeTrade {
  id: number;
  px: string;
  qty: string;
  side: Side;
  tsMs: number;
}

/** Trades kept in memory. */
export const TAPE_KEEP = 200;
/** Trades shown. */
export const TAPE_SHOW = 40;

/** Capped, id-ordered trade list (pure; unit tested). */
export class TradeList {
  /** Oldest first. */
  private items: TapeTrade[] = [];
  /** Bumped on every change that is not a pure append. */
  generation = 0;
  /** Trades appended since the generation changed. */
  appended = 0;

  constructor(private readonly keep = TAPE_KEEP) {}

  get size(): number {
    return this.items.length;
  }

  /** The newest trade id held, 0 when empty. */
  get lastId(): number {
    return this.items[this.items.length - 1]?.id ?? 0;
  }

  /** Newest first, at most n. */
  newest(n: number): TapeTrade[] {
    return this.items.slice(-n).reverse();
  }

  clear(): void {
    this.items = [];
    this.generation++;
    this.appended = 0;
  }

  /** Adds a live trade; false when already held (an id not after the newest). */
  add(t: TapeTrade): boolean {
    if (this.items.length > 0 && t.id <= this.lastId) {
      if (this.items.some((x) => x.id === t.id)) return false;
      this.merge([t]);
      return true;
    }
    this.items.push(t);
    this.appended++;
    if (this.items.length > this.keep * 1.25) this.items = this.items.slice(-this.keep);
    return true;
  }

  /** Merges a batch (REST history) by id, keeping the newest `keep`. */
  merge(ts: readonly TapeTrade[]): void {
    const byId = new Map<number, TapeTrade>();
    for (const t of this.items) byId.set(t.id, t);
    for (const t of ts) if (!byId.has(t.id)) byId.set(t.id, t);
    this.items = [...byId.values()].sort((a, b) => a.id - b.id).slice(-this.keep);
    this.generation++;
    this.appended = 0;
  }
}

/** Reads a trade from a REST item or a `trade` message; null if it lacks a field. */
export function toTapeTrade(v: unknown): TapeTrade | null {
  if (typeof v !== "object" || v === null) return null;
  const o = v as Record<string, unknown>;
  const id = typeof o.id === "bigint" ? Number(o.id) : o.id;
  const ts = typeof o.ts === "bigint" ? Number(o.ts) : o.ts;
  if (typeof id !== "number" || typeof o.px !== "string" || typeof o.qty !== "string") return null;
  const side: Side = o.side === "sell" ? "sell" : "buy";
  return { id, px: o.px, qty: o.qty, side, tsMs: typeof ts === "number" ? ts / 1e6 : Date.now() };
}

/** The tape's DOM view. */
export class TapeView {
  private shownGeneration = -1;
  private shownAppended = 0;
  private readonly render = (): void => this.draw();

  constructor(
    private readonly body: HTMLElement,
    private readonly list: TradeList,
  ) {}

  /** Redraws in a coming frame, at most 10 times a second (readable, and cheap to paint). */
  invalidate(): void {
    schedule(this.render, 100);
  }

  private draw(): void {
    const l = this.list;
    if (l.generation !== this.shownGeneration || l.appended - this.shownAppended > TAPE_SHOW) {
      this.body.replaceChildren(...l.newest(TAPE_SHOW).map(row));
    } else {
      const fresh = l.appended - this.shownAppended;
      if (fresh <= 0) return;
      // newest(fresh) is newest first, which is the order they go on top.
      const frag = document.createDocumentFragment();
      for (const t of l.newest(fresh)) frag.append(row(t));
      this.body.prepend(frag);
      while (this.body.childElementCount > TAPE_SHOW) this.body.lastElementChild?.remove();
    }
    this.shownGeneration = l.generation;
    this.shownAppended = l.appended;
  }
}

function row(t: TapeTrade): HTMLTableRowElement {
  const tr = el("tr", t.side);
  const px = el("td", "px num");
  const arrow = el("span", "arrow", t.side === "buy" ? "▲" : "▼");
  arrow.setAttribute("aria-hidden", "true");
  px.append(arrow, el("span", "sr-only", t.side === "buy" ? "buy " : "sell "), grouped(t.px));
  const qty = el("td", "num", compactQty(t.qty));
  if (qty.textContent !== grouped(t.qty)) qty.title = grouped(t.qty);
  tr.append(px, qty, el("td", "num t", clockMs(t.tsMs)));
  return tr;
}
