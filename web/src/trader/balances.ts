// Balances: per asset available and total, its value in USD at the last trade price of
// `<ASSET>-USD`, equity marked to market and PnL since the account was created. Money
// (USD, EUR …) is shown at two decimals, rounded down, other assets with the decimals the
// venue keeps; every amount has its full value as a tooltip.

import { formatScaled, groupThousands, parseDecimal, type Dec } from "../lib/decimal";
import { grouped, money } from "../lib/numfmt";
import { byId, el, setClass, setText } from "../lib/dom";
import { schedule } from "../lib/scheduler";
import type { AccountMsg } from "../protocol/types";
import { USD_DECIMALS, computeEquity, pnl, toCents } from "./equity";

export interface BalancesDeps {
  account(): AccountMsg | null;
  /** Last trade price of `<asset>-USD` (or the reference price before any trade). */
  priceOf(asset: string): string | undefined;
  /** The stored starting equity, if known. */
  startEquity(): string | undefined;
  /** Called with the equity once all assets are priced, to fill in a missing start. */
  onEquity(total: string): void;
  /** Whether an asset is money (two decimals). */
  isMoney(asset: string): boolean;
}

interface Row {
  tr: HTMLTableRowElement;
  avail: HTMLTableCellElement;
  total: HTMLTableCellElement;
  value: HTMLTableCellElement;
}

const usd = (d: Dec): string => groupThousands(formatScaled(toCents(d), USD_DECIMALS));

export class BalancesView {
  private readonly body = byId("balances");
  private readonly equity = byId("equity");
  private readonly pnlEl = byId("pnl");
  private readonly accountId = byId("account-id");
  private readonly rows = new Map<string, Row>();
  private readonly render = (): void => this.draw();

  constructor(private readonly deps: BalancesDeps) {}

  invalidate(): void {
    schedule(this.render, 250);
  }

  private draw(): void {
    const acc = this.deps.account();
    if (!acc) {
      this.body.replaceChildren();
      this.rows.clear();
      setText(this.equity, "–");
      setText(this.pnlEl, "–");
      setText(this.accountId, "");
      return;
    }
    setText(this.accountId, `Account ${acc.account}`);
    const eq = computeEquity(acc.balances, (a) => this.deps.priceOf(a));
    const seen = new Set<string>();
    for (const { asset, value } of eq.perAsset) {
      seen.add(asset);
      let r = this.rows.get(asset);
      if (!r) {
        r = makeRow(asset);
        this.rows.set(asset, r);
        this.body.append(r.tr);
      }
      const b = acc.balances[asset];
      const fmt = this.deps.isMoney(asset) ? (t: string) => money(t) : grouped;
      amount(r.avail, b?.available, fmt);
      amount(r.total, b?.total, fmt);
      setText(r.value, value ? usd(value) : "–");
      r.value.title = value ? `${groupThousands(formatScaled(value.units, value.scale))} USD` : "";
    }
    for (const [asset, r] of this.rows) {
      if (!seen.has(asset)) {
        r.tr.remove();
        this.rows.delete(asset);
      }
    }
    const complete = eq.missing.length === 0;
    setText(this.equity, usd(eq.total) + (complete ? "" : " *"));
    this.equity.title = complete ? "" : `Not valued (no USD price): ${eq.missing.join(", ")}`;
    if (complete && this.deps.startEquity() === undefined) {
      this.deps.onEquity(formatScaled(toCents(eq.total), USD_DECIMALS));
    }
    const startText = this.deps.startEquity();
    const start = startText ? parseDecimal(startText) : null;
    const p = complete ? pnl(eq.total, start) : null;
    if (!p) {
      setText(this.pnlEl, "–");
      setClass(this.pnlEl, "up", false);
      setClass(this.pnlEl, "down", false);
      return;
    }
    const cents = toCents(p.abs);
    const sign = cents > 0n ? "+" : "";
    setText(this.pnlEl, `${sign}${usd(p.abs)} (${sign}${p.pct.toFixed(2)}%)`);
    setClass(this.pnlEl, "up", cents > 0n);
    setClass(this.pnlEl, "down", cents < 0n);
  }
}

/** An amount in a cell, its full value as the tooltip. */
function amount(cell: HTMLElement, text: string | undefined, fmt: (t: string) => string): void {
  setText(cell, text === undefined ? "–" : fmt(text));
  const full = text === undefined ? "" : grouped(text);
  if (cell.title !== full) cell.title = full;
}

function makeRow(asset: string): Row {
  const tr = el("tr");
  const avail = el("td", "num");
  const total = el("td", "num");
  const value = el("td", "num muted");
  tr.append(el("th", "", asset), avail, total, value);
  tr.firstElementChild?.setAttribute("scope", "row");
  return { tr, avail, total, value };
}
