// REST calls of protocol.md 1.1, same origin. Errors carry the server's
// `{"code","msg"}` when it sent one.

import { checkMessage } from "../protocol/check";
import type { FillMsg, Instrument, OrderMsg } from "../protocol/types";

/** A failed REST call. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const TIMEOUT_MS = 10_000;

async function request(path: string, init: RequestInit = {}): Promise<unknown> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), TIMEOUT_MS);
  try {
    let res: Response;
    try {
      res = await fetch(path, {
        ...init,
        signal: ctl.signal,
        headers: { Accept: "application/json", ...(init.headers ?? {}) },
        cache: "no-store",
      });
    } catch (err) {
      throw new ApiError(0, "network", `network error: ${String(err)}`);
    }
    const text = await res.text();
    let body: unknown = undefined;
    if (text !== "") {
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
    }
    if (!res.ok) {
      const o = (body ?? {}) as { code?: unknown; msg?: unknown };
      throw new ApiError(
        res.status,
        typeof o.code === "string" ? o.code : `http_${res.status}`,
        typeof o.msg === "string" ? o.msg : `${res.status} ${res.statusText}`,
      );
    }
    return body;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A list from a response: the array itself, or the first array-valued property of an
 * object wrapper (the spec shows lists bare; a `{"trades":[…]}` envelope is tolerated).
 * A map keyed by symbol yields its values.
 */
export function asList(body: unknown, key?: string): unknown[] {
  if (Array.isArray(body)) return body;
  if (typeof body === "object" && body !== null) {
    const o = body as Record<string, unknown>;
    if (key && Array.isArray(o[key])) return o[key] as unknown[];
    for (const v of Object.values(o)) if (Array.isArray(v)) return v;
    const vals = Object.values(o);
    if (vals.length > 0 && vals.every((v) => typeof v === "object" && v !== null)) return vals;
  }
  return [];
}

function isInstrument(v: unknown): v is Instrument {
  if (typeof v !== "object" || v === null) return false;
  const o = v as Record<string, unknown>;
  return ["s", "base", "quote", "tick", "lot"].every((k) => typeof o[k] === "string");
}

/** GET /api/v1/instruments. */
export async function fetchInstruments(): Promise<Instrument[]> {
  const list = asList(await request("/api/v1/instruments"), "instruments");
  return list.filter(isInstrument).map((i) => ({
    ...i,
    min_qty: typeof i.min_qty === "string" ? i.min_qty : i.lot,
    max_qty: typeof i.max_qty === "string" ? i.max_qty : "",
    band_pct: typeof i.band_pct === "string" ? i.band_pct : "",
    ref: typeof i.ref === "string" ? i.ref : "",
  }));
}

/** GET /api/v1/trades/{symbol}?limit=N, newest last. */
export async function fetchTrades(symbol: string, limit: number): Promise<unknown[]> {
  return asList(
    await request(`/api/v1/trades/${encodeURIComponent(symbol)}?limit=${limit}`),
    "trades",
  );
}

/** An order of the account's history (protocol.md 8.11): the order message and its creation time. */
export interface OrderRecord {
  order: OrderMsg;
  /** When the venue accepted (or refused) it, ns since the epoch; 0 when not said. */
  created: number;
}

const bearer = (token: string): RequestInit => ({ headers: { Authorization: `Bearer ${token}` } });

/**
 * GET /api/v1/account/orders with the account's token: its open orders and its last ended
 * ones, oldest first. Items that are not valid order messages are dropped.
 */
export async function fetchAccountOrders(token: string, limit = 1000): Promise<OrderRecord[]> {
  const out: OrderRecord[] = [];
  for (const it of asList(await request(`/api/v1/account/orders?limit=${limit}`, bearer(token)))) {
    const created = typeof it === "object" && it !== null ? (it as { created?: unknown }).created : undefined;
    const m = checkMessage(it);
    if (m?.t === "order") out.push({ order: m, created: typeof created === "number" ? created : 0 });
  }
  return out;
}

/** GET /api/v1/account/fills with the account's token: its last fills, oldest first. */
export async function fetchAccountFills(token: string, limit = 1000): Promise<FillMsg[]> {
  const out: FillMsg[] = [];
  for (const it of asList(await request(`/api/v1/account/fills?limit=${limit}`, bearer(token)))) {
    const m = checkMessage(it);
    if (m?.t === "fill") out.push(m);
  }
  return out;
}

/** GET /api/v1/candles/{symbol}?interval=…&limit=N, oldest first. */
export async function fetchCandles(
  symbol: string,
  interval: "1s" | "1m",
  limit: number,
): Promise<unknown[]> {
  return asList(
    await request(
      `/api/v1/candles/${encodeURIComponent(symbol)}?interval=${interval}&limit=${limit}`,
    ),
    "candles",
  );
}

/** GET /api/v1/ticker: the latest ticker of every symbol. */
export async function fetchTickers(): Promise<unknown[]> {
  return asList(await request("/api/v1/ticker"), "tickers");
}

/** POST /api/v1/accounts: a new demo account. */
export async function createAccount(): Promise<{ account: string; token: string }> {
  const body = (await request("/api/v1/accounts", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: "{}",
  })) as { account?: unknown; token?: unknown } | undefined;
  if (!body || typeof body.token !== "string" || typeof body.account !== "string") {
    throw new ApiError(0, "bad_response", "account creation returned no token");
  }
  return { account: body.account, token: body.token };
}
