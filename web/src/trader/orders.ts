// Open orders (newest first) with a Cancel button per row and Cancel all, and the fills
// list. Rows are keyed by order id and updated in place once per frame.

import { byId, el, setText } from "../lib/dom";
import { schedule } from "../lib/scheduler";
import { clockMs } from "../lib/timefmt";
import { errorText } from "../protocol/reasons";
import type { FillMsg, OrderMsg } from "../protocol/types";
import type { Outcome } from "./trading";

export interface OrdersDeps {
  open(): Iterable<OrderMsg>;
  cancel(oid: number): Promise<Outcome>;
  cancelAll(): Promise<Outcome>;
}

interface OrderRow {
  tr: HTMLTableRowElement;
  cells: HTMLTableCellElement[];
  btn: HTMLButtonElement;
}

const STATUS_TEXT: Record<string, string> = {
  new: "Open",
  partially_filled: "Partly filled",
  filled: "Filled",
  canceled: "Canceled",
  expired: "Expired",
  rejected: "Rejected",
};

export class OrdersView {
  private readonly body = byId("orders");
  private readonly empty = byId("orders-empty");
  private readonly cancelAllBtn = byId<HTMLButtonElement>("cancel-all");
  private readonly msg = byId("orders-msg");
  private readonly rows = new Map<number, OrderRow>();
  private ready = false;
  private readonly cancelling = new Set<number>();
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
    } else this.report(out);
    this.invalidate();
  }

  private async cancel(oid: number, btn: HTMLButtonElement): Promise<void> {
    this.cancelling.add(oid);
    btn.disabled = true;
    const out = await this.deps.cancel(oid);
    this.cancelling.delete(oid);
    if (out.kind === "order") setText(this.msg, `Order ${oid} canceled.`);
    else this.report(out);
    this.invalidate();
  }

  private report(out: Outcome): void {
    if (out.kind === "error") setText(this.msg, errorText(out.code));
    else if (out.kind === "timeout") setText(this.msg, "No answer from the server; the list will update when it answers.");
    else if (out.kind === "offline") setText(this.msg, "Not connected: nothing was canceled.");
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
      const texts = [
        o.s,
        o.side === "buy" ? "Buy" : "Sell",
        (o.type === "market" ? "Market" : "Limit") +
          (o.type === "limit" && o.tif && o.tif !== "gtc" ? ` ${o.tif.toUpperCase()}` : "") +
          (o.post_only ? " · post" : ""),
        o.px || "market",
        o.qty,
        o.filled,
        STATUS_TEXT[o.status] ?? o.status,
      ];
      texts.forEach((t, i) => setText(r.cells[i] as HTMLTableCellElement, t));
      r.cells[1]?.classList.toggle("side-buy", o.side === "buy");
      r.cells[1]?.classList.toggle("side-sell", o.side === "sell");
      r.btn.disabled = !this.ready || this.cancelling.has(o.oid);
      // Keep DOM order = sorted order, moving only rows that are out of place.
      const want: ChildNode | null = prev ? prev.nextSibling : this.body.firstChild;
      if (want !== r.tr) this.body.insertBefore(r.tr, want);
      prev = r.tr;
    }
    for (const [oid, r] of this.rows) {
      if (!keep.has(oid)) {
        r.tr.remove();
        this.rows.delete(oid);
      }
    }
    this.empty.hidden = orders.length > 0;
    this.cancelAllBtn.disabled = !this.ready || orders.length === 0;
  }

  private makeRow(oid: number): OrderRow {
    const tr = el("tr");
    tr.dataset.oid = String(oid);
    const cells: HTMLTableCellElement[] = [];
    const classes = ["", "", "", "num", "num", "num", ""];
    for (const c of classes) {
      const td = el("td", c);
      cells.push(td);
      tr.append(td);
    }
    const act = el("td");
    const btn = el("button", "small", "Cancel");
    btn.type = "button";
    btn.addEventListener("click", () => void this.cancel(oid, btn));
    act.append(btn);
    tr.append(act);
    return { tr, cells, btn };
  }
}

/** The fills list, newest first. */
export class FillsView {
  private readonly body = byId("fills");
  private readonly empty = byId("fills-empty");
  private shown: FillMsg | undefined;
  private readonly render = (): void => this.draw();

  constructor(
    private readonly fills: () => readonly FillMsg[],
    private readonly max: number,
  ) {}

  invalidate(): void {
    schedule(this.render);
  }

  private draw(): void {
    const list = this.fills();
    if (list[0] === this.shown && this.body.childElementCount === Math.min(list.length, this.max)) return;
    // Fills arrive at human pace: a rebuild of at most `max` rows is cheap.
    this.body.replaceChildren(...list.slice(0, this.max).map(fillRow));
    this.shown = list[0];
    this.empty.hidden = list.length > 0;
  }
}

function fillRow(f: FillMsg): HTMLTableRowElement {
  const tr = el("tr");
  const side = el("td", f.side === "buy" ? "side-buy" : "side-sell", f.side === "buy" ? "Buy" : "Sell");
  tr.append(
    el("td", "num t", clockMs(f.ts / 1e6)),
    el("td", "", f.s),
    side,
    el("td", "num", f.px),
    el("td", "num", f.qty),
    el("td", "muted", f.liq === "maker" ? "Maker" : f.liq === "taker" ? "Taker" : f.liq),
  );
  return tr;
}
