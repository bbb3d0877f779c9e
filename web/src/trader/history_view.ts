// The "Order history" table (orders that ended, newest first, with the reason they ended)
// and the fills table (newest first). Both show the Trading models, which merge live
// messages with the REST history loaded after every sign-in; they rebuild their rows when
// the model's version changes (orders end and fill at human pace, and both are capped).

import { byId, el } from "../lib/dom";
import { compactQty, grouped } from "../lib/numfmt";
import { schedule } from "../lib/scheduler";
import { clockMs } from "../lib/timefmt";
import { endText, rejectText, shortReason } from "../protocol/reasons";
import type { FillMsg, OrderMsg } from "../protocol/types";
import type { FillList, OrderHistory } from "./history";
import { STATUS_TEXT, setTime, typeText } from "./orders";

/** Order history rows shown (the model keeps as many as the server). */
const HISTORY_SHOW = 100;

export class OrderHistoryView {
  private readonly body = byId("history");
  private readonly empty = byId("history-empty");
  private shown = -1;
  private readonly render = (): void => this.draw();

  constructor(private readonly model: OrderHistory) {}

  invalidate(): void {
    schedule(this.render);
  }

  private draw(): void {
    if (this.shown === this.model.version) return;
    this.shown = this.model.version;
    const list = this.model.list().slice(0, HISTORY_SHOW);
    this.body.replaceChildren(...list.map(historyRow));
    this.empty.hidden = list.length > 0;
  }
}

function historyRow(o: OrderMsg): HTMLTableRowElement {
  const tr = el("tr", `st-${o.status}`);
  const time = el("td", "num t");
  setTime(time, o.ts);
  const reason = el("td", "reason", o.status === "filled" ? "" : shortReason(o.reason));
  if (o.reason) reason.title = o.status === "rejected" ? rejectText(o.reason) : endText(o.reason);
  const side = el("td", o.side === "buy" ? "side-buy" : "side-sell", o.side === "buy" ? "Buy" : o.side === "sell" ? "Sell" : "–");
  tr.append(
    time,
    el("td", "num", o.oid > 0 ? String(o.oid) : "–"),
    el("td", "sym", o.s),
    side,
    el("td", "", o.type ? typeText(o) : "–"),
    el("td", "num", o.px ? grouped(o.px) : o.type === "market" ? "market" : "–"),
    el("td", "num", grouped(o.qty)),
    el("td", "num", grouped(o.filled)),
    el("td", "num", o.avg_px ? grouped(o.avg_px) : "–"),
    el("td", "status", STATUS_TEXT[o.status] ?? o.status),
    reason,
  );
  return tr;
}

/** The fills list, newest first. */
export class FillsView {
  private readonly body = byId("fills");
  private readonly empty = byId("fills-empty");
  private shown = -1;
  private readonly render = (): void => this.draw();

  constructor(
    private readonly model: FillList,
    private readonly max: number,
  ) {}

  invalidate(): void {
    schedule(this.render);
  }

  private draw(): void {
    if (this.shown === this.model.version) return;
    this.shown = this.model.version;
    const list = this.model.list().slice(0, this.max);
    this.body.replaceChildren(...list.map(fillRow));
    this.empty.hidden = list.length > 0;
  }
}

function fillRow(f: FillMsg): HTMLTableRowElement {
  const tr = el("tr");
  const side = el("td", f.side === "buy" ? "side-buy" : "side-sell", f.side === "buy" ? "Buy" : "Sell");
  const qty = el("td", "num", compactQty(f.qty));
  if (qty.textContent !== grouped(f.qty)) qty.title = grouped(f.qty);
  const time = el("td", "num t", clockMs(f.ts / 1e6));
  time.title = new Date(f.ts / 1e6).toLocaleString();
  tr.append(
    time,
    el("td", "num", String(f.oid)),
    el("td", "sym", f.s),
    side,
    el("td", "num", grouped(f.px)),
    qty,
    el("td", "muted", f.liq === "maker" ? "Maker" : f.liq === "taker" ? "Taker" : f.liq),
  );
  return tr;
}
