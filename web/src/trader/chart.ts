// Candlestick chart with volume (TradingView lightweight-charts v5), the user's open orders
// as price lines and fills as markers. History comes from REST at load; live `candle`
// messages update it. 5m, 15m and 1h candles are built from 1m ones (candles.ts). Live
// candles that arrive while history loads are held back and applied after it; updates are
// applied at most 10 times a second; the number of bars is capped.
//
// At load the history fills the plot: all of it when it is short (bars from the left edge),
// the latest VISIBLE_BARS when it is long; as bars arrive the view follows until the user
// scrolls or zooms (a double click returns to it).
//
// Prices become floats here, for drawing only.

import {
  CandlestickSeries,
  ColorType,
  CrosshairMode,
  HistogramSeries,
  LineStyle,
  TickMarkType,
  createChart,
  createSeriesMarkers,
  type CandlestickData,
  type HistogramData,
  type IChartApi,
  type IPriceLine,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type MouseEventParams,
  type SeriesMarker,
  type Time,
  type UTCTimestamp,
} from "lightweight-charts";
import { decimalsOf, floatOf, groupThousands } from "../lib/decimal";
import { byId, setAttr, setText } from "../lib/dom";
import { compactQty, grouped } from "../lib/numfmt";
import { schedule } from "../lib/scheduler";
import type { FillMsg, Instrument, OrderMsg } from "../protocol/types";
import { remainingOf } from "./history";
import { INTERVAL_SECONDS, aggregate, bucketOf, rebuild, sourceOf, toBar, upsert, type Bar, type Interval } from "./candles";

export { toBar, type Bar } from "./candles";

/** Source bars kept; trimmed back to BARS_KEEP when BARS_MAX is passed. */
const BARS_KEEP = 2000;
const BARS_MAX = 2500;
const HELD_MAX = 200;
/** Bars shown at load when the history is long. */
const VISIBLE_BARS = 150;
/** Widest spacing of bars when the history is short (px). */
const MAX_BAR_SPACING = 24;
const RIGHT_OFFSET = 3;
/** Fill markers drawn at most. */
const MARKERS_MAX = 200;

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
  private readonly markers: ISeriesMarkersPluginApi<Time>;
  private readonly note: HTMLElement;
  private readonly legend: HTMLElement;
  /** Bars of the source interval (1s or 1m), sorted. */
  private source: Bar[] = [];
  /** Bars drawn (the source, or buckets built from it), sorted. */
  private bars: Bar[] = [];
  private sec = 60;
  private srcSec = 60;
  private loading = true;
  private readonly held = new Map<number, Bar>();
  private readonly pending = new Map<number, Bar>();
  private hover: Bar | null = null;
  private follow = true;
  private readonly lines = new Map<number, { line: IPriceLine; key: string }>();
  private fills: readonly FillMsg[] = [];
  private symbol = "";
  private base = "";
  private readonly render = (): void => this.flush();

  constructor(private readonly container: HTMLElement) {
    this.note = byId("chart-note");
    this.legend = byId("chart-legend");
    this.chart = createChart(container, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: "transparent" }, fontSize: 11, attributionLogo: true },
      crosshair: { mode: CrosshairMode.Normal },
      rightPriceScale: { borderVisible: false },
      timeScale: {
        borderVisible: false,
        timeVisible: true,
        secondsVisible: false,
        rightOffset: RIGHT_OFFSET,
        shiftVisibleRangeOnNewBar: false,
      },
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
    this.markers = createSeriesMarkers(this.candles, []);
    // What is shown, for tests and the curious: the logical range (bar indexes) in view.
    this.chart.timeScale().subscribeVisibleLogicalRangeChange((r) => {
      if (r) setAttr(this.container, "data-range", `${r.from.toFixed(1)}..${r.to.toFixed(1)}`);
    });
    this.chart.subscribeCrosshairMove((p) => this.onCrosshair(p));
    // The user takes the view over by dragging, scrolling or zooming (a plain click or tap
    // does not); a double click gives it back.
    let downRange = "";
    const rangeKey = (): string => JSON.stringify(this.chart.timeScale().getVisibleLogicalRange());
    container.addEventListener("pointerdown", () => {
      downRange = rangeKey();
    });
    container.addEventListener("pointerup", () => {
      if (downRange !== "" && rangeKey() !== downRange) this.follow = false;
      downRange = "";
    });
    container.addEventListener(
      "wheel",
      () => {
        this.follow = false;
      },
      { passive: true },
    );
    container.addEventListener("dblclick", () => {
      this.follow = true;
      this.fit();
    });
    this.applyTheme();
    const mq = window.matchMedia?.("(prefers-color-scheme: dark)");
    mq?.addEventListener("change", () => this.applyTheme());
  }

  /** Formats prices with the instrument's tick and chooses the interval. */
  setInstrument(inst: Instrument, interval: Interval): void {
    const pd = decimalsOf(inst.tick);
    this.symbol = inst.s;
    this.base = inst.base;
    this.sec = INTERVAL_SECONDS[interval];
    this.srcSec = INTERVAL_SECONDS[sourceOf(interval)];
    this.candles.applyOptions({
      priceFormat: {
        type: "custom",
        minMove: floatOf(inst.tick) || 10 ** -pd,
        formatter: (p: number) => groupThousands(p.toFixed(pd)),
      },
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
    this.clearLines();
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

  /** Replaces the data with history of the source interval (oldest first), then held bars. */
  setHistory(items: readonly unknown[]): void {
    const src: Bar[] = [];
    for (const it of items) {
      const b = toBar(it);
      if (b) upsert(src, b);
    }
    for (const b of [...this.held.values()].sort((x, y) => x.time - y.time)) upsert(src, b);
    this.held.clear();
    this.loading = false;
    this.source = src.slice(-BARS_KEEP);
    this.bars = aggregate(this.source, this.sec);
    this.setAll();
    this.follow = true;
    this.fit();
    setText(this.note, this.bars.length === 0 ? "No trades yet" : "");
  }

  /** A live candle of the source interval (protocol.md 5.6); drawn in a coming frame. */
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

  /** Drops all bars (instrument or interval switch). */
  clear(): void {
    this.source = [];
    this.bars = [];
    this.pending.clear();
    this.held.clear();
    this.candles.setData([]);
    this.volume.setData([]);
    this.markers.setMarkers([]);
    this.drawLegend();
    setAttr(this.container, "data-bars", "0");
    setAttr(this.container, "data-volume-bars", "0");
  }

  /** The user's open orders: one price line each for those of the chart's instrument. */
  setOrders(open: Iterable<OrderMsg>): void {
    const keep = new Set<number>();
    for (const o of open) {
      if (o.s !== this.symbol || !o.px) continue;
      keep.add(o.oid);
      const remaining = remainingOf(o);
      const key = `${o.side}|${o.px}|${remaining}`;
      const have = this.lines.get(o.oid);
      if (have?.key === key) continue;
      const buy = o.side === "buy";
      const opts = {
        price: floatOf(o.px),
        color: buy ? this.colors.up : this.colors.down,
        lineStyle: LineStyle.Dashed,
        lineWidth: 1 as const,
        axisLabelVisible: true,
        title: `${buy ? "Buy" : "Sell"} ${compactQty(remaining)}`,
      };
      if (have) {
        have.line.applyOptions(opts);
        have.key = key;
      } else {
        this.lines.set(o.oid, { line: this.candles.createPriceLine(opts), key });
      }
    }
    for (const [oid, l] of this.lines) {
      if (!keep.has(oid)) {
        this.candles.removePriceLine(l.line);
        this.lines.delete(oid);
      }
    }
    setAttr(this.container, "data-order-lines", String(this.lines.size));
  }

  /** The user's fills (newest first): markers at their price on the bars they fell in. */
  setFills(fills: readonly FillMsg[]): void {
    this.fills = fills;
    this.drawMarkers();
  }

  private drawMarkers(): void {
    const first = this.bars[0]?.time;
    const out: SeriesMarker<Time>[] = [];
    if (first !== undefined) {
      for (const f of this.fills) {
        if (f.s !== this.symbol) continue;
        const t = bucketOf(Math.floor(f.ts / 1e9), this.sec);
        if (t < first || this.findBar(t) < 0) continue;
        const buy = f.side === "buy";
        out.push({
          time: t as UTCTimestamp,
          position: "atPriceMiddle",
          price: floatOf(f.px),
          shape: buy ? "arrowUp" : "arrowDown",
          color: buy ? this.colors.up : this.colors.down,
          size: 1,
          id: `${f.oid}:${f.trade_id}`,
        });
        if (out.length >= MARKERS_MAX) break;
      }
    }
    out.sort((a, b) => (a.time as number) - (b.time as number));
    this.markers.setMarkers(out);
    setAttr(this.container, "data-fill-markers", String(out.length));
  }

  private clearLines(): void {
    for (const l of this.lines.values()) this.candles.removePriceLine(l.line);
    this.lines.clear();
    setAttr(this.container, "data-order-lines", "0");
  }

  /** Shows the history across the plot (see the file comment). */
  private fit(): void {
    const n = this.bars.length;
    if (n === 0) return;
    const ts = this.chart.timeScale();
    const width = ts.width() || this.container.clientWidth || 600;
    if (n >= VISIBLE_BARS) {
      ts.setVisibleLogicalRange({ from: n - VISIBLE_BARS, to: n - 1 + RIGHT_OFFSET });
    } else {
      // All bars, from the left edge; with few, at most MAX_BAR_SPACING apart (the rest of
      // the plot is room for the bars to come).
      const slots = Math.max(n - 1 + RIGHT_OFFSET, width / MAX_BAR_SPACING);
      ts.setVisibleLogicalRange({ from: -0.5, to: slots });
    }
  }

  private flush(): void {
    if (this.pending.size === 0) return;
    const updates = [...this.pending.values()].sort((a, b) => a.time - b.time);
    this.pending.clear();
    let added = false;
    for (const sb of updates) {
      if (upsert(this.source, sb) < 0) continue;
      const b = this.sec === this.srcSec ? sb : rebuild(this.source, sb.time, this.sec);
      if (!b) continue;
      const before = this.bars.length;
      const i = upsert(this.bars, b);
      if (i < 0) continue;
      added ||= this.bars.length > before;
      // update() only takes the last bar or an existing one (historicalUpdate).
      const historical = i < this.bars.length - 1;
      this.candles.update(this.candleOf(b), historical);
      this.volume.update(this.volumeOf(b), historical);
    }
    if (this.source.length > BARS_MAX) {
      this.source = this.source.slice(-BARS_KEEP);
      this.bars = aggregate(this.source, this.sec);
      this.setAll();
    }
    if (added) {
      if (this.follow) this.fit();
      this.drawMarkers();
    }
    if (this.bars.length > 0) setText(this.note, "");
    setAttr(this.container, "data-bars", String(this.bars.length));
    this.countVolume();
    this.drawLegend();
  }

  /** For tests: the volume bars (non-zero) the histogram series holds. */
  private countVolume(): void {
    const n = this.volume.data().filter((d) => "value" in d && d.value > 0).length;
    setAttr(this.container, "data-volume-bars", String(n));
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
    setAttr(this.container, "data-bars", String(this.bars.length));
    this.countVolume();
    this.drawMarkers();
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
    setText(
      this.legend,
      `O ${grouped(b.o)}  H ${grouped(b.h)}  L ${grouped(b.l)}  C ${grouped(b.c)}  V ${compactQty(b.v)} ${this.base}`,
    );
  }

  private colors = {
    up: "#0a8754",
    down: "#c62f3a",
    upVol: "rgba(10,135,84,0.45)",
    downVol: "rgba(198,47,58,0.45)",
  };

  private applyTheme(): void {
    const css = getComputedStyle(document.documentElement);
    const v = (name: string, fallback: string): string => css.getPropertyValue(name).trim() || fallback;
    const up = v("--up", "#0a8754");
    const down = v("--down", "#c62f3a");
    const fg = v("--fg-muted", "#5b6470");
    const grid = v("--grid", "#eceff3");
    const border = v("--border", "#d9dee4");
    this.colors = { up, down, upVol: v("--up-bg", "rgba(10,135,84,0.3)"), downVol: v("--down-bg", "rgba(198,47,58,0.3)") };
    this.chart.applyOptions({
      layout: { textColor: fg },
      grid: { vertLines: { color: grid }, horzLines: { color: grid } },
      crosshair: { vertLine: { labelBackgroundColor: fg }, horzLine: { labelBackgroundColor: fg } },
      timeScale: { borderColor: border },
    });
    this.candles.applyOptions({ upColor: up, downColor: down, wickUpColor: up, wickDownColor: down });
    if (this.bars.length > 0) this.volume.setData(this.bars.map((b) => this.volumeOf(b)));
    for (const l of this.lines.values()) l.key = ""; // recoloured at the next setOrders
    this.drawMarkers();
  }
}
