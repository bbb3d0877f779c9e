package wire

import "strconv"

// ID is an optional non-negative integer identifier: the "id" an operation
// may carry and its reply echoes, or an order id that may be replaced by a
// client order id (cancel, amend). Valid reports presence; 0 is a valid id.
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
