// Entry point of the viewer ("/viewer"): a live ticker board over one EventSource for all
// symbols (`/sse?channels=ticker,quote`: 24 h statistics and the best bid and offer). No
// WebSocket on this page.

import { LatencyStats } from "../lib/latency";
import { byId, setAttr, setText } from "../lib/dom";
import { clock, duration, nowMs } from "../lib/timefmt";
import { asList, fetchCandles, fetchInstruments, fetchTickers } from "../net/rest";
import { SseClient, type SseState } from "./sse";
import { SPARK_SLOTS, TickerBoard, sparkSeed, type QuoteFields, type TickerFields } from "./board";

function tickerFields(v: unknown): TickerFields | null {
  if (typeof v !== "object" || v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof o.s !== "string") return null;
  const t: TickerFields = { s: o.s };
  for (const k of ["last", "high", "low", "vol", "change"] as const) {
    if (typeof o[k] === "string") t[k] = o[k] as string;
  }
  if (typeof o.seq === "number") t.seq = o.seq;
  if (typeof o.ts === "number") t.ts = o.ts;
  return t;
}

async function main(): Promise<void> {
  const pill = byId("conn");
  const latencyEl = byId("latency");
  const updated = byId("updated");
  const board = new TickerBoard(byId("rows"), byId("empty"));
  const latency = new LatencyStats(500);
  let epoch = "";
  let openedAt = 0;
  let lastEventAt = 0;

  const refresh = async (): Promise<void> => {
    try {
      for (const it of asList(await fetchTickers())) {
        const t = tickerFields(it);
        if (t) board.update(t);
      }
    } catch (err) {
      console.warn(`tickers: ${String(err)}`);
    }
  };

  /** Streams heard from since the stream (re)opened: their first message is a latest value. */
  const heard = new Set<string>();
  const setState = (s: SseState): void => {
    if (s.kind === "live") {
      openedAt = nowMs();
      heard.clear();
    }
    const text =
      s.kind === "live"
        ? "Live"
        : s.kind === "connecting"
          ? "Connecting…"
          : s.kind === "reconnecting"
            ? "Reconnecting…"
            : `Disconnected · retrying at ${clock(s.retryAt)}`;
    setAttr(pill, "data-state", s.kind === "reconnecting" ? "waiting" : s.kind);
    setText(pill, text);
  };

  const sse = new SseClient("channels=ticker,quote", ["ticker", "quote", "reset"], {
    onState: setState,
    onMessage: (m, _recv) => {
      const recv = nowMs();
      lastEventAt = recv;
      const id = sse.lastEventId;
      const e = id.includes(":") ? id.slice(0, id.lastIndexOf(":")) : "";
      if (e && epoch && e !== epoch) {
        // A new feed history: seq restarted.
        board.resetSeq();
        board.resetQuoteSeq();
      }
      if (e) epoch = e;
      if (m.t === "reset") {
        if (m.ch === "quote") board.resetQuoteSeq(m.s || undefined);
        else {
          board.resetSeq(m.s || undefined);
          void refresh();
        }
        return;
      }
      if (m.t !== "quote" && m.t !== "ticker") return;
      // Latency of live messages only: not a stream's first message after (re)opening (its
      // latest value, published before), nor a replay from before the stream opened.
      const stream = `${m.ch}:${m.s}`;
      const tsMs = m.ts / 1e6;
      if (heard.has(stream) && tsMs >= openedAt - 1000) latency.add(recv - tsMs);
      heard.add(stream);
      if (m.t === "quote") board.updateQuote(m as QuoteFields);
      else board.update(m);
    },
  });

  // Instruments give the row order; the board also grows rows for unknown symbols. The
  // sparklines start from the last two minutes of 1 s candles.
  fetchInstruments()
    .then((list) => {
      board.setSymbols(list.map((i) => i.s));
      for (const i of list) {
        fetchCandles(i.s, "1s", SPARK_SLOTS)
          .then((candles) => board.seed(i.s, sparkSeed(candles, Date.now(), SPARK_SLOTS)))
          .catch((err: unknown) => console.warn(`candles of ${i.s}: ${String(err)}`));
      }
    })
    .catch((err: unknown) => console.warn(`instruments: ${String(err)}`));
  await refresh();
  sse.start();

  setInterval(() => board.sample(), 1000);
  setInterval(() => {
    setText(
      latencyEl,
      latency.size ? `latency ${duration(latency.smoothed)} · p99 ${duration(latency.percentile(99))}` : "latency –",
    );
    setText(updated, lastEventAt ? `updated ${clock(lastEventAt)}` : "");
  }, 500);
}

void main();
