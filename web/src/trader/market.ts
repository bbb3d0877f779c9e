// Public market data of the trader screen: the selected instrument's book, trades and
// candles, and the tickers of every instrument (last prices for valuation). Owns the
// subscriptions, verifies sequence and checksum, resyncs the book, fills gaps, and loads
// REST history for streams that start afresh (first subscribe, reset, unresumable).

import { OrderBook } from "../book/book";
import { decimalsOf } from "../lib/decimal";
import type { Connection } from "../net/connection";
import { fetchCandles, fetchTickers, fetchTrades } from "../net/rest";
import {
  CH_BOOK,
  CH_TICKER,
  CH_TRADES,
  streamName,
  type BookDeltaMsg,
  type BookSnapshotMsg,
  type CandleMsg,
  type Instrument,
  type ResetMsg,
  type ServerMessage,
  type TickerMsg,
  type TradeMsg,
  type Welcome,
} from "../protocol/types";
import { sourceOf, type Interval } from "./candles";
import type { CandleChart } from "./chart";
import type { Ladder } from "./ladder";
import { toTapeTrade, type TapeView, type TradeList } from "./tape";

export type { Interval } from "./candles";

/** The latest ticker of an instrument. */
export interface TickerState {
  last: string;
  open: string;
  high: string;
  low: string;
  vol: string;
  change: string;
  seq: number;
}

export interface MarketViews {
  ladder: Ladder;
  tape: TapeView;
  chart: CandleChart;
  /** A ticker changed (any instrument). */
  ticker(symbol: string): void;
  /** The book of the selected instrument changed. */
  book(): void;
}

const TRADES_LIMIT = 100;
/** Candles asked for at load: REST's maximum, the most history for the longer intervals. */
const CANDLES_LIMIT = 1000;
const HISTORY_FALLBACK_MS = 3000;

export class Market {
  readonly tickers = new Map<string, TickerState>();
  symbol = "";
  interval: Interval = "1m";
  book: OrderBook | null = null;
  /** Book resyncs so far (checksum mismatch, gap, bad level). */
  resyncs = 0;

  private token = 0;
  private epoch: string | null = null;
  private readonly pendingHistory = new Set<string>();
  private fallbackTimer: ReturnType<typeof setTimeout> | undefined;
  private resyncTimer: ReturnType<typeof setTimeout> | undefined;
  private badInRow = 0;
  private tradesGap = false;
  private tickersLoading = false;

  constructor(
    private readonly conn: Connection,
    private readonly instruments: Map<string, Instrument>,
    /** The tape's trades of the selected instrument (shared with the tape view). */
    readonly trades: TradeList,
    private readonly v: MarketViews,
  ) {}

  /** The channel the selected candle interval is built from. */
  get candleChannel(): string {
    return `candles.${sourceOf(this.interval)}`;
  }

  /** Subscribes to the tickers of every instrument (for last prices). */
  watchTickers(): void {
    this.conn.subscribe([CH_TICKER], [...this.instruments.keys()]);
    if (!this.conn.isLive) this.loadTickers();
  }

  /** Switches to an instrument. */
  select(symbol: string): void {
    const inst = this.instruments.get(symbol);
    if (!inst || symbol === this.symbol) return;
    if (this.symbol) this.conn.unsubscribe([CH_BOOK, CH_TRADES, this.candleChannel], [this.symbol]);
    this.symbol = symbol;
    this.token++;
    this.book = new OrderBook(decimalsOf(inst.tick), decimalsOf(inst.lot));
    this.badInRow = 0;
    this.tradesGap = false;
    clearTimeout(this.resyncTimer);
    this.resyncTimer = undefined;
    this.v.ladder.setBook(this.book);
    this.v.ladder.setState("waiting");
    this.v.book();
    this.trades.clear();
    this.v.tape.invalidate();
    this.v.chart.clear();
    this.v.chart.setInstrument(inst, this.interval);
    this.v.chart.beginHistory();
    this.pendingHistory.clear();
    this.conn.subscribe([CH_BOOK, CH_TRADES, this.candleChannel], [symbol]);
    this.needHistory([this.tradesStream, this.candleStream]);
  }

  /** Switches the candle interval. */
  setInterval(iv: Interval): void {
    if (iv === this.interval || !this.symbol) {
      this.interval = iv;
      return;
    }
    const inst = this.instruments.get(this.symbol);
    const sameSource = sourceOf(iv) === sourceOf(this.interval);
    if (!sameSource) this.conn.unsubscribe([this.candleChannel], [this.symbol]);
    this.pendingHistory.delete(this.candleStream);
    this.interval = iv;
    this.token++;
    this.v.chart.clear();
    if (inst) this.v.chart.setInstrument(inst, iv);
    this.v.chart.beginHistory();
    if (sameSource) {
      // Same stream (5m, 15m, 1h all come from 1m): only the history is built again.
      this.loadHistory(this.candleStream);
      return;
    }
    this.conn.subscribe([this.candleChannel], [this.symbol]);
    this.needHistory([this.candleStream]);
  }

  /** After every (re)connect: streams that could not be resumed start over. */
  onReady(w: Welcome, fresh: readonly string[]): void {
    const epochChanged = this.epoch !== null && this.epoch !== w.epoch;
    this.epoch = w.epoch;
    const need: string[] = [];
    for (const s of fresh) {
      if (s === this.bookStream) this.invalidateBook("waiting");
      else if (s === this.tradesStream) {
        if (epochChanged) this.trades.clear(); // trade ids restart with the history
        need.push(s);
      } else if (s === this.candleStream) need.push(s);
    }
    this.tradesGap = false;
    if (fresh.some((s) => s.startsWith(CH_TICKER + ":"))) this.loadTickers();
    this.needHistory(need);
  }

  /** Handles a public message; false when it is not one of ours. */
  handle(m: ServerMessage): boolean {
    switch (m.t) {
      case "book_snapshot":
      case "book":
        this.onBook(m);
        return true;
      case "trade":
        this.onTrade(m);
        return true;
      case "candle":
        this.onCandle(m);
        return true;
      case "ticker":
        this.onTicker(m);
        return true;
      case "reset":
        this.onReset(m);
        return true;
      case "subscribed":
        for (const s of m.streams ?? []) {
          if (this.pendingHistory.delete(s)) this.loadHistory(s);
        }
        return true;
      case "quote":
      case "unsubscribed":
        return true;
      default:
        return false;
    }
  }

  private get bookStream(): string {
    return streamName(CH_BOOK, this.symbol);
  }

  private get tradesStream(): string {
    return streamName(CH_TRADES, this.symbol);
  }

  private get candleStream(): string {
    return streamName(this.candleChannel, this.symbol);
  }

  // ---- book

  private onBook(m: BookSnapshotMsg | BookDeltaMsg): void {
    const book = this.book;
    if (m.s !== this.symbol || !book) return;
    if (m.t === "book" && book.synced && this.conn.resume.restarted(this.bookStream, m.seq, m.ts)) {
      console.warn(`book ${m.s}: seq went back to ${m.seq} with newer data, resyncing`);
      this.resyncBook();
      return;
    }
    const r = m.t === "book_snapshot" ? book.applySnapshot(m) : book.applyDelta(m);
    switch (r) {
      case "ok":
        this.conn.ack(this.bookStream, m.seq, m.ts);
        this.badInRow = 0;
        this.v.ladder.setState("live", this.resyncs > 0 ? `${this.resyncs} resync${this.resyncs > 1 ? "s" : ""}` : "");
        this.v.ladder.invalidate();
        this.v.book();
        return;
      case "ignored":
        return;
      case "gap":
      case "checksum":
      case "invalid":
        console.warn(`book ${m.s}: ${r} at seq ${m.seq}, resyncing`);
        this.resyncBook();
    }
  }

  private invalidateBook(state: "waiting" | "resync"): void {
    this.book?.invalidate();
    this.conn.resume.forget(this.bookStream);
    this.v.ladder.setState(state);
    this.v.ladder.invalidate();
    this.v.book();
  }

  /** Unsubscribe + subscribe for a fresh snapshot, backing off if it keeps failing. */
  private resyncBook(): void {
    this.resyncs++;
    this.badInRow++;
    this.invalidateBook("resync");
    if (this.resyncTimer !== undefined) return;
    const delay = this.badInRow <= 1 ? 0 : Math.min(10_000, 500 * 2 ** (this.badInRow - 2));
    const symbol = this.symbol;
    this.resyncTimer = setTimeout(() => {
      this.resyncTimer = undefined;
      if (symbol === this.symbol) this.conn.resubscribe(CH_BOOK, symbol, false);
    }, delay);
  }

  // ---- trades

  private onTrade(m: TradeMsg): void {
    if (m.s !== this.symbol) return;
    const stream = this.tradesStream;
    const pos = this.conn.resume.position(stream);
    if (pos && this.conn.resume.restarted(stream, m.seq, m.ts)) {
      // The server's trade history restarted under the same epoch: start the tape over.
      console.warn(`trades ${m.s}: seq went back to ${m.seq} with newer data, reloading`);
      this.conn.resume.forget(stream);
      this.trades.clear();
      this.v.tape.invalidate();
      this.loadHistory(stream);
    } else if (pos) {
      if (m.seq <= pos.seq) return; // duplicate
      if (m.seq > pos.seq + 1) {
        // Lost trades: resume from the last one we have; the server replays or resets.
        if (!this.tradesGap) {
          this.tradesGap = true;
          console.warn(`trades ${m.s}: gap ${pos.seq} → ${m.seq}, resuming`);
          this.conn.resubscribe(CH_TRADES, m.s, true);
        }
        return;
      }
    }
    this.tradesGap = false;
    this.conn.ack(stream, m.seq, m.ts);
    const t = toTapeTrade(m);
    if (t && this.trades.add(t)) this.v.tape.invalidate();
  }

  // ---- candles and tickers (conflatable: seq may skip, never goes back)

  private onCandle(m: CandleMsg): void {
    if (m.s !== this.symbol || m.ch !== this.candleChannel) return;
    const pos = this.conn.resume.position(this.candleStream);
    if (pos && m.seq <= pos.seq && !this.conn.resume.restarted(this.candleStream, m.seq, m.ts)) return;
    this.conn.ack(this.candleStream, m.seq, m.ts);
    this.v.chart.push(m);
  }

  private onTicker(m: TickerMsg): void {
    const stream = streamName(CH_TICKER, m.s);
    const pos = this.conn.resume.position(stream);
    if (pos && m.seq <= pos.seq && !this.conn.resume.restarted(stream, m.seq, m.ts)) return;
    this.conn.ack(stream, m.seq, m.ts);
    this.setTicker(m.s, m);
  }

  private setTicker(s: string, t: Partial<TickerState>): void {
    this.tickers.set(s, {
      last: t.last ?? "",
      open: t.open ?? "",
      high: t.high ?? "",
      low: t.low ?? "",
      vol: t.vol ?? "",
      change: t.change ?? "",
      seq: t.seq ?? 0,
    });
    this.v.ticker(s);
  }

  // ---- resets and history

  private onReset(m: ResetMsg): void {
    this.conn.resume.forget(streamName(m.ch, m.s));
    if (m.ch === CH_TICKER) {
      this.loadTickers();
      return;
    }
    if (m.s !== this.symbol) return;
    if (m.ch === CH_BOOK) {
      this.invalidateBook("waiting"); // a fresh snapshot follows
    } else if (m.ch === CH_TRADES) {
      this.tradesGap = false;
      this.trades.clear();
      this.v.tape.invalidate();
      this.loadHistory(this.tradesStream);
    } else if (m.ch === this.candleChannel) {
      this.loadHistory(this.candleStream);
    }
  }

  /**
   * Marks streams as needing REST history. Loaded when the server confirms the
   * subscription (so the live stream already runs and the overlap is deduplicated),
   * at once when not connected (something to show meanwhile), and after a fallback delay
   * in case the confirmation never names the stream.
   */
  private needHistory(streams: readonly string[]): void {
    if (streams.length === 0) return;
    if (!this.conn.isLive) {
      for (const s of streams) this.loadHistory(s);
      return;
    }
    for (const s of streams) this.pendingHistory.add(s);
    clearTimeout(this.fallbackTimer);
    this.fallbackTimer = setTimeout(() => {
      for (const s of [...this.pendingHistory]) {
        this.pendingHistory.delete(s);
        this.loadHistory(s);
      }
    }, HISTORY_FALLBACK_MS);
  }

  private loadHistory(stream: string): void {
    const token = this.token;
    const symbol = this.symbol;
    if (stream === this.tradesStream) {
      fetchTrades(symbol, TRADES_LIMIT).then(
        (list) => {
          if (token !== this.token) return;
          const ts = [];
          for (const it of list) {
            const t = toTapeTrade(it);
            if (t) ts.push(t);
          }
          this.trades.merge(ts);
          this.v.tape.invalidate();
        },
        (err: unknown) => console.warn(`trades history of ${symbol}: ${String(err)}`),
      );
    } else if (stream === this.candleStream) {
      const iv = sourceOf(this.interval);
      this.v.chart.beginHistory();
      fetchCandles(symbol, iv, CANDLES_LIMIT).then(
        (list) => {
          if (token === this.token) this.v.chart.setHistory(list);
        },
        (err: unknown) => {
          if (token !== this.token) return;
          this.v.chart.setHistory([]);
          this.v.chart.setNote(`Candle history unavailable (${String(err)})`);
        },
      );
    }
  }

  private loadTickers(): void {
    if (this.tickersLoading) return;
    this.tickersLoading = true;
    fetchTickers()
      .then((list) => {
        for (const it of list) {
          if (typeof it !== "object" || it === null) continue;
          const o = it as Record<string, unknown>;
          if (typeof o.s !== "string" || typeof o.last !== "string") continue;
          const seq = typeof o.seq === "number" ? o.seq : 0;
          const have = this.tickers.get(o.s);
          // A live ticker newer than the REST one wins.
          if (have && (seq === 0 || have.seq >= seq)) continue;
          this.setTicker(o.s, o as Partial<TickerState>);
        }
      })
      .catch((err: unknown) => console.warn(`tickers: ${String(err)}`))
      .finally(() => {
        this.tickersLoading = false;
      });
  }
}
