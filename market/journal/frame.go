package journal

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
)

// MaxRecord is the largest record payload, in bytes. A frame that
// declares more is damage, found before anything is allocated for it.
const MaxRecord = 16 << 20

// frameHeader is the size of a frame's header: the payload's length
// (uint32, little endian) and the CRC-32C (Castagnoli) of the length's
// four bytes followed by the payload (uint32, little endian).
const frameHeader = 8

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errTruncated says that a frame runs past the end of the data; errCRC that
// its checksum does not match; errLength that it declares a length over
// MaxRecord or zero.
var (
	errTruncated = errors.New("frame runs past the end of the file")
	errCRC       = errors.New("checksum mismatch")
	errLength    = errors.New("bad record length")
)

// appendFrame appends payload to dst as one frame.
func appendFrame(dst, payload []byte) []byte {
	var h [frameHeader]byte
	binary.LittleEndian.PutUint32(h[0:4], uint32(len(payload)))
	crc := crc32.Update(0, castagnoli, h[0:4])
	crc = crc32.Update(crc, castagnoli, payload)
	binary.LittleEndian.PutUint32(h[4:8], crc)
	dst = append(dst, h[:]...)
	return append(dst, payload...)
}

// readFrame decodes the frame at the start of b, whose payload may be at
// most limit bytes. It returns the payload (a sub-slice of b) and the
// frame's total size.
func readFrame(b []byte, limit int) ([]byte, int, error) {
	if len(b) < frameHeader {
		return nil, 0, errTruncated
	}
	n := binary.LittleEndian.Uint32(b[0:4])
	if n == 0 || int64(n) > int64(limit) {
		return nil, 0, errLength
	}
	end := frameHeader + int(n)
	if len(b) < end {
		return nil, 0, errTruncated
	}
	crc := crc32.Update(0, castagnoli, b[0:4])
	crc = crc32.Update(crc, castagnoli, b[frameHeader:end])
	if crc != binary.LittleEndian.Uint32(b[4:8]) {
		return nil, 0, errCRC
	}
	return b[frameHeader:end], end, nil
}

// allZero reports whether b holds only zero bytes (a file the kernel grew
// before the data reached it).
func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
