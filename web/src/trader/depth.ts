// The depth chart: cumulative bids (left, from the mid down) and asks (right, from the mid
// up) of the selected book, drawn on a canvas at most 10 times a second. The price range is
// symmetric about the mid (book/depth.ts). A line under the chart says the totals in words
// (it is also the canvas's accessible name); the pointer shows the depth at its price.

import type { OrderBook } from "../book/book";
import { depthOf, type Depth, type DepthPoint } from "../book/depth";
import { formatScaled, groupThousands } from "../lib/decimal";
import { setAttr, setText } from "../lib/dom";
import { compactQty } from "../lib/numfmt";
import { schedule } from "../lib/scheduler";

/** Levels per side taken into the chart. */
const DEPTH_LEVELS = 200;
const PAD_BOTTOM = 18;
const PAD_TOP = 16;

export class DepthChart {
  private readonly ctx: CanvasRenderingContext2D | null;
  private book: OrderBook | null = null;
  private base = "";
  private last: Depth | null = null;
  private hoverX: number | null = null;
  private readonly render = (): void => this.draw();

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly summary: HTMLElement,
    private readonly readout: HTMLElement,
  ) {
    this.ctx = canvas.getContext("2d");
    if (typeof ResizeObserver === "function") new ResizeObserver(() => this.invalidate()).observe(canvas);
    canvas.addEventListener("pointermove", (e) => {
      this.hoverX = e.offsetX;
      this.drawReadout();
    });
    canvas.addEventListener("pointerleave", () => {
      this.hoverX = null;
      this.drawReadout();
    });
    window.matchMedia?.("(prefers-color-scheme: dark)").addEventListener("change", () => this.invalidate());
  }

  /** Shows this book; `base` names the quantity's asset. */
  setBook(book: OrderBook | null, base: string): void {
    this.book = book;
    this.base = base;
    this.invalidate();
  }

  /** Redraws in a coming frame, at most 10 times a second. */
  invalidate(): void {
    schedule(this.render, 100);
  }

  private draw(): void {
    const book = this.book;
    const d = book?.synced
      ? depthOf(book.bids.top(DEPTH_LEVELS), book.asks.top(DEPTH_LEVELS), book.pxDecimals, book.qtyDecimals)
      : null;
    this.last = d;
    setAttr(this.canvas, "data-bid-points", String(d?.bids.length ?? 0));
    setAttr(this.canvas, "data-ask-points", String(d?.asks.length ?? 0));
    this.drawSummary(d);
    this.drawReadout();
    const ctx = this.ctx;
    if (!ctx) return;
    const dpr = window.devicePixelRatio || 1;
    const w = this.canvas.clientWidth;
    const h = this.canvas.clientHeight;
    if (w === 0 || h === 0) return;
    if (this.canvas.width !== Math.round(w * dpr) || this.canvas.height !== Math.round(h * dpr)) {
      this.canvas.width = Math.round(w * dpr);
      this.canvas.height = Math.round(h * dpr);
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    if (!d || d.hi <= d.lo || d.maxCum <= 0 || !book) return;
    const css = getComputedStyle(this.canvas);
    const v = (name: string, fallback: string): string => css.getPropertyValue(name).trim() || fallback;
    const bottom = h - PAD_BOTTOM;
    const x = (p: number): number => ((p - d.lo) / (d.hi - d.lo)) * w;
    const y = (c: number): number => bottom - (c / d.maxCum) * (bottom - PAD_TOP);
    const area = (pts: DepthPoint[], edge: number, fill: string, stroke: string): void => {
      if (pts.length === 0) return;
      ctx.beginPath();
      ctx.moveTo(x(d.mid), bottom);
      ctx.lineTo(x((pts[0] as DepthPoint).px), bottom);
      let prev = 0;
      for (const pt of pts) {
        ctx.lineTo(x(pt.px), y(prev));
        ctx.lineTo(x(pt.px), y(pt.cum));
        prev = pt.cum;
      }
      ctx.lineTo(x(edge), y(prev));
      ctx.lineTo(x(edge), bottom);
      ctx.closePath();
      ctx.fillStyle = fill;
      ctx.fill();
      ctx.strokeStyle = stroke;
      ctx.lineWidth = 1.5;
      ctx.stroke();
    };
    area(d.bids, d.lo, v("--up-bg", "rgba(10,135,84,0.14)"), v("--up", "#0a8754"));
    area(d.asks, d.hi, v("--down-bg", "rgba(198,47,58,0.13)"), v("--down", "#c62f3a"));
    // Mid line and labels.
    const muted = v("--fg-muted", "#5b6470");
    ctx.strokeStyle = muted;
    ctx.setLineDash([3, 3]);
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(Math.round(x(d.mid)) + 0.5, PAD_TOP - 4);
    ctx.lineTo(Math.round(x(d.mid)) + 0.5, bottom);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = muted;
    ctx.font = "11px system-ui, sans-serif";
    ctx.textBaseline = "bottom";
    const pd = book.pxDecimals;
    const label = (p: number): string => groupThousands(p.toFixed(pd));
    ctx.textAlign = "left";
    ctx.fillText(label(d.lo), 2, h - 2);
    ctx.textAlign = "center";
    ctx.fillText(label(d.mid), x(d.mid), h - 2);
    ctx.textAlign = "right";
    ctx.fillText(label(d.hi), w - 2, h - 2);
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    ctx.fillText(`${compactQty(d.maxCum.toFixed(book.qtyDecimals))} ${this.base}`, 2, 1);
  }

  private drawSummary(d: Depth | null): void {
    const book = this.book;
    if (!d || !book) {
      setText(this.summary, "No book yet");
      this.canvas.setAttribute("aria-label", "Depth chart: no book yet");
      return;
    }
    const qd = book.qtyDecimals;
    const pct = d.mid > 0 ? ((d.hi - d.mid) / d.mid) * 100 : 0;
    const text =
      `Bids ${compactQty(formatScaled(d.bidTotal, qd))} · asks ${compactQty(formatScaled(d.askTotal, qd))} ${this.base}` +
      ` within ±${pct < 0.1 ? pct.toFixed(3) : pct.toFixed(2)}% of the mid`;
    setText(this.summary, text);
    this.canvas.setAttribute("aria-label", `Depth chart: ${text}`);
  }

  private drawReadout(): void {
    const d = this.last;
    const book = this.book;
    const w = this.canvas.clientWidth;
    if (this.hoverX === null || !d || !book || w === 0) {
      setText(this.readout, "");
      return;
    }
    const p = d.lo + (this.hoverX / w) * (d.hi - d.lo);
    const bid = p <= d.mid;
    const pts = bid ? d.bids : d.asks;
    let cum = 0;
    for (const pt of pts) {
      if (bid ? pt.px < p : pt.px > p) break;
      cum = pt.cum;
    }
    const px = groupThousands(p.toFixed(book.pxDecimals));
    setText(
      this.readout,
      `${bid ? "Bids at or above" : "Asks at or below"} ${px}: ${compactQty(cum.toFixed(book.qtyDecimals))} ${this.base}`,
    );
  }
}
