// Candlestick chart with volume (TradingView lightweight-charts v5). History comes from
// REST, live `candle` messages update it. Live candles that arrive while history loads
// are held back and applied after it; updates are applied once per animation frame; the
// number of bars is capped so a page left open for days does not grow.
//
// Prices become floats here, for drawing only.

import {
  CandlestickSeries,
  ColorType,
  CrosshairMode,
  HistogramSeries,
  TickMarkType,
  createChart,
  type CandlestickData,
  type HistogramData,
  type IChartApi,
  type ISeriesApi,
  type MouseEventParams,
  type Time,
  type UTCTimestamp,
} from "lightweight-charts";
import { decimalsOf, floatOf } from "../lib/decimal";
import { byId, setText } from "../lib/dom";
import { schedule } from "../lib/scheduler";
import type { Instrument } from "../protocol/types";

/** A candle as the chart keeps it. */
export interface Bar {
  /** Start, seconds since the epoch. */
  time: number;
  o: string;
  h: string;
  l: string;
  c: string;
  v: string;
}

/** Bars kept; trimmed back to BARS_KEEP when BARS_MAX is passed. */
const BARS_KEEP = 2000;
const BARS_MAX = 2500;
const HELD_MAX = 200;

/** Reads a bar from a REST item or a `candle` message. */
export function toBar(v: unknown): Bar | null {
  if (typeof v !== "object" || v === null) return null;
  const o = v as Record<string, unknown>;
  const start = typeof o.start === "bigint" ? Number(o.start) : o.start;
  if (typeof start !== "number") return null;
  for (const k of ["o", "h", "l", "c", "v"]) if (typeof o[k] !== "string") return null;
  return {
    time: Math.floor(start / 1e9),
    o: o.o as string,
    h: o.h as string,
    l: o.l as string,
    c: o.c as string,
    v: o.v as string,
  };
}

const pad2 = (n: number): string => (n < 10 ? "0" : "") + n;

function localTime(t: Time, seconds: boolean): string {
  const d = new Date((t as number) * 1000);
  const hm = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  return seconds ? `${hm}:${pad2(d.getSeconds())}` : hm;
}

export class CandleChart {
  private readonly chart: IChartApi;
  private readonly candles: ISeriesApi<"Candlestick">;
  private readonly volume: ISeriesApi<"Histogram">;
  private readonly note: HTMLElement;
  private readonly legend: HTMLElement;
  private bars: Bar[] = [];
  private loading = true;
  private readonly held = new Map<number, Bar>();
  private readonly pending = new Map<number, Bar>();
  private hover: Bar | null = null;
  private qtyDecimals = 4;
  private readonly render = (): void => this.flush();

  constructor(container: HTMLElement) {
    this.note = byId("chart-note");
    this.legend = byId("chart-legend");
    this.chart = createChart(container, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: "transparent" }, fontSize: 11 },
      crosshair: { mode: CrosshairMode.Normal },
      rightPriceScale: { borderVisible: false },
      timeScale: { borderVisible: false, timeVisible: true, secondsVisible: false, rightOffset: 3 },
      localization: { timeFormatter: (t: Time) => localTime(t, true) },
    });
    this.candles = this.chart.addSeries(CandlestickSeries, {
      priceLineVisible: true,
      borderVisible: false,
    });
    this.candles.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.24 } });
    this.volume = this.chart.addSeries(HistogramSeries, {
      priceFormat: { type: "volume" },
      priceScaleId: "vol",
      lastValueVisible: false,
      priceLineVisible: false,
    });
    this.chart.priceScale("vol").applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    this.chart.subscribeCrosshairMove((p) => this.onCrosshair(p));
    this.applyTheme();
    const mq = window.matchMedia?.("(prefers-color-scheme: dark)");
    mq?.addEventListener("change", () => this.applyTheme());
  }

  /** Formats prices with the instrument's tick and chooses the time axis detail. */
  setInstrument(inst: Instrument, interval: "1s" | "1m"): void {
    const pd = decimalsOf(inst.tick);
    this.qtyDecimals = decimalsOf(inst.lot);
    this.candles.applyOptions({
      priceFormat: { type: "price", precision: pd, minMove: floatOf(inst.tick) || 10 ** -pd },
    });
    const secs = interval === "1s";
    this.chart.applyOptions({
      timeScale: {
        secondsVisible: secs,
        tickMarkFormatter: (t: Time, type: TickMarkType) =>
          type === TickMarkType.Year || type === TickMarkType.Month || type === TickMarkType.DayOfMonth
            ? new Date((t as number) * 1000).toLocaleDateString(undefined, { month: "short", day: "numeric" })
            : localTime(t, secs && type === TickMarkType.TimeWithSeconds),
      },
    });
  }

  /** Starts loading history: live candles are held until setHistory. */
  beginHistory(message = "Loading candles…"): void {
    this.loading = true;
    this.held.clear();
    this.pending.clear();
    // A reload over bars already drawn (after a reconnect) keeps them visible meanwhile.
    if (this.bars.length === 0) setText(this.note, message);
  }

  /** Shows a message over the chart (errors). */
  setNote(message: string): void {
    setText(this.note, message);
  }

  /** Replaces the data with history (oldest first), then applies held live candles. */
  setHistory(items: readonly unknown[]): void {
    const bars: Bar[] = [];
    for (const it of items) {
      const b = toBar(it);
      if (!b) continue;
      const last = bars[bars.length - 1];
      if (last && b.time < last.time) continue;
      if (last && b.time === last.time) bars[bars.length - 1] = b;
      else bars.push(b);
    }
    for (const b of [...this.held.values()].sort((x, y) => x.time - y.time)) {
      const last = bars[bars.length - 1];
      if (!last || b.time > last.time) bars.push(b);
      else if (b.time === last.time) bars[bars.length - 1] = b;
    }
    this.held.clear();
    this.loading = false;
    this.bars = bars.slice(-BARS_KEEP);
    this.setAll();
    this.chart.timeScale().scrollToRealTime();
    setText(this.note, this.bars.length === 0 ? "No trades yet" : "");
  }

  /** A live candle (PROTOCOL `candle`); drawn in the next frame. */
  push(v: unknown): void {
    const b = toBar(v);
    if (!b) return;
    if (this.loading) {
      this.held.set(b.time, b);
      if (this.held.size > HELD_MAX) {
        const first = this.held.keys().next().value;
        if (first !== undefined) this.held.delete(first);
      }
      return;
    }
    this.pending.set(b.time, b);
    schedule(this.render, 100);
  }

  /** Drops all bars (instrument switch). */
  clear(): void {
    this.bars = [];
    this.pending.clear();
    this.held.clear();
    this.candles.setData([]);
    this.volume.setData([]);
    this.drawLegend();
  }

  private flush(): void {
    if (this.pending.size === 0) return;
    const updates = [...this.pending.values()].sort((a, b) => a.time - b.time);
    this.pending.clear();
    for (const b of updates) {
      const last = this.bars[this.bars.length - 1];
      if (!last || b.time > last.time) {
        this.bars.push(b);
        this.candles.update(this.candleOf(b));
        this.volume.update(this.volumeOf(b));
      } else if (b.time === last.time) {
        this.bars[this.bars.length - 1] = b;
        this.candles.update(this.candleOf(b));
        this.volume.update(this.volumeOf(b));
      } else {
        // A late update of an older candle (its close arriving after the next one opened).
        const i = this.findBar(b.time);
        if (i >= 0) {
          this.bars[i] = b;
          this.candles.update(this.candleOf(b), true);
          this.volume.update(this.volumeOf(b), true);
        }
      }
    }
    if (this.bars.length > BARS_MAX) {
      this.bars = this.bars.slice(-BARS_KEEP);
      this.setAll();
    }
    if (this.bars.length > 0) setText(this.note, "");
    this.drawLegend();
  }

  private findBar(time: number): number {
    let lo = 0;
    let hi = this.bars.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const t = (this.bars[mid] as Bar).time;
      if (t === time) return mid;
      if (t < time) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private setAll(): void {
    this.candles.setData(this.bars.map((b) => this.candleOf(b)));
    this.volume.setData(this.bars.map((b) => this.volumeOf(b)));
    this.drawLegend();
  }

  private candleOf(b: Bar): CandlestickData<Time> {
    return {
      time: b.time as UTCTimestamp,
      open: floatOf(b.o),
      high: floatOf(b.h),
      low: floatOf(b.l),
      close: floatOf(b.c),
    };
  }

  private volumeOf(b: Bar): HistogramData<Time> {
    const up = floatOf(b.c) >= floatOf(b.o);
    return {
      time: b.time as UTCTimestamp,
      value: floatOf(b.v),
      color: up ? this.colors.upVol : this.colors.downVol,
    };
  }

  private onCrosshair(p: MouseEventParams<Time>): void {
    const t = p.time;
    this.hover = t === undefined ? null : (this.bars[this.findBar(t as number)] ?? null);
    this.drawLegend();
  }

  private drawLegend(): void {
    const b = this.hover ?? this.bars[this.bars.length - 1];
    if (!b) {
      setText(this.legend, "");
      return;
    }
    setText(this.legend, `O ${b.o}  H ${b.h}  L ${b.l}  C ${b.c}  V ${b.v}`);
  }

  private colors = { upVol: "rgba(10,135,84,0.45)", downVol: "rgba(198,47,58,0.45)" };

  private applyTheme(): void {
    const css = getComputedStyle(document.documentElement);
    const v = (name: string, fallback: string): string => css.getPropertyValue(name).trim() || fallback;
    const up = v("--up", "#0a8754");
    const down = v("--down", "#c62f3a");
    const fg = v("--fg-muted", "#5b6470");
    const grid = v("--grid", "#eceff3");
    const border = v("--border", "#d9dee4");
    this.colors = { upVol: v("--up-bg", "rgba(10,135,84,0.3)"), downVol: v("--down-bg", "rgba(198,47,58,0.3)") };
    this.chart.applyOptions({
      layout: { textColor: fg },
      grid: { vertLines: { color: grid }, horzLines: { color: grid } },
      crosshair: { vertLine: { labelBackgroundColor: fg }, horzLine: { labelBackgroundColor: fg } },
      timeScale: { borderColor: border },
    });
    this.candles.applyOptions({ upColor: up, downColor: down, wickUpColor: up, wickDownColor: down });
    if (this.bars.length > 0) this.volume.setData(this.bars.map((b) => this.volumeOf(b)));
  }
}
