// Plain-language wording of every error code, order reject reason and cancel/expiry reason
// of protocol.md 9.1, 8.4 and 8.3, shown next to the order form and in the orders list.

/** Error codes of `{"t":"error"}` messages and REST errors. */
export const ERROR_CODES = [
  "bad_request",
  "unknown_op",
  "unknown_channel",
  "unknown_symbol",
  "not_authenticated",
  "invalid_token",
  "unknown_order",
  "rate_limited",
  "too_many_subscriptions",
  "internal",
] as const;

/** Reasons an order is rejected on arrival. */
export const REJECT_REASONS = [
  "invalid_symbol",
  "invalid_side",
  "invalid_type",
  "invalid_tif",
  "invalid_price",
  "invalid_qty",
  "price_tick",
  "qty_lot",
  "qty_min",
  "qty_max",
  "price_band",
  "insufficient_funds",
  "post_only_would_cross",
  "no_liquidity",
  "duplicate_cid",
  "rate_limited",
  "too_many_open_orders",
] as const;

/** Reasons a resting or incoming order ends canceled or expired. */
export const END_REASONS = [
  "user",
  "ioc_remainder",
  "fok_unfillable",
  "self_trade",
  "disconnect",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
export type RejectReason = (typeof REJECT_REASONS)[number];
export type EndReason = (typeof END_REASONS)[number];

/** Instrument details that make some sentences more precise; all optional. */
export interface ReasonContext {
  tick?: string;
  lot?: string;
  minQty?: string;
  maxQty?: string;
  bandPct?: string;
  base?: string;
  quote?: string;
}

const ERROR_TEXT: Record<ErrorCode, (c: ReasonContext) => string> = {
  bad_request: () => "The server could not understand the request.",
  unknown_op: () => "The server does not know this operation.",
  unknown_channel: () => "The server does not know this market-data channel.",
  unknown_symbol: () => "The server does not know this instrument.",
  not_authenticated: () => "Not signed in yet: wait for the connection to be ready and try again.",
  invalid_token: () => "The demo account is no longer valid; a new one is being created.",
  unknown_order: () => "That order no longer exists (it was already filled or canceled).",
  rate_limited: () => "Too many requests: slow down and try again in a moment.",
  too_many_subscriptions: () => "Too many market-data subscriptions on this connection.",
  internal: () => "The server ran into an internal error. Please try again.",
};

const REJECT_TEXT: Record<RejectReason, (c: ReasonContext) => string> = {
  invalid_symbol: () => "This instrument cannot be traded.",
  invalid_side: () => "The order side must be buy or sell.",
  invalid_type: () => "The order type must be limit or market.",
  invalid_tif: () => "The time in force must be GTC, IOC or FOK.",
  invalid_price: () => "The price is not a valid positive number.",
  invalid_qty: () => "The quantity is not a valid positive number.",
  price_tick: (c) =>
    `The price must be a whole multiple of the tick size${c.tick ? ` (${c.tick})` : ""}.`,
  qty_lot: (c) =>
    `The quantity must be a whole multiple of the lot size${c.lot ? ` (${c.lot})` : ""}.`,
  qty_min: (c) => `The quantity is below the minimum${c.minQty ? ` of ${c.minQty}` : ""}.`,
  qty_max: (c) => `The quantity is above the maximum${c.maxQty ? ` of ${c.maxQty}` : ""}.`,
  price_band: (c) =>
    "Price is too far from the last trade (outside the price band)." +
    (c.bandPct ? ` Limit prices must be within ±${c.bandPct}% of it.` : ""),
  insufficient_funds: (c) =>
    "Not enough available balance to place this order" +
    (c.base && c.quote ? ` (buying needs ${c.quote}, selling needs ${c.base})` : "") +
    ".",
  post_only_would_cross: () =>
    "Post-only order would have traded immediately, so it was not placed.",
  no_liquidity: () => "There are no orders on the other side of the book to trade against.",
  duplicate_cid: () => "An open order already uses this client order id.",
  rate_limited: () => "Too many orders: slow down and try again in a moment.",
  too_many_open_orders: () =>
    "This account already has as many open orders as it may: cancel some before placing more.",
};

const END_TEXT: Record<EndReason, () => string> = {
  user: () => "Canceled by you.",
  ioc_remainder: () => "The part that could not trade at once was canceled (immediate-or-cancel).",
  fok_unfillable: () => "Could not be filled in full at once, so nothing traded (fill-or-kill).",
  self_trade: () => "Canceled to prevent trading against your own order.",
  disconnect: () => "Canceled because the connection closed (cancel on disconnect).",
};

function has<K extends string>(table: Record<K, unknown>, code: string): code is K {
  return Object.prototype.hasOwnProperty.call(table, code);
}

/** The sentence for an order reject reason; a generic one for codes this client does not know. */
export function rejectText(reason: string | undefined, ctx: ReasonContext = {}): string {
  if (reason !== undefined && has(REJECT_TEXT, reason)) return REJECT_TEXT[reason](ctx);
  if (reason !== undefined && has(ERROR_TEXT, reason)) return ERROR_TEXT[reason](ctx);
  return `The order was rejected${reason ? ` (${reason})` : ""}.`;
}

/** The sentence for an error code. */
export function errorText(code: string | undefined, ctx: ReasonContext = {}): string {
  if (code !== undefined && has(ERROR_TEXT, code)) return ERROR_TEXT[code](ctx);
  if (code !== undefined && has(REJECT_TEXT, code)) return REJECT_TEXT[code](ctx);
  return `The request failed${code ? ` (${code})` : ""}.`;
}

/** The sentence for why an order ended canceled or expired. */
export function endText(reason: string | undefined): string {
  if (reason !== undefined && has(END_TEXT, reason)) return END_TEXT[reason]();
  if (reason !== undefined && has(REJECT_TEXT, reason)) return REJECT_TEXT[reason]({});
  return reason ? `Ended (${reason}).` : "Ended.";
}

const SHORT: Record<string, string> = {
  user: "Canceled by you",
  ioc_remainder: "IOC remainder",
  fok_unfillable: "FOK not fillable",
  self_trade: "Self-trade prevention",
  disconnect: "Cancel on disconnect",
  price_band: "Outside price band",
  price_tick: "Not on the tick",
  qty_lot: "Not a whole lot",
  qty_min: "Below minimum size",
  qty_max: "Above maximum size",
  insufficient_funds: "Insufficient funds",
  post_only_would_cross: "Post-only would cross",
  no_liquidity: "No liquidity",
  duplicate_cid: "Duplicate client id",
  rate_limited: "Rate limited",
  too_many_open_orders: "Too many open orders",
};

/**
 * A few words for a reason in a table cell ("Outside price band"); the sentence of
 * rejectText or endText goes into its tooltip. Unknown reasons are spelled out.
 */
export function shortReason(reason: string | undefined): string {
  if (!reason) return "";
  const s = SHORT[reason];
  if (s) return s;
  const words = reason.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}
