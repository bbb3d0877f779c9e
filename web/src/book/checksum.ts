// The book checksum of protocol.md 6.2: CRC-32 (IEEE) of "A|B", where A is the best ten asks
// ascending and B the best ten bids descending, each level written "price:qty" exactly as
// on the wire and the levels joined by ";".

import { crc32Ascii } from "../lib/crc32";

/** A level as far as the checksum is concerned. */
export interface ChecksumLevel {
  readonly pxText: string;
  readonly qtyText: string;
}

/** Levels that enter the checksum on each side. */
export const CHECKSUM_DEPTH = 10;

function side(levels: readonly ChecksumLevel[]): string {
  let s = "";
  const n = Math.min(levels.length, CHECKSUM_DEPTH);
  for (let i = 0; i < n; i++) {
    const l = levels[i] as ChecksumLevel;
    if (i > 0) s += ";";
    s += l.pxText + ":" + l.qtyText;
  }
  return s;
}

/** The string the checksum is computed over; asks ascending and bids descending, best first. */
export function checksumString(
  asks: readonly ChecksumLevel[],
  bids: readonly ChecksumLevel[],
): string {
  return side(asks) + "|" + side(bids);
}

/** The checksum value (unsigned 32-bit). */
export function bookChecksum(
  asks: readonly ChecksumLevel[],
  bids: readonly ChecksumLevel[],
): number {
  return crc32Ascii(checksumString(asks, bids));
}
