package wire

import "errors"

// reader is the token-level view of one encoded message that the message
// and operation decoders are written against; readerMsgpack and readerJSON
// implement it. Containers are opened with openMap/openArray and walked with
// more, which reports false (and closes the container) at its end.
//
// A value method that fails with errType, errRange or errTooLong leaves the
// position unchanged, so the caller may skip the value and go on.
type reader interface {
	// openMap enters a map of at most max entries (0: bounded only by
	// the input).
	openMap(max int) error
	// openArray enters an array of at most max elements (0: bounded only
	// by the input).
	openArray(max int) error
	// more reports whether the innermost open container has another
	// entry or element, and closes it when not.
	more() (bool, error)
	// key reads a map key.
	key() ([]byte, error)
	// str reads a string of at most max bytes. The result aliases the
	// input or a scratch buffer and is valid until the next call.
	str(max int) ([]byte, error)
	// uint reads a non-negative integer.
	uint() (uint64, error)
	// int reads an integer.
	int() (int64, error)
	// bool reads a boolean.
	bool() (bool, error)
	// skip skips one value of any type.
	skip() error
	// end checks that the whole input was consumed.
	end() error
	// rewind goes back to the start of the input.
	rewind()
}

// Errors of the token readers. They stay inside the package: decoders turn
// them into ErrMalformed or an *OpError.
var (
	errSyntax  = errors.New("malformed")
	errType    = errors.New("wrong type")
	errRange   = errors.New("integer out of range")
	errBig     = errors.New("integer too large") // like errRange, but consumed
	errTooLong = errors.New("string too long")
	errTooMany = errors.New("too many elements")
	errDepth   = errors.New("nested too deeply")
)

// maxOpen bounds the containers a decoder holds open at once (top-level
// map, a nested map or array, and its inner arrays or maps).
const maxOpen = 4

// valueErr reports whether err is a value-level error after which the
// reader is still positioned on the offending value.
func valueErr(err error) bool {
	return err == errType || err == errRange || err == errTooLong
}
