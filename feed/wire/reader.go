package wire

import "errors"

// reader is the token-level view of one encoded message that the checks
// preceding the libraries' decoding are written against; mpScan and jsScan
// implement it. Containers are opened with openMap/openArray and walked
// with more, which reports false (and closes the container) at its end.
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
	// key reads a map key, exactly.
	key() ([]byte, error)
	// str reads a string of at most max bytes (0: any). The result aliases
	// the input; see jsScan.str for JSON escapes.
	str(max int) ([]byte, error)
	// uint reads a non-negative integer.
	uint() (uint64, error)
	// int reads an integer.
	int() (int64, error)
	// null reports whether the next value is nil (msgpack) or null (JSON),
	// without consuming it.
	null() bool
	// skip skips one value of any type.
	skip() error
	// pos returns the offset of the next value (after any whitespace
	// skipped by null).
	pos() int
	// end checks that the whole input was consumed.
	end() error
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

// maxOpen bounds the containers a reader holds open at once (top-level
// map, a nested map or array, and its inner arrays or maps).
const maxOpen = 4

// valueErr reports whether err is a value-level error after which the
// reader is still positioned on the offending value.
func valueErr(err error) bool {
	return err == errType || err == errRange || err == errTooLong
}

// asUint and asInt turn an integer read as sign and magnitude into the
// wanted type, or errRange.
func asUint(neg bool, mag uint64, err error) (uint64, error) {
	if err == nil && neg && mag != 0 {
		return 0, errRange
	}
	return mag, err
}

func asInt(neg bool, mag uint64, err error) (int64, error) {
	switch {
	case err != nil:
		return 0, err
	case neg && mag <= 1<<63:
		return -int64(mag-1) - 1, nil // -0 wraps to 0
	case !neg && mag < 1<<63:
		return int64(mag), nil
	}
	return 0, errRange
}
