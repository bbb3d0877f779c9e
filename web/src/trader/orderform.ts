// Order entry: type, price, quantity, time in force, post only; Buy and Sell, each with the
// balance that pays for it, size shortcuts and (market orders) an estimate from the book
// (orderform_size.ts). Inputs are read as exact scaled integers against the instrument's
// tick and lot; arrow keys step by one tick or lot. Enter buys and Shift+Enter sells only
// once "Hotkeys armed" is ticked: otherwise Enter sends nothing. The server's answer is
// shown next to the form, rejections in plain words (protocol/reasons.ts).

import {
  decimalsOf,
  formatScaled,
  groupThousands,
  parseScaled,
  readStepInput,
  rescale,
  type StepInput,
} from "../lib/decimal";
import type { OrderBook } from "../book/book";
import { byId, setText } from "../lib/dom";
import { grouped } from "../lib/numfmt";
import { schedule } from "../lib/scheduler";
import { endText, errorText, rejectText, type ReasonContext } from "../protocol/reasons";
import type { Instrument, OrderMsg, OrderType, Side, TimeInForce } from "../protocol/types";
import { SizeShortcuts, type SizeRules } from "./orderform_size";
import type { OrderRequest, Outcome } from "./trading";

/** What the form needs from the rest of the page. */
export interface OrderFormDeps {
  place(r: OrderRequest): Promise<Outcome>;
  /** Best ask (for buys) or best bid (for sells) as a wire price, to start stepping from. */
  bestPrice(side: Side): string | undefined;
  /** The selected instrument's book, for market estimates and the size shortcuts. */
  book(): OrderBook | null;
  /** An asset's available balance as sent by the server. */
  available(asset: string): string | undefined;
  /** Whether an asset is money (shown at two decimals). */
  isMoney(asset: string): boolean;
  /** Last trade price of the instrument (or its reference), for the price band. */
  last(): string | undefined;
}

const TIF_TEXT: Record<string, string> = {
  gtc: "Good till canceled",
  ioc: "Immediate or cancel: the rest expires",
  fok: "Fill or kill: all at once or nothing",
};

type Rules = SizeRules;

export class OrderForm {
  private readonly form = byId<HTMLFormElement>("order-form");
  private readonly type = byId<HTMLSelectElement>("f-type");
  private readonly price = byId<HTMLInputElement>("f-price");
  private readonly qty = byId<HTMLInputElement>("f-qty");
  private readonly tif = byId<HTMLSelectElement>("f-tif");
  private readonly post = byId<HTMLInputElement>("f-post");
  private readonly buy = byId<HTMLButtonElement>("f-buy");
  private readonly sell = byId<HTMLButtonElement>("f-sell");
  private readonly msg = byId("form-msg");
  private readonly err = byId("form-error");
  private readonly notional = byId("f-notional");
  private readonly priceHint = byId("f-price-hint");
  private readonly qtyHint = byId("f-qty-hint");
  private readonly symbolLabel = byId("form-symbol");
  private readonly tifHint = byId("f-tif-hint");
  private readonly hotkeys = byId<HTMLInputElement>("f-hotkeys");
  private readonly keysHint = byId("f-keys");
  private readonly size: SizeShortcuts;
  private readonly renderSize = (): void => this.size.refresh();
  private rules: Rules | null = null;
  private ready = false;
  /** The last order sent from the form, followed until it ends. */
  private tracked: { oid: number; what: string } | null = null;

  constructor(private readonly deps: OrderFormDeps) {
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      const submitter = (e as SubmitEvent).submitter;
      void this.submit(submitter === this.sell ? "sell" : "buy");
    });
    this.form.addEventListener("keydown", (e) => this.onKey(e));
    this.type.addEventListener("change", () => this.syncType());
    this.hotkeys.addEventListener("change", () => this.syncHotkeys());
    this.size = new SizeShortcuts({
      rules: () => this.rules,
      isMarket: () => this.type.value === "market",
      price: () => {
        const r = this.rules;
        const p = r ? readStepInput(this.price.value, r.tick, r.pd) : null;
        return p?.ok ? p.units : null;
      },
      qty: () => {
        const r = this.rules;
        const q = r ? readStepInput(this.qty.value, r.lot, r.qd) : null;
        return q?.ok ? q.units : null;
      },
      setQty: (u) => {
        if (!this.rules) return;
        this.qty.value = formatScaled(u, this.rules.qd);
        this.qty.removeAttribute("aria-invalid");
        this.updateNotional();
      },
      setPrice: (u) => {
        if (!this.rules) return;
        this.price.value = formatScaled(u, this.rules.pd);
        this.price.removeAttribute("aria-invalid");
        this.updateNotional();
      },
      say: (t) => {
        setText(this.err, "");
        this.say(t, "info");
      },
      fail: (t) => this.fail(t),
      available: (a) => deps.available(a),
      isMoney: (a) => deps.isMoney(a),
      book: () => deps.book(),
      last: () => deps.last(),
    });
    this.syncHotkeys();
    this.tif.addEventListener("change", () => this.syncTif());
    for (const input of [this.price, this.qty]) {
      input.addEventListener("input", () => {
        input.removeAttribute("aria-invalid");
        this.updateNotional();
      });
      input.addEventListener("blur", () => this.normalize(input));
    }
    this.syncType();
  }

  /** Binds the form to an instrument: steps, hints, formatting. */
  setInstrument(inst: Instrument): void {
    const pd = decimalsOf(inst.tick);
    const qd = decimalsOf(inst.lot);
    const tick = parseScaled(inst.tick, pd) ?? 1n;
    const lot = parseScaled(inst.lot, qd) ?? 1n;
    const min = inst.min_qty ? parseScaled(inst.min_qty, qd) : null;
    const max = inst.max_qty ? parseScaled(inst.max_qty, qd) : null;
    const changed = this.rules?.inst.s !== inst.s;
    this.rules = { inst, pd, qd, tick, lot, min, max };
    setText(this.priceHint, `${inst.quote} · tick ${inst.tick}`);
    setText(
      this.qtyHint,
      `${inst.base} · lot ${inst.lot}` + (inst.min_qty ? ` · min ${inst.min_qty}` : ""),
    );
    setText(this.symbolLabel, inst.s);
    this.price.placeholder = formatScaled(0n, pd);
    this.qty.placeholder = inst.min_qty || formatScaled(lot, qd);
    if (changed) {
      this.price.value = "";
      this.qty.value = "";
      setText(this.err, "");
      setText(this.msg, "");
    }
    this.updateNotional();
  }

  /** Enables Buy/Sell once the account is signed in; otherwise says why not. */
  setReady(ready: boolean, why = ""): void {
    this.ready = ready;
    this.buy.disabled = !ready;
    this.sell.disabled = !ready;
    if (!ready && why) this.say(why, "info");
    else if (ready && this.msg.dataset.kind === "info") this.say("", "info");
  }

  /** The book, a balance or a price changed: redraw the availability and estimates soon. */
  refresh(): void {
    schedule(this.renderSize, 250);
  }

  /** Follows updates of the last order sent (fills after the first answer). */
  orderUpdate(o: OrderMsg): void {
    if (this.tracked && this.tracked.oid === o.oid) this.showOrder(this.tracked.what, o);
  }

  /** Puts a price into the Price field (ladder click); switches a market order to limit. */
  setPrice(px: string): void {
    if (this.type.value !== "limit") {
      this.type.value = "limit";
      this.syncType();
    }
    this.price.value = px;
    this.price.removeAttribute("aria-invalid");
    this.updateNotional();
  }

  private onKey(e: KeyboardEvent): void {
    const t = e.target as HTMLElement;
    if (e.key === "Enter" && !(t instanceof HTMLButtonElement)) {
      // Enter in a field would submit the form (as Buy): only an armed form sends.
      e.preventDefault();
      if (t === this.hotkeys) return;
      if (!this.hotkeys.checked) {
        this.say("Hotkeys are off: Enter sends nothing. Use Buy or Sell, or tick Hotkeys armed.", "info");
        return;
      }
      void this.submit(e.shiftKey ? "sell" : "buy");
      return;
    }
    if ((e.key === "ArrowUp" || e.key === "ArrowDown") && (t === this.price || t === this.qty)) {
      e.preventDefault();
      this.step(t as HTMLInputElement, e.key === "ArrowUp" ? 1n : -1n, e.shiftKey ? 10n : 1n);
    }
  }

  private step(input: HTMLInputElement, dir: bigint, mult: bigint): void {
    const r = this.rules;
    if (!r || input.disabled) return;
    const isPrice = input === this.price;
    const d = isPrice ? r.pd : r.qd;
    const step = (isPrice ? r.tick : r.lot) * mult;
    let v = parseScaled(input.value.trim() || "0", d);
    if (v === null) {
      const approx = readStepInput(input.value, isPrice ? r.tick : r.lot, d);
      v = approx.ok ? approx.units : (approx.nearest ?? 0n);
    }
    if (v === 0n && isPrice) {
      const best = this.deps.bestPrice(dir > 0n ? "buy" : "sell");
      const b = best ? parseScaled(best, d) : null;
      if (b !== null) {
        input.value = formatScaled(b, d);
        this.updateNotional();
        return;
      }
    }
    // Snap to the step grid, then move one step.
    let next = ((v / step) * step) + dir * step;
    if (v % step !== 0n && dir < 0n) next += step;
    const floor = isPrice ? r.tick : (r.min ?? r.lot);
    if (next < floor) next = floor;
    input.value = formatScaled(next, d);
    input.removeAttribute("aria-invalid");
    this.updateNotional();
  }

  /** On blur: canonical formatting, snapping to the tick or lot (saying so). */
  private normalize(input: HTMLInputElement): void {
    const r = this.rules;
    if (!r || input.value.trim() === "") return;
    const isPrice = input === this.price;
    const res = readStepInput(input.value, isPrice ? r.tick : r.lot, isPrice ? r.pd : r.qd);
    if (res.ok) {
      input.value = res.text;
    } else if (res.problem === "step" && res.nearest !== undefined && res.nearest > 0n) {
      const text = formatScaled(res.nearest, isPrice ? r.pd : r.qd);
      this.say(
        `${isPrice ? "Price" : "Quantity"} rounded to ${text} (${isPrice ? "tick" : "lot"} ${isPrice ? r.inst.tick : r.inst.lot}).`,
        "info",
      );
      input.value = text;
    }
    this.updateNotional();
  }

  private syncHotkeys(): void {
    setText(
      this.keysHint,
      this.hotkeys.checked
        ? "Hotkeys armed: Enter buys · Shift+Enter sells · ↑/↓ step by tick or lot"
        : "Hotkeys off: Enter sends nothing · ↑/↓ step by tick or lot",
    );
    this.form.dataset.hotkeys = this.hotkeys.checked ? "armed" : "off";
  }

  private syncTif(): void {
    setText(this.tifHint, this.tif.disabled ? "Market orders: immediate or cancel" : (TIF_TEXT[this.tif.value] ?? ""));
  }

  private syncType(): void {
    const market = this.type.value === "market";
    this.price.disabled = market;
    this.tif.disabled = market;
    this.post.disabled = market;
    if (market) {
      this.price.value = "";
      this.price.placeholder = "market";
      this.post.checked = false;
    } else if (this.rules) {
      this.price.placeholder = formatScaled(0n, this.rules.pd);
    }
    this.price.removeAttribute("aria-invalid");
    this.syncTif();
    this.updateNotional();
  }

  /** The order value of a limit order; market orders get per-side estimates instead. */
  private updateNotional(): void {
    this.size.refresh();
    const r = this.rules;
    if (!r) return;
    const q = readStepInput(this.qty.value, r.lot, r.qd);
    if (this.type.value === "market") {
      setText(this.notional, q.ok ? "Market order: estimated from the book below each side." : "");
      return;
    }
    const p = readStepInput(this.price.value, r.tick, r.pd);
    if (!q.ok || !p.ok) {
      setText(this.notional, "");
      return;
    }
    const value = rescale({ units: p.units * q.units, scale: r.pd + r.qd }, r.pd, "nearest") ?? 0n;
    setText(this.notional, `Order value ${groupThousands(formatScaled(value, r.pd))} ${r.inst.quote}`);
  }

  private ctx(): ReasonContext {
    const i = this.rules?.inst;
    if (!i) return {};
    return {
      tick: i.tick,
      lot: i.lot,
      minQty: i.min_qty,
      maxQty: i.max_qty,
      bandPct: i.band_pct,
      base: i.base,
      quote: i.quote,
    };
  }

  private invalid(input: HTMLInputElement, text: string): void {
    input.setAttribute("aria-invalid", "true");
    this.fail(text);
    input.focus();
  }

  private async submit(side: Side): Promise<void> {
    const r = this.rules;
    if (!r) return;
    if (!this.ready) {
      this.fail("Not connected yet: the order was not sent.");
      return;
    }
    const type = this.type.value as OrderType;
    const req: OrderRequest = { s: r.inst.s, side, type, qty: "" };
    if (type === "limit") {
      const p = readStepInput(this.price.value, r.tick, r.pd);
      if (!p.ok) return this.invalid(this.price, problemText(p, "price", this.ctx(), this.price.value));
      req.px = p.text;
      req.tif = this.tif.value as TimeInForce;
      req.postOnly = this.post.checked;
    }
    const q = readStepInput(this.qty.value, r.lot, r.qd);
    if (!q.ok) return this.invalid(this.qty, problemText(q, "quantity", this.ctx(), this.qty.value));
    if (r.min !== null && q.units < r.min) return this.invalid(this.qty, rejectText("qty_min", this.ctx()));
    if (r.max !== null && r.max > 0n && q.units > r.max) {
      return this.invalid(this.qty, rejectText("qty_max", this.ctx()));
    }
    req.qty = q.text;
    setText(this.err, "");
    const what = `${side === "buy" ? "Buy" : "Sell"} ${grouped(req.qty)} ${r.inst.base}` +
      (req.px !== undefined ? ` at ${grouped(req.px)}` : " at market");
    this.say(`${what}: sending…`, "info");
    this.tracked = null;
    const out = await this.deps.place(req);
    this.show(what, out);
  }

  private show(what: string, out: Outcome): void {
    switch (out.kind) {
      case "order":
        this.showOrder(what, out.order);
        return;
      case "error":
        this.fail(errorText(out.code, this.ctx()));
        this.say("", "info");
        return;
      case "timeout":
        this.fail("No answer from the server within 10 seconds. Check Open orders before retrying.");
        this.say("", "info");
        return;
      case "offline":
        this.fail("Connection lost: the order may not have been sent. Check Open orders.");
        this.say("", "info");
        return;
      case "canceled_all":
        return;
    }
  }

  private showOrder(what: string, o: OrderMsg): void {
    const open = o.status === "new" || o.status === "partially_filled";
    this.tracked = open ? { oid: o.oid, what } : null;
    switch (o.status) {
      case "rejected":
        this.say("", "info");
        this.fail(rejectText(o.reason, this.ctx()));
        this.err.dataset.reason = o.reason ?? "";
        return;
      case "new":
        this.say(`${what}: placed (order ${o.oid}).`, "ok");
        return;
      case "partially_filled":
        this.say(`${what}: partly filled, ${o.filled} so far (order ${o.oid}).`, "ok");
        return;
      case "filled":
        this.say(`${what}: filled${o.avg_px ? ` at an average of ${o.avg_px}` : ""}.`, "ok");
        return;
      case "canceled":
      case "expired":
        this.say(`${what}: ${o.filled && !/^0*\.?0*$/.test(o.filled) ? `${o.filled} filled; ` : ""}${endText(o.reason)}`, "info");
        return;
    }
  }

  private say(text: string, kind: "ok" | "info"): void {
    this.msg.dataset.kind = kind;
    setText(this.msg, text);
  }

  private fail(text: string): void {
    delete this.err.dataset.reason;
    setText(this.err, text);
  }
}

function problemText(
  p: StepInput & { ok: false },
  field: "price" | "quantity",
  c: ReasonContext,
  raw: string,
): string {
  if (raw.trim() === "") return `Enter a ${field}.`;
  switch (p.problem) {
    case "invalid":
      return field === "price"
        ? "Enter the price as a plain number with a dot for decimals, like 64250.50."
        : "Enter the quantity as a plain number with a dot for decimals, like 0.5.";
    case "too_long":
      return `The ${field} has too many digits.`;
    case "not_positive":
      return field === "price" ? rejectText("invalid_price", c) : rejectText("invalid_qty", c);
    case "step":
      return field === "price" ? rejectText("price_tick", c) : rejectText("qty_lot", c);
  }
}
