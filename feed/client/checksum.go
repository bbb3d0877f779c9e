package client

import (
	"hash/crc32"

	"github.com/tickcast/tickcast/feed/wire"
)

// ChecksumDepth is the number of levels per side the book checksum covers.
const ChecksumDepth = 10

// Checksum computes the book checksum of protocol.md 6.2: the CRC-32 (IEEE)
// of "A|B", where A is the best ten asks (ascending) and B the best ten
// bids (descending), each level written "price:qty" as on the wire and
// joined by ";". asks must be ascending and bids descending.
//
// Example: asks 101.00×1.0000 and 102.00×2.0000, bids 100.00×3.0000 give
// "101.00:1.0000;102.00:2.0000|100.00:3.0000" and 2060812089.
func Checksum(asks, bids []wire.Level) uint32 {
	var buf [2 * ChecksumDepth * 40]byte
	return crc32.ChecksumIEEE(appendChecksumInput(buf[:0], asks, bids))
}

// appendChecksumInput appends the string the checksum is computed over.
func appendChecksumInput(dst []byte, asks, bids []wire.Level) []byte {
	dst = appendSide(dst, asks)
	dst = append(dst, '|')
	return appendSide(dst, bids)
}

func appendSide(dst []byte, levels []wire.Level) []byte {
	for i, l := range levels[:min(len(levels), ChecksumDepth)] {
		if i > 0 {
			dst = append(dst, ';')
		}
		dst = append(dst, l.Px...)
		dst = append(dst, ':')
		dst = append(dst, l.Qty...)
	}
	return dst
}
