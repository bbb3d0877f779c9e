// CRC-32 (IEEE 802.3, the one of zlib, PNG and Go's hash/crc32.ChecksumIEEE): reflected
// polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF. Table-driven, one byte per
// step; the book checksum runs it over a few hundred ASCII characters per message.

const TABLE = buildTable();

function buildTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

/** Continues a CRC-32 over bytes; start with crc = 0. */
export function crc32Update(crc: number, bytes: ArrayLike<number>): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) {
    c = (TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  }
  return ~c >>> 0;
}

/** CRC-32 of bytes, as an unsigned 32-bit number. */
export function crc32(bytes: ArrayLike<number>): number {
  return crc32Update(0, bytes);
}

/**
 * CRC-32 of an ASCII string (each UTF-16 code unit taken as one byte; the book checksum
 * string holds only digits, '.', ':', ';' and '|'), without allocating a byte array.
 */
export function crc32Ascii(s: string): number {
  let c = 0xffffffff;
  for (let i = 0; i < s.length; i++) {
    c = (TABLE[(c ^ s.charCodeAt(i)) & 0xff] as number) ^ (c >>> 8);
  }
  return ~c >>> 0;
}
