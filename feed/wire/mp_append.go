package wire

import (
	"encoding/binary"
	"math"
)

// msgpack type codes used by the encoders and scanners.
const (
	mpNil     = 0xc0
	mpFalse   = 0xc2
	mpTrue    = 0xc3
	mpBin8    = 0xc4
	mpBin16   = 0xc5
	mpBin32   = 0xc6
	mpExt8    = 0xc7
	mpExt16   = 0xc8
	mpExt32   = 0xc9
	mpFloat32 = 0xca
	mpFloat64 = 0xcb
	mpUint8   = 0xcc
	mpUint16  = 0xcd
	mpUint32  = 0xce
	mpUint64  = 0xcf
	mpInt8    = 0xd0
	mpInt16   = 0xd1
	mpInt32   = 0xd2
	mpInt64   = 0xd3
	mpFixExt1 = 0xd4
	mpFixExt2 = 0xd5
	mpFixExt4 = 0xd6
	mpFixExt8 = 0xd7
	mpFix16   = 0xd8
	mpStr8    = 0xd9
	mpStr16   = 0xda
	mpStr32   = 0xdb
	mpArr16   = 0xdc
	mpArr32   = 0xdd
	mpMap16   = 0xde
	mpMap32   = 0xdf
)

// mpMap appends a map header for n entries.
func mpMap(dst []byte, n int) []byte {
	switch {
	case n < 16:
		return append(dst, 0x80|byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(dst, mpMap16), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(dst, mpMap32), uint32(n))
}

// mpArray appends an array header for n elements.
func mpArray(dst []byte, n int) []byte {
	switch {
	case n < 16:
		return append(dst, 0x90|byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(dst, mpArr16), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(dst, mpArr32), uint32(n))
}

// mpStr appends s as a msgpack str in its smallest form.
func mpStr(dst []byte, s string) []byte {
	n := len(s)
	switch {
	case n < 32:
		dst = append(dst, 0xa0|byte(n))
	case n <= math.MaxUint8:
		dst = append(dst, mpStr8, byte(n))
	case n <= math.MaxUint16:
		dst = binary.BigEndian.AppendUint16(append(dst, mpStr16), uint16(n))
	default:
		dst = binary.BigEndian.AppendUint32(append(dst, mpStr32), uint32(n))
	}
	return append(dst, s...)
}

// mpUint appends u in its smallest msgpack form (compact ints).
func mpUint(dst []byte, u uint64) []byte {
	switch {
	case u < 128:
		return append(dst, byte(u))
	case u <= math.MaxUint8:
		return append(dst, mpUint8, byte(u))
	case u <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(dst, mpUint16), uint16(u))
	case u <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(dst, mpUint32), uint32(u))
	}
	return binary.BigEndian.AppendUint64(append(dst, mpUint64), u)
}

// mpInt appends i in its smallest msgpack form: non-negative values as
// unsigned, negative ones as negative fixint or the smallest signed int.
func mpInt(dst []byte, i int64) []byte {
	switch {
	case i >= 0:
		return mpUint(dst, uint64(i))
	case i >= -32:
		return append(dst, byte(i))
	case i >= math.MinInt8:
		return append(dst, mpInt8, byte(i))
	case i >= math.MinInt16:
		return binary.BigEndian.AppendUint16(append(dst, mpInt16), uint16(i))
	case i >= math.MinInt32:
		return binary.BigEndian.AppendUint32(append(dst, mpInt32), uint32(i))
	}
	return binary.BigEndian.AppendUint64(append(dst, mpInt64), uint64(i))
}

// mpBool appends b.
func mpBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, mpTrue)
	}
	return append(dst, mpFalse)
}

// mpStrs appends an array of strings.
func mpStrs(dst []byte, ss []string) []byte {
	dst = mpArray(dst, len(ss))
	for _, s := range ss {
		dst = mpStr(dst, s)
	}
	return dst
}

// mpKV helpers append a key (always a fixstr here) and a value.
func mpKStr(dst []byte, k, v string) []byte         { return mpStr(mpStr(dst, k), v) }
func mpKUint(dst []byte, k string, v uint64) []byte { return mpUint(mpStr(dst, k), v) }
func mpKInt(dst []byte, k string, v int64) []byte   { return mpInt(mpStr(dst, k), v) }
func mpKBool(dst []byte, k string, v bool) []byte   { return mpBool(mpStr(dst, k), v) }

// b2i is 1 for true, for counting optional fields.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
