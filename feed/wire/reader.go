package wire

import "errors"

// reader is the token-level view of a message that the checks before the
// libraries' decoding are written against; mpScan and jsScan implement it.
// Containers are opened with openMap/openArray (at most max entries, 0: as
// many as the input holds) and walked with more, which reports false, and
// closes the container, at its end. A value method that fails with
// errType, errRange or errTooLong leaves the position unchanged.
type reader interface {
	openMap(max int) error
	openArray(max int) error
	more() (bool, error)
	key() ([]byte, error)        // a map key, exactly
	str(max int) ([]byte, error) // a string of at most max bytes (0: any)
	uint() (uint64, error)       // a non-negative integer
	int() (int64, error)
	null() bool  // whether the next value is nil or null (not consumed)
	skip() error // one value of any type
	pos() int    // the offset of the next value (after null's whitespace)
	end() error  // whether the whole input was consumed
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
