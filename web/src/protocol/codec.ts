// Encoding of client operations and decoding of server messages on the
// `tickcast.v1.msgpack` subprotocol (binary frames, one message per frame).

import { Decoder, Encoder } from "@msgpack/msgpack";
import { checkMessage } from "./check";
import type { ClientOp, ServerMessage } from "./types";

/** The WebSocket subprotocol this client speaks. */
export const SUBPROTOCOL_MSGPACK = "tickcast.v1.msgpack";

const encoder = new Encoder({ ignoreUndefined: true });
// useBigInt64 false: 64-bit integers decode as numbers (all protocol integers fit in 2^53).
const decoder = new Decoder({ useBigInt64: false });

/** Encodes a client operation as one msgpack message. */
export function encodeOp(op: ClientOp): Uint8Array<ArrayBuffer> {
  return encoder.encode(op);
}

/** Decodes one binary frame; null when it is not a message this client understands. */
export function decodeFrame(data: ArrayBuffer | Uint8Array): ServerMessage | null {
  let raw: unknown;
  try {
    raw = decoder.decode(data instanceof Uint8Array ? data : new Uint8Array(data));
  } catch {
    return null;
  }
  return checkMessage(raw);
}
