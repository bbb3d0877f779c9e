// Validation of decoded server messages (msgpack or JSON alike): checks the fields this
// client relies on, so a malformed message is dropped instead of corrupting state. Unknown
// keys are kept but ignored. No msgpack here, so the viewer bundle stays small.

import type { ServerMessage } from "./types";

/** Parses one JSON message (SSE data, or a text frame); null when not understood. */
export function decodeJSON(text: string): ServerMessage | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  return checkMessage(raw);
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);

const isStr = (v: unknown): v is string => typeof v === "string";
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

function isLevels(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (const l of v) {
    if (!Array.isArray(l) || l.length < 2 || !isStr(l[0]) || !isStr(l[1])) return false;
  }
  return true;
}

function hasStrs(o: Obj, keys: readonly string[]): boolean {
  for (const k of keys) if (!isStr(o[k])) return false;
  return true;
}

function hasNums(o: Obj, keys: readonly string[]): boolean {
  for (const k of keys) if (!isNum(o[k])) return false;
  return true;
}

/** Turns any top-level bigint into a number (a decoder configured for bigint, or JSON). */
function normalizeInts(o: Obj): void {
  for (const k in o) {
    const v = o[k];
    if (typeof v === "bigint") o[k] = Number(v);
  }
}

const PUBLIC_NUMS = ["seq", "off", "ts"] as const;
const PUBLIC_STRS = ["ch", "s"] as const;

/**
 * Validates a decoded value as a server message. Exported for tests and for REST payloads
 * that reuse message shapes.
 */
export function checkMessage(raw: unknown): ServerMessage | null {
  if (!isObj(raw) || !isStr(raw.t)) return null;
  const o = raw;
  normalizeInts(o);
  const ok = ((): boolean => {
    switch (o.t) {
      case "welcome":
        return isStr(o.epoch) && hasNums(o, ["server_time"]);
      case "trade":
        return (
          hasStrs(o, PUBLIC_STRS) &&
          hasNums(o, PUBLIC_NUMS) &&
          hasStrs(o, ["px", "qty", "side"]) &&
          isNum(o.id)
        );
      case "book_snapshot":
      case "book":
        return (
          hasStrs(o, PUBLIC_STRS) &&
          hasNums(o, PUBLIC_NUMS) &&
          isNum(o.cs) &&
          isLevels(o.bids ?? []) &&
          isLevels(o.asks ?? [])
        );
      case "quote":
        return hasStrs(o, PUBLIC_STRS) && hasNums(o, PUBLIC_NUMS);
      case "ticker":
        return hasStrs(o, PUBLIC_STRS) && hasNums(o, PUBLIC_NUMS) && isStr(o.last);
      case "candle":
        return (
          hasStrs(o, PUBLIC_STRS) &&
          hasNums(o, PUBLIC_NUMS) &&
          isNum(o.start) &&
          hasStrs(o, ["o", "h", "l", "c", "v"])
        );
      case "reset":
        return hasStrs(o, ["ch", "s"]);
      case "subscribed":
      case "unsubscribed":
        return true;
      case "authed":
        return isStr(o.account);
      case "pong":
        return true;
      case "error":
        return isStr(o.code);
      case "order":
        return isNum(o.oid) && hasStrs(o, ["s", "side", "status"]);
      case "fill":
        return isNum(o.oid) && hasStrs(o, ["s", "side", "px", "qty"]);
      case "account":
        return isObj(o.balances);
      case "canceled_all":
        return true;
      default:
        return false;
    }
  })();
  if (!ok) return null;
  if (o.t === "book" || o.t === "book_snapshot") {
    o.bids ??= [];
    o.asks ??= [];
  }
  return o as unknown as ServerMessage;
}
