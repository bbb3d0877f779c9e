// The sizing aids of the order form, one column per side above its button: the available
// balance that pays for the order (quote currency for a buy, base asset for a sell), the
// 25 / 50 / 75 % and Max shortcuts that fill the quantity from it, and for a market order
// the estimate of what it would cost or bring, walking the book from the best ask (buy) or
// the best bid (sell) up to the price band.

import type { OrderBook } from "../book/book";
import { formatScaled, groupThousands, parseDecimal, rescale, type Dec } from "../lib/decimal";
import { byId } from "../lib/dom";
import { grouped, money } from "../lib/numfmt";
import type { Instrument, Side } from "../protocol/types";
import { affordableLots, bandLimits, sweep } from "./estimate";

/** The instrument's rules as the form holds them. */
export interface SizeRules {
  inst: Instrument;
  pd: number;
  qd: number;
  tick: bigint;
  lot: bigint;
  min: bigint | null;
  max: bigint | null;
}

/** What the sizing aids need from the form and the page. */
export interface SizeHost {
  rules(): SizeRules | null;
  isMarket(): boolean;
  /** The valid limit price in the form (ticks), if any. */
  price(): bigint | null;
  /** The valid quantity in the form (lots of its decimals), if any. */
  qty(): bigint | null;
  setQty(units: bigint): void;
  setPrice(units: bigint): void;
  say(text: string): void;
  fail(text: string): void;
  /** An asset's available balance as sent by the server. */
  available(asset: string): string | undefined;
  /** Whether an asset is money (shown at two decimals). */
  isMoney(asset: string): boolean;
  book(): OrderBook | null;
  /** Last trade price of the instrument (or its reference price), for the band. */
  last(): string | undefined;
}

const PCTS = [25, 50, 75, 100] as const;

export class SizeShortcuts {
  private readonly avail: Record<Side, HTMLElement> = { buy: byId("f-avail-buy"), sell: byId("f-avail-sell") };
  private readonly est: Record<Side, HTMLElement> = { buy: byId("f-est-buy"), sell: byId("f-est-sell") };

  constructor(private readonly h: SizeHost) {
    for (const side of ["buy", "sell"] as const) {
      const group = byId(`f-pct-${side}`);
      for (const pct of PCTS) {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "small";
        b.textContent = pct === 100 ? "Max" : `${pct}%`;
        b.setAttribute("aria-label", `${side === "buy" ? "Buy" : "Sell"} ${pct === 100 ? "max" : `${pct}%`}`);
        b.addEventListener("click", () => this.apply(side, pct));
        group.append(b);
      }
    }
  }

  /** Redraws the available balances and, for a market order, the estimates. */
  refresh(): void {
    const r = this.h.rules();
    for (const side of ["buy", "sell"] as const) {
      const asset = r ? (side === "buy" ? r.inst.quote : r.inst.base) : "";
      const text = asset ? this.h.available(asset) : undefined;
      const el = this.avail[side];
      const value = !r || text === undefined ? "–" : `${this.h.isMoney(asset) ? money(text) : grouped(text)} ${asset}`;
      if (el.dataset.v !== value) {
        el.dataset.v = value;
        const k = document.createElement("span");
        k.textContent = "Available";
        const v = document.createElement("span");
        v.className = "v";
        v.textContent = value;
        el.replaceChildren(k, " ", v);
      }
      el.title = text === undefined ? "" : `${grouped(text)} ${asset} available`;
      const est = r ? this.estimate(r, side) : "";
      const e = this.est[side];
      if (e.dataset.v !== est) {
        // "≈ value" over "avg price": two short lines fit a column.
        e.dataset.v = est;
        const [value = "", rest = ""] = est.split(" · ");
        const v = document.createElement("span");
        v.textContent = value;
        const a = document.createElement("span");
        a.className = "k";
        a.textContent = rest;
        if (est === "") e.replaceChildren();
        else e.replaceChildren(v, " ", a);
        e.title = est;
      }
    }
  }

  /** "≈ 6,001.23 USD · avg 60,012.30" for a market order of the form's quantity. */
  private estimate(r: SizeRules, side: Side): string {
    const q = this.h.qty();
    const book = this.h.book();
    if (!this.h.isMarket() || q === null || !book?.synced) return "";
    const band = this.band(r);
    const s = sweep(
      side === "buy" ? book.asks.levels() : book.bids.levels(),
      q,
      side,
      band ? (side === "buy" ? band.hi : band.lo) : undefined,
    );
    if (s.qty === 0n) return "Nothing to trade against";
    const value = rescale({ units: s.notional, scale: r.pd + r.qd }, r.pd, "nearest") ?? 0n;
    const avg = s.notional / s.qty; // ticks, toward zero: display only
    const quote = r.inst.quote;
    const v = `≈ ${groupThousands(formatScaled(value, r.pd))} ${quote} · avg ${groupThousands(formatScaled(avg, r.pd))}`;
    return s.complete ? v : `${v} for ${grouped(formatScaled(s.qty, r.qd))} only (book too thin)`;
  }

  private band(r: SizeRules): { lo: bigint; hi: bigint } | null {
    const last = this.h.last();
    const lastDec = last ? parseDecimal(last) : null;
    const ticks = lastDec ? rescale(lastDec, r.pd) : null;
    return ticks !== null && r.inst.band_pct ? bandLimits(ticks, r.inst.band_pct) : null;
  }

  private apply(side: Side, pct: number): void {
    const r = this.h.rules();
    if (!r) return;
    const asset = side === "buy" ? r.inst.quote : r.inst.base;
    const availText = this.h.available(asset);
    const avail = availText ? parseDecimal(availText) : null;
    if (!avail) {
      this.h.fail(`No ${asset} balance known yet.`);
      return;
    }
    const lotDec: Dec = { units: r.lot, scale: r.qd };
    let px: bigint | null = null;
    let note = "";
    if (side === "buy") {
      if (this.h.isMarket()) {
        // A market buy reserves quantity × the band's upper limit (protocol.md 8.6).
        px = this.band(r)?.hi ?? null;
        if (px !== null) note = ` A market buy reserves at the band's upper limit (${grouped(formatScaled(px, r.pd))}).`;
      } else {
        px = this.h.price() ?? this.touch(side);
      }
      if (px === null) {
        this.h.fail("Enter a price first.");
        return;
      }
    } else if (!this.h.isMarket() && this.h.price() === null) {
      px = this.touch(side);
    }
    if (!this.h.isMarket() && this.h.price() === null && px !== null) {
      this.h.setPrice(px);
      note = ` Price set to the best ${side === "buy" ? "bid" : "ask"}.`;
    }
    const maxLots = r.max !== null ? r.max / r.lot : undefined;
    const lots = affordableLots(avail, side, lotDec, px === null ? null : { units: px, scale: r.pd }, pct, maxLots);
    const units = lots * r.lot;
    if (units === 0n || (r.min !== null && units < r.min)) {
      this.h.fail(`Not enough ${asset} available for the minimum size${r.inst.min_qty ? ` of ${r.inst.min_qty}` : ""}.`);
      return;
    }
    this.h.setQty(units);
    this.h.say(`${pct === 100 ? "Max" : `${pct}%`} of available ${asset}: ${grouped(formatScaled(units, r.qd))} ${r.inst.base}.${note}`);
  }

  /** The best price on the user's own side: the best bid for a buy, the best ask for a sell. */
  private touch(side: Side): bigint | null {
    const book = this.h.book();
    if (!book?.synced) return null;
    return (side === "buy" ? book.bids.at(0) : book.asks.at(0))?.px ?? null;
  }
}
