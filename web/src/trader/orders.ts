// Open orders (newest first): time, id, instrument, side, type, price, quantity, filled,
// average price and status, with Amend and Cancel per row and Cancel all. Amend opens a row
// with "New price" and "New quantity" and Save (protocol.md 4.6), and says before sending
// whether the change keeps the order's place in the queue (a lower quantity does; a new
// price or a larger quantity puts it at the back of its level). Rows are keyed by order id
// and updated in place once per frame.

import { decimalsOf, parseScaled, readStepInput } from "../lib/decimal";
import { byId, el, setText } from "../lib/dom";
import { grouped } from "../lib/numfmt";
import { schedule } from "../lib/scheduler";
import { clock } from "../lib/timefmt";
import { errorText, rejectText, type ReasonContext } from "../protocol/reasons";
import type { Instrument, OrderMsg } from "../protocol/types";
import type { Outcome } from "./trading";

export interface OrdersDeps {
  open(): Iterable<OrderMsg>;
  /** When an order was placed (ns since the epoch), if known. */
  created(oid: number): number | undefined;
  instrument(symbol: string): Instrument | undefined;
  cancel(oid: number): Promise<Outcome>;
  cancelAll(): Promise<Outcome>;
  amend(oid: number, change: { px?: string; qty?: string }): Promise<Outcome>;
}

interface AmendRow {
  tr: HTMLTableRowElement;
  px: HTMLInputElement;
  qty: HTMLInputElement;
  save: HTMLButtonElement;
  hint: HTMLElement;
}

interface OrderRow {
  tr: HTMLTableRowElement;
  cells: HTMLTableCellElement[];
  amendBtn: HTMLButtonElement;
  cancelBtn: HTMLButtonElement;
  amend: AmendRow | null;
}

/** Columns before the actions: time, id, symbol, side, type, price, qty, filled, avg, status. */
const CELL_CLASSES = ["num t", "num", "sym", "", "", "num", "num", "num", "num", ""];
const COLUMNS = CELL_CLASSES.length + 1;

export const STATUS_TEXT: Record<string, string> = {
  new: "Open",
  partially_filled: "Partly filled",
  filled: "Filled",
  canceled: "Canceled",
  expired: "Expired",
  rejected: "Rejected",
};

/** "Limit", "Limit IOC · post", "Market". */
export function typeText(o: Pick<OrderMsg, "type" | "tif" | "post_only">): string {
  return (
    (o.type === "market" ? "Market" : "Limit") +
    (o.type === "limit" && o.tif && o.tif !== "gtc" ? ` ${o.tif.toUpperCase()}` : "") +
    (o.post_only ? " · post" : "")
  );
}

/** A time of day from ns, with the full date as a tooltip. */
export function setTime(cell: HTMLElement, ns: number | undefined): void {
  if (!ns) {
    setText(cell, "–");
    cell.title = "";
    return;
  }
  const ms = ns / 1e6;
  setText(cell, clock(ms));
  cell.title = new Date(ms).toLocaleString();
}

/** Whether an amend keeps the order's queue priority: only a lower quantity does. */
export function keepsPriority(o: Pick<OrderMsg, "px" | "qty">, px: string, qty: string): boolean {
  if (px !== o.px) return false;
  const d = decimalsOf(o.qty);
  const now = parseScaled(o.qty, d);
  const next = parseScaled(qty, d);
  return now !== null && next !== null && next <= now;
}

function ctxOf(i: Instrument | undefined): ReasonContext {
  if (!i) return {};
  return { tick: i.tick, lot: i.lot, minQty: i.min_qty, maxQty: i.max_qty, bandPct: i.band_pct, base: i.base, quote: i.quote };
}

export class OrdersView {
  private readonly body = byId("orders");
  private readonly empty = byId("orders-empty");
  private readonly cancelAllBtn = byId<HTMLButtonElement>("cancel-all");
  private readonly msg = byId("orders-msg");
  private readonly rows = new Map<number, OrderRow>();
  private ready = false;
  private readonly busy = new Set<number>();
  private readonly render = (): void => this.draw();

  constructor(private readonly deps: OrdersDeps) {
    this.cancelAllBtn.addEventListener("click", () => void this.cancelAll());
  }

  invalidate(): void {
    schedule(this.render);
  }

  setReady(ready: boolean): void {
    this.ready = ready;
    this.invalidate();
  }

  private async cancelAll(): Promise<void> {
    this.cancelAllBtn.disabled = true;
    const out = await this.deps.cancelAll();
    if (out.kind === "canceled_all") {
      setText(this.msg, out.count === 1 ? "1 order canceled." : `${out.count} orders canceled.`);
    } else this.report(out, "Nothing was canceled.");
    this.invalidate();
  }

  private async cancel(oid: number): Promise<void> {
    this.busy.add(oid);
    this.invalidate();
    const out = await this.deps.cancel(oid);
    this.busy.delete(oid);
    if (out.kind === "order") setText(this.msg, `Order ${oid} canceled.`);
    else this.report(out, "Nothing was canceled.");
    this.invalidate();
  }

  private report(out: Outcome, offline: string, ctx: ReasonContext = {}): void {
    if (out.kind === "error") setText(this.msg, out.reason ? rejectText(out.reason, ctx) : errorText(out.code, ctx));
    else if (out.kind === "timeout") setText(this.msg, "No answer from the server; the list will update when it answers.");
    else if (out.kind === "offline") setText(this.msg, `Not connected: ${offline}`);
  }

  private draw(): void {
    const orders = [...this.deps.open()].sort((a, b) => b.oid - a.oid);
    const keep = new Set<number>();
    let prev: HTMLTableRowElement | null = null;
    for (const o of orders) {
      keep.add(o.oid);
      let r = this.rows.get(o.oid);
      if (!r) {
        r = this.makeRow(o.oid);
        this.rows.set(o.oid, r);
      }
      this.fill(r, o);
      // Keep DOM order = sorted order, moving only rows that are out of place.
      for (const tr of r.amend ? [r.tr, r.amend.tr] : [r.tr]) {
        const want: ChildNode | null = prev ? prev.nextSibling : this.body.firstChild;
        if (want !== tr) this.body.insertBefore(tr, want);
        prev = tr;
      }
    }
    for (const [oid, r] of this.rows) {
      if (!keep.has(oid)) {
        r.tr.remove();
        r.amend?.tr.remove();
        this.rows.delete(oid);
      }
    }
    this.empty.hidden = orders.length > 0;
    this.cancelAllBtn.disabled = !this.ready || orders.length === 0;
  }

  private fill(r: OrderRow, o: OrderMsg): void {
    const c = r.cells;
    setTime(c[0] as HTMLTableCellElement, this.deps.created(o.oid));
    const texts = [
      String(o.oid),
      o.s,
      o.side === "buy" ? "Buy" : "Sell",
      typeText(o),
      o.px ? grouped(o.px) : "market",
      grouped(o.qty),
      grouped(o.filled),
      o.avg_px ? grouped(o.avg_px) : "–",
      STATUS_TEXT[o.status] ?? o.status,
    ];
    texts.forEach((t, i) => setText(c[i + 1] as HTMLTableCellElement, t));
    c[3]?.classList.toggle("side-buy", o.side === "buy");
    c[3]?.classList.toggle("side-sell", o.side === "sell");
    const busy = this.busy.has(o.oid);
    r.cancelBtn.disabled = !this.ready || busy;
    r.amendBtn.disabled = !this.ready || busy || o.type !== "limit";
    if (r.amend) {
      r.amend.save.disabled = !this.ready || busy;
      this.hint(r.amend, o);
    }
  }

  private makeRow(oid: number): OrderRow {
    const tr = el("tr");
    tr.dataset.oid = String(oid);
    const cells: HTMLTableCellElement[] = [];
    for (const cls of CELL_CLASSES) {
      const td = el("td", cls);
      cells.push(td);
      tr.append(td);
    }
    const act = el("td", "actions");
    const amendBtn = el("button", "small", "Amend");
    amendBtn.type = "button";
    amendBtn.setAttribute("aria-expanded", "false");
    const cancelBtn = el("button", "small", "Cancel");
    cancelBtn.type = "button";
    act.append(amendBtn, cancelBtn);
    tr.append(act);
    const row: OrderRow = { tr, cells, amendBtn, cancelBtn, amend: null };
    amendBtn.addEventListener("click", () => this.toggleAmend(oid, row));
    cancelBtn.addEventListener("click", () => void this.cancel(oid));
    return row;
  }

  private current(oid: number): OrderMsg | undefined {
    for (const o of this.deps.open()) if (o.oid === oid) return o;
    return undefined;
  }

  private toggleAmend(oid: number, row: OrderRow): void {
    if (row.amend) {
      this.closeAmend(row);
      return;
    }
    const o = this.current(oid);
    if (!o) return;
    const tr = el("tr", "amend-row");
    const td = el("td");
    td.colSpan = COLUMNS;
    const box = el("div", "amend");
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", `Amend order ${oid}`);
    const field = (label: string, id: string, value: string): HTMLInputElement => {
      const wrap = el("div", "field");
      const l = el("label", "", label);
      l.htmlFor = id;
      const input = el("input");
      input.id = id;
      input.type = "text";
      input.inputMode = "decimal";
      input.spellcheck = false;
      input.autocomplete = "off";
      input.value = value;
      wrap.append(l, input);
      box.append(wrap);
      return input;
    };
    const px = field("New price", `amend-px-${oid}`, o.px);
    const qty = field("New quantity", `amend-qty-${oid}`, o.qty);
    const save = el("button", "small primary", "Save");
    save.type = "button";
    const close = el("button", "small", "Close");
    close.type = "button";
    const hint = el("p", "hint amend-hint");
    hint.id = `amend-hint-${oid}`;
    px.setAttribute("aria-describedby", hint.id);
    qty.setAttribute("aria-describedby", hint.id);
    box.append(save, close, hint);
    td.append(box);
    tr.append(td);
    const a: AmendRow = { tr, px, qty, save, hint };
    row.amend = a;
    row.amendBtn.setAttribute("aria-expanded", "true");
    row.amendBtn.setAttribute("aria-controls", `amend-px-${oid}`);
    for (const input of [px, qty]) {
      input.addEventListener("input", () => {
        input.removeAttribute("aria-invalid");
        const cur = this.current(oid);
        if (cur) this.hint(a, cur);
      });
      input.addEventListener("keydown", (e) => {
        if (e.key === "Enter") {
          e.preventDefault();
          void this.save(oid, row);
        } else if (e.key === "Escape") {
          e.preventDefault();
          this.closeAmend(row);
        }
      });
    }
    save.addEventListener("click", () => void this.save(oid, row));
    close.addEventListener("click", () => this.closeAmend(row));
    row.tr.after(tr);
    this.hint(a, o);
    px.focus();
    px.select();
  }

  private closeAmend(row: OrderRow): void {
    row.amend?.tr.remove();
    row.amend = null;
    row.amendBtn.setAttribute("aria-expanded", "false");
    row.amendBtn.removeAttribute("aria-controls");
    row.amendBtn.focus();
  }

  /** Says what the amend being typed would do to the order's queue priority. */
  private hint(a: AmendRow, o: OrderMsg): void {
    const px = a.px.value.trim();
    const qty = a.qty.value.trim();
    let text: string;
    if (px === o.px && qty === o.qty) {
      text = "Lowering the quantity keeps the order's place in the queue; a new price or a larger quantity moves it to the back of its price level.";
    } else if (keepsPriority(o, px, qty)) {
      text = "A lower quantity at the same price keeps the order's place in the queue.";
    } else {
      text = px !== o.px
        ? "A new price moves the order to the back of the queue at that price."
        : "A larger quantity moves the order to the back of the queue at its price.";
    }
    text += ` Quantity is the new total (${grouped(o.filled)} filled so far).`;
    setText(a.hint, text);
  }

  private async save(oid: number, row: OrderRow): Promise<void> {
    const a = row.amend;
    const o = this.current(oid);
    if (!a || !o) return;
    const inst = this.deps.instrument(o.s);
    const pd = decimalsOf(inst?.tick ?? o.px);
    const qd = decimalsOf(inst?.lot ?? o.qty);
    const tick = inst ? (parseScaled(inst.tick, pd) ?? 1n) : 1n;
    const lot = inst ? (parseScaled(inst.lot, qd) ?? 1n) : 1n;
    const ctx = ctxOf(inst);
    const p = readStepInput(a.px.value, tick, pd);
    if (!p.ok) return this.invalid(a.px, p.problem === "step" ? rejectText("price_tick", ctx) : "Enter the new price as a plain number, like 64250.50.");
    const q = readStepInput(a.qty.value, lot, qd);
    if (!q.ok) return this.invalid(a.qty, q.problem === "step" ? rejectText("qty_lot", ctx) : "Enter the new total quantity as a plain number, like 0.5.");
    const change: { px?: string; qty?: string } = {};
    if (p.text !== o.px) change.px = p.text;
    if (q.text !== o.qty) change.qty = q.text;
    if (change.px === undefined && change.qty === undefined) {
      setText(this.msg, `Order ${oid}: nothing to change.`);
      return;
    }
    const keeps = keepsPriority(o, p.text, q.text);
    this.busy.add(oid);
    this.invalidate();
    setText(this.msg, `Amending order ${oid}…`);
    const out = await this.deps.amend(oid, change);
    this.busy.delete(oid);
    if (out.kind === "order") {
      const n = out.order;
      setText(
        this.msg,
        `Order ${oid} amended: ${grouped(n.qty)} at ${grouped(n.px)}; ` +
          (keeps ? "it kept its place in the queue." : "it is now at the back of the queue at its price."),
      );
      if (row.amend === a) this.closeAmend(row);
    } else {
      this.report(out, "the order was not amended.", ctx);
    }
    this.invalidate();
  }

  private invalid(input: HTMLInputElement, text: string): void {
    input.setAttribute("aria-invalid", "true");
    setText(this.msg, text);
    input.focus();
  }
}
