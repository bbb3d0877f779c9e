package wire

import (
	"errors"
	"strconv"

	"github.com/vmihailenco/msgpack/v5"
)

// ID is an optional non-negative integer identifier: the "id" an operation
// may carry and its reply echoes, or an order id that may be replaced by a
// client order id (cancel, amend). Valid reports presence; 0 is a valid id.
//
// On the wire an ID is an integer, and an absent one no key at all (fields
// are tagged omitempty for msgpack and omitzero for encoding/json, which
// both consult IsZero). Decoding accepts only an integer from 0 to MaxID.
type ID struct {
	Value uint64
	Valid bool
}

// SomeID returns a present ID with value v.
func SomeID(v uint64) ID { return ID{Value: v, Valid: true} }

// String returns the decimal value, or "none" when absent.
func (id ID) String() string {
	if !id.Valid {
		return "none"
	}
	return strconv.FormatUint(id.Value, 10)
}

// IsZero reports whether the id is absent.
func (id ID) IsZero() bool { return !id.Valid }

var errID = errors.New("wire: id must be an integer from 0 to 2^53-1")

// MarshalJSON writes the value as a JSON number.
func (id ID) MarshalJSON() ([]byte, error) { return strconv.AppendUint(nil, id.Value, 10), nil }

// UnmarshalJSON reads a JSON integer from 0 to MaxID.
func (id *ID) UnmarshalJSON(b []byte) error {
	s := jsScan{b: b}
	v, err := s.uint()
	if err != nil || v > MaxID || s.end() != nil {
		return errID
	}
	*id = SomeID(v)
	return nil
}

// EncodeMsgpack writes the value as a msgpack integer.
func (id ID) EncodeMsgpack(e *msgpack.Encoder) error { return e.EncodeUint(id.Value) }

// DecodeMsgpack reads a msgpack integer from 0 to MaxID (the library's own
// DecodeUint64 would read a negative value as a huge one).
func (id *ID) DecodeMsgpack(d *msgpack.Decoder) error {
	c, err := d.PeekCode()
	var v uint64
	switch {
	case err != nil:
	case c <= 0x7f || c >= mpUint8 && c <= mpUint64:
		v, err = d.DecodeUint64()
	case c >= mpInt8 && c <= mpInt64: // some encoders write every integer signed
		var i int64
		i, err = d.DecodeInt64()
		v = uint64(i) // a negative one becomes more than MaxID
	default:
		err = errID
	}
	if err != nil || v > MaxID {
		return errID
	}
	*id = SomeID(v)
	return nil
}
