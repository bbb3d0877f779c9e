package bus

import (
	"encoding/binary"
	"errors"
)

// ErrBadMsgpack is returned by CheckMsgpack (and so by UnmarshalBatch)
// for a document it refuses.
var ErrBadMsgpack = errors.New("bus: malformed msgpack")

// CheckMsgpack walks one msgpack document and refuses it unless it is
// well formed, ends exactly at the end of b, and declares no array, map,
// string or binary longer than the bytes left. msgpack/v5 allocates what a
// declared length asks before it reads the elements (five bytes can ask
// for 16 GiB): after this check, what it allocates is bounded by the size
// of b. UnmarshalBatch runs it; so must anything else that hands bytes
// from another process to the msgpack library.
func CheckMsgpack(b []byte) error {
	pending := 1 // values still to read
	for pending > 0 {
		if len(b) == 0 {
			return ErrBadMsgpack
		}
		pending--
		c := b[0]
		b = b[1:]
		var skip, items uint64
		switch {
		case c <= 0x7f || c >= 0xe0: // fixints
		case c <= 0x8f:
			items = 2 * uint64(c&0x0f)
		case c <= 0x9f:
			items = uint64(c & 0x0f)
		case c <= 0xbf:
			skip = uint64(c & 0x1f)
		case c == 0xc0, c == 0xc2, c == 0xc3:
		case c == 0xc4, c == 0xd9:
			skip = 1 << 63 // length in 1 byte, below
		default:
			var err error
			if b, skip, items, err = sized(c, b); err != nil {
				return err
			}
		}
		if skip == 1<<63 {
			if len(b) < 1 {
				return ErrBadMsgpack
			}
			skip, b = uint64(b[0]), b[1:]
		}
		if skip > uint64(len(b)) || items > uint64(len(b)) {
			return ErrBadMsgpack
		}
		b = b[skip:]
		pending += int(items)
	}
	if len(b) != 0 {
		return ErrBadMsgpack
	}
	return nil
}

// fixedSize is the size after the first byte of numbers and fixext.
var fixedSize = [256]uint8{0xca: 4, 0xcb: 8, 0xcc: 1, 0xcd: 2, 0xce: 4, 0xcf: 8, 0xd0: 1, 0xd1: 2, 0xd2: 4, 0xd3: 8,
	0xd4: 2, 0xd5: 3, 0xd6: 5, 0xd7: 9, 0xd8: 17}

// sized reads the length of the formats that carry one in 2 or 4 bytes,
// and the fixed sizes of numbers and extensions.
func sized(c byte, b []byte) (rest []byte, skip, items uint64, err error) {
	if n := fixedSize[c]; n > 0 {
		return b, uint64(n), 0, nil
	}
	var width int
	switch c {
	case 0xc5, 0xc8, 0xda, 0xdc, 0xde:
		width = 2
	case 0xc6, 0xc9, 0xdb, 0xdd, 0xdf:
		width = 4
	case 0xc7: // ext8: length, type
		if len(b) < 2 {
			return nil, 0, 0, ErrBadMsgpack
		}
		return b[2:], uint64(b[0]), 0, nil
	default:
		return nil, 0, 0, ErrBadMsgpack // 0xc1 is never used
	}
	if len(b) < width {
		return nil, 0, 0, ErrBadMsgpack
	}
	var n uint64
	if width == 2 {
		n = uint64(binary.BigEndian.Uint16(b))
	} else {
		n = uint64(binary.BigEndian.Uint32(b))
	}
	b = b[width:]
	switch c {
	case 0xc8, 0xc9: // ext: type byte, then n bytes
		return b, n + 1, 0, nil
	case 0xdc, 0xdd:
		return b, 0, n, nil
	case 0xde, 0xdf:
		return b, 0, 2 * n, nil
	}
	return b, n, 0, nil
}
