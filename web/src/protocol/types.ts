// Message shapes of the tickcast wire protocol v1 (protocol.md 4 and 5), as the
// client sees them after decoding. Decimals are strings; integers are numbers (the spec
// guarantees they fit in 2^53, except nanosecond timestamps which lose a few hundred ns
// of precision as floats, harmless for display and latency). Unknown keys are ignored.

/** One instrument of GET /api/v1/instruments. */
export interface Instrument {
  s: string;
  base: string;
  quote: string;
  tick: string;
  lot: string;
  min_qty: string;
  max_qty: string;
  band_pct: string;
  ref: string;
}

/** A book level as on the wire: [price, quantity]. */
export type WireLevel = [string, string];

/** Fields every public market-data message carries. */
export interface PublicBase {
  ch: string;
  s: string;
  seq: number;
  off: number;
  ts: number;
}

export interface Welcome {
  t: "welcome";
  v: number;
  epoch: string;
  server_time: number;
  heartbeat_ms: number;
  max_msg: number;
}

export interface TradeMsg extends PublicBase {
  t: "trade";
  id: number;
  px: string;
  qty: string;
  side: Side;
}

export interface BookSnapshotMsg extends PublicBase {
  t: "book_snapshot";
  bids: WireLevel[];
  asks: WireLevel[];
  cs: number;
}

export interface BookDeltaMsg extends PublicBase {
  t: "book";
  bids: WireLevel[];
  asks: WireLevel[];
  cs: number;
}

export interface QuoteMsg extends PublicBase {
  t: "quote";
  bid?: string;
  bid_qty?: string;
  ask?: string;
  ask_qty?: string;
}

export interface TickerMsg extends PublicBase {
  t: "ticker";
  last: string;
  open: string;
  high: string;
  low: string;
  vol: string;
  change: string;
}

export interface CandleMsg extends PublicBase {
  t: "candle";
  start: number;
  o: string;
  h: string;
  l: string;
  c: string;
  v: string;
  n: number;
  closed: boolean;
}

export interface ResetMsg {
  t: "reset";
  ch: string;
  s: string;
  reason: string;
}

export interface SubscribedMsg {
  t: "subscribed";
  id?: number;
  streams: string[];
}

export interface UnsubscribedMsg {
  t: "unsubscribed";
  id?: number;
  streams: string[];
}

export interface AuthedMsg {
  t: "authed";
  id?: number;
  account: string;
}

export interface PongMsg {
  t: "pong";
  id?: number;
  ts: number;
}

export interface ErrorMsg {
  t: "error";
  id?: number;
  code: string;
  msg: string;
}

export type Side = "buy" | "sell";
export type OrderType = "limit" | "market";
export type TimeInForce = "gtc" | "ioc" | "fok";
export type OrderStatus =
  | "new"
  | "partially_filled"
  | "filled"
  | "canceled"
  | "expired"
  | "rejected";

export interface OrderMsg {
  t: "order";
  id?: number;
  oid: number;
  cid: string;
  s: string;
  side: Side;
  type: OrderType;
  tif: TimeInForce;
  post_only: boolean;
  px: string;
  qty: string;
  filled: string;
  avg_px: string;
  status: OrderStatus;
  reason?: string;
  seq: number;
  ts: number;
}

export interface FillMsg {
  t: "fill";
  oid: number;
  cid: string;
  trade_id: number;
  s: string;
  side: Side;
  px: string;
  qty: string;
  liq: string;
  seq: number;
  ts: number;
}

export interface BalanceEntry {
  total: string;
  available: string;
}

export interface AccountMsg {
  t: "account";
  account: string;
  balances: Record<string, BalanceEntry>;
  seq: number;
  ts: number;
}

export interface CanceledAllMsg {
  t: "canceled_all";
  id?: number;
  count: number;
}

/** Every server → client message this client understands. */
export type ServerMessage =
  | Welcome
  | TradeMsg
  | BookSnapshotMsg
  | BookDeltaMsg
  | QuoteMsg
  | TickerMsg
  | CandleMsg
  | ResetMsg
  | SubscribedMsg
  | UnsubscribedMsg
  | AuthedMsg
  | PongMsg
  | ErrorMsg
  | OrderMsg
  | FillMsg
  | AccountMsg
  | CanceledAllMsg;

/** Public messages that belong to a stream and carry seq/off/ts. */
export type StreamMessage =
  | TradeMsg
  | BookSnapshotMsg
  | BookDeltaMsg
  | QuoteMsg
  | TickerMsg
  | CandleMsg;

/** Client → server operations (protocol.md 4). */
export type ClientOp =
  | {
      op: "subscribe";
      id?: number;
      channels: string[];
      symbols: string[];
      epoch?: string;
      since?: Record<string, number>;
    }
  | { op: "unsubscribe"; id?: number; channels: string[]; symbols: string[] }
  | { op: "auth"; id?: number; token: string; cancel_on_disconnect?: boolean }
  | {
      op: "order";
      id?: number;
      cid: string;
      s: string;
      side: Side;
      type: OrderType;
      qty: string;
      px?: string;
      tif?: TimeInForce;
      post_only?: boolean;
    }
  | { op: "cancel"; id?: number; oid?: number; cid?: string }
  | { op: "amend"; id?: number; oid?: number; cid?: string; qty?: string; px?: string }
  | { op: "cancel_all"; id?: number; s?: string }
  | { op: "ping"; id?: number };

/** Channel names of protocol.md 3.1. */
export const CH_TRADES = "trades";
export const CH_BOOK = "book";
export const CH_QUOTE = "quote";
export const CH_TICKER = "ticker";
export const CH_CANDLES_1S = "candles.1s";
export const CH_CANDLES_1M = "candles.1m";

/** The stream name `CHANNEL:SYMBOL`. */
export function streamName(ch: string, symbol: string): string {
  return ch + ":" + symbol;
}
