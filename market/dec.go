package market

import (
	"errors"
	"math"
	"unsafe"

	"github.com/vmihailenco/msgpack/v5"
)

// Dec is a decimal number as the venue publishes it: an integer mantissa
// and a count of decimals, the number mantissa/10^decimals written with
// exactly that many decimals (60000.00 is mantissa 6000000, 2 decimals).
// Events carry their prices, quantities and balances as Decs, so that the
// sequencer keeps integers and the text is written once per event where
// it is encoded for the wire (issue 14.2).
//
// The zero Dec is no number, written as the empty string: the empty side
// of a quote, the price of a market order, the average price of an order
// that has not filled. The number 0 is a Dec like any other (MakeDec(0, 4)
// is "0.0000").
//
// In msgpack (feed/bus, internal/cluster) a Dec is its text, a string, as
// the events' decimals were before they were Decs: the encoded bytes did
// not change.
type Dec struct {
	m int64
	d int8 // decimals + 1; 0 for no number
}

// MakeDec returns mantissa/10^decimals; decimals must be 0 to 40.
func MakeDec(mantissa int64, decimals int32) Dec {
	if decimals < 0 || decimals > maxFixedDecimals {
		panic("market: MakeDec: decimals out of range")
	}
	return Dec{m: mantissa, d: int8(decimals + 1)}
}

// IsZero reports whether d is no number (the zero Dec), not whether it is
// the number 0. (msgpack's omitempty leaves such fields out, as it left
// out the empty strings they replace.)
func (d Dec) IsZero() bool { return d.d == 0 }

// Mantissa returns d's mantissa (0 for no number).
func (d Dec) Mantissa() int64 { return d.m }

// Decimals returns d's count of decimals (0 for no number).
func (d Dec) Decimals() int32 { return max(int32(d.d)-1, 0) }

// Append appends d's text to dst: exactly Decimals decimals, at least one
// integer digit, a minus sign if negative; nothing for no number.
func (d Dec) Append(dst []byte) []byte {
	if d.d == 0 {
		return dst
	}
	return appendFixed(dst, d.m, int32(d.d)-1)
}

// String returns d's text ("" for no number).
func (d Dec) String() string {
	if d.d == 0 {
		return ""
	}
	var buf [decTextMax]byte
	return string(d.Append(buf[:0]))
}

// decTextMax bounds a Dec's text: a sign, 19 integer digits, a point and
// the decimals, with room to spare.
const decTextMax = 22 + maxFixedDecimals

// Errors of ParseDec, matched with errors.Is.
var errDecText = errors.New("market: not a decimal as the venue writes it")

// ParseDec reads a Dec's text, as Append writes it: "" is no number; else
// an optional minus sign, integer digits without leading zeros, and an
// optional point followed by 1 to 40 digits, the mantissa within int64.
// It refuses any other form (such as "1.", "01", "-0" or "1e5"), so that
// what it accepts is written back to the same bytes.
func ParseDec(s string) (Dec, error) {
	if s == "" {
		return Dec{}, nil
	}
	if len(s) > decTextMax {
		return Dec{}, errDecText
	}
	i, neg := 0, false
	if s[0] == '-' {
		i, neg = 1, true
	}
	var u uint64
	digits, dec, point := 0, -1, false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if u > (math.MaxInt64-uint64(c-'0'))/10 {
				return Dec{}, errDecText // also rules out -2^63: never written
			}
			u = u*10 + uint64(c-'0')
			digits++
			if point {
				dec++
			}
		case c == '.' && !point && digits > 0:
			point, dec = true, 0
		default:
			return Dec{}, errDecText
		}
	}
	if digits == 0 || point && dec == 0 || dec > maxFixedDecimals {
		return Dec{}, errDecText
	}
	if dec < 0 {
		dec = 0
	}
	intDigits := digits - dec
	start := 0
	if neg {
		start = 1
	}
	if intDigits > 1 && s[start] == '0' || neg && u == 0 {
		return Dec{}, errDecText // a leading zero, or minus zero
	}
	m := int64(u)
	if neg {
		m = -m
	}
	return Dec{m: m, d: int8(dec + 1)}, nil
}

// EncodeMsgpack writes d as its text (msgpack.CustomEncoder).
func (d Dec) EncodeMsgpack(enc *msgpack.Encoder) error {
	var buf [decTextMax]byte
	b := d.Append(buf[:0])
	if len(b) == 0 {
		return enc.EncodeString("")
	}
	return enc.EncodeString(unsafe.String(&b[0], len(b)))
}

// DecodeMsgpack reads what EncodeMsgpack wrote (msgpack.CustomDecoder),
// through ParseDec: a string of any other form is an error.
func (d *Dec) DecodeMsgpack(dec *msgpack.Decoder) error {
	s, err := dec.DecodeString()
	if err != nil {
		return err
	}
	if *d, err = ParseDec(s); err != nil {
		return err
	}
	return nil
}

// MustParseDec is ParseDec for constants (tests, fixtures); it panics on
// a text ParseDec refuses.
func MustParseDec(s string) Dec {
	d, err := ParseDec(s)
	if err != nil {
		panic("market: MustParseDec(" + s + "): " + err.Error())
	}
	return d
}
