package market

import (
	"errors"
	"fmt"
	"math"
	"math/bits"

	"github.com/shopspring/decimal"
)

// MaxDecimalLen is the longest decimal string accepted from the network
// (protocol.md 1.3, 2.4).
const MaxDecimalLen = 32

// Errors of decimal parsing, matched with errors.Is.
var (
	ErrDecimalSyntax   = errors.New("not a plain decimal number")
	ErrDecimalStep     = errors.New("not a whole multiple of the step")
	ErrDecimalRange    = errors.New("out of range")
	ErrDecimalNegative = errors.New("not positive")
)

// Scale converts between decimal strings and integer counts of a step, such
// as a price in ticks or a quantity in lots. A step of 0.05 is Decimals 2,
// Unit 5: a count n is n*Unit hundredths, written with exactly 2 decimals.
type Scale struct {
	Decimals int32 // digits after the decimal point when formatting
	Unit     int64 // the step in units of 10^-Decimals
	Max      int64 // largest count accepted by Parse
}

// NewScale returns the Scale of step (a positive plain decimal like "0.01"
// or "5") whose counts may go up to max.
func NewScale(step string, max int64) (Scale, error) {
	d, err := parseDecimal(step)
	if err != nil {
		return Scale{}, fmt.Errorf("step %q: %w", step, err)
	}
	if !d.IsPositive() {
		return Scale{}, fmt.Errorf("step %q: %w", step, ErrDecimalNegative)
	}
	dec := -d.Exponent()
	if dec < 0 {
		dec = 0
	}
	unit := d.Shift(dec)
	if !unit.IsInteger() || unit.GreaterThan(decimal.NewFromInt(1<<40)) || dec > 12 {
		return Scale{}, fmt.Errorf("step %q: %w", step, ErrDecimalRange)
	}
	return Scale{Decimals: dec, Unit: unit.IntPart(), Max: max}, nil
}

// parseDecimal checks the syntax protocol.md 1.3 allows before handing
// the string to shopspring/decimal: at most MaxDecimalLen characters of
// digits with at most one decimal point and at least one digit; no sign, no
// exponent, no spaces. (decimal.NewFromString alone accepts exponents such
// as 1e2147483647 that make later arithmetic hang.)
func parseDecimal(s string) (decimal.Decimal, error) {
	if len(s) == 0 || len(s) > MaxDecimalLen {
		return decimal.Decimal{}, ErrDecimalSyntax
	}
	digits, points := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			points++
		default:
			return decimal.Decimal{}, ErrDecimalSyntax
		}
	}
	if digits == 0 || points > 1 {
		return decimal.Decimal{}, ErrDecimalSyntax
	}
	return decimal.NewFromString(s)
}

// Parse converts a decimal string from the network into a count of steps.
// It refuses bad syntax (ErrDecimalSyntax), zero (ErrDecimalNegative), a
// value that is not a whole multiple of the step (ErrDecimalStep) and a
// count above Max (ErrDecimalRange). It does integer arithmetic only and
// allocates nothing: it runs for every order and amend (the tests check
// it against the shopspring/decimal version it replaced, parseRef).
func (sc Scale) Parse(s string) (int64, error) {
	if len(s) == 0 || len(s) > MaxDecimalLen {
		return 0, ErrDecimalSyntax
	}
	point := -1
	digits, nonzero := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
			nonzero = nonzero || c != '0'
		case c == '.' && point < 0:
			point = i
		default:
			return 0, ErrDecimalSyntax
		}
	}
	if digits == 0 {
		return 0, ErrDecimalSyntax
	}
	if !nonzero {
		return 0, ErrDecimalNegative
	}
	intPart, frac := s, ""
	if point >= 0 {
		intPart, frac = s[:point], s[point+1:]
	}
	// units = intPart.frac x 10^Decimals must be whole: every digit of
	// frac past the Decimals-th must be 0.
	keep := frac
	if int32(len(frac)) > sc.Decimals {
		keep = frac[:sc.Decimals]
		for i := int(sc.Decimals); i < len(frac); i++ {
			if frac[i] != '0' {
				return 0, ErrDecimalStep
			}
		}
	}
	var u uint64
	overflow := false
	add := func(c byte) {
		if overflow {
			return
		}
		hi, lo := bits.Mul64(u, 10)
		lo, carry := bits.Add64(lo, uint64(c-'0'), 0)
		if hi != 0 || carry != 0 || lo > math.MaxInt64 {
			overflow = true
			return
		}
		u = lo
	}
	for i := 0; i < len(intPart); i++ {
		add(intPart[i])
	}
	for i := 0; i < len(keep); i++ {
		add(keep[i])
	}
	for range int(sc.Decimals) - len(keep) {
		add('0')
	}
	if overflow {
		return 0, ErrDecimalRange
	}
	if int64(u)%sc.Unit != 0 {
		return 0, ErrDecimalStep
	}
	n := int64(u) / sc.Unit
	if n > sc.Max {
		return 0, ErrDecimalRange
	}
	return n, nil
}

// MustParse is Parse for trusted configuration; it panics on error.
func (sc Scale) MustParse(s string) int64 {
	n, err := sc.Parse(s)
	if err != nil {
		panic(fmt.Sprintf("market: %q: %v", s, err))
	}
	return n
}

// Append appends count n formatted with exactly Decimals decimals. It does
// integer arithmetic only: this runs for every price and quantity the venue
// publishes.
func (sc Scale) Append(dst []byte, n int64) []byte {
	return appendFixed(dst, n*sc.Unit, sc.Decimals)
}

// Dec returns count n as a Dec: n*Unit with Decimals decimals.
func (sc Scale) Dec(n int64) Dec { return Dec{m: n * sc.Unit, d: int8(sc.Decimals + 1)} }

// Format returns count n formatted with exactly Decimals decimals.
func (sc Scale) Format(n int64) string {
	var buf [40]byte
	return string(sc.Append(buf[:0], n))
}

// appendFixed appends v/10^dec with exactly dec decimals (and at least
// one integer digit). It writes the digits from the right into a buffer on
// the stack: this runs for every price and quantity the venue formats.
// dec is at most maxFixedDecimals (scales have at most 12, asset balances
// the sum of an instrument's price and quantity decimals).
func appendFixed(dst []byte, v int64, dec int32) []byte {
	if dec < 0 || dec > maxFixedDecimals {
		panic(fmt.Sprintf("market: %d decimals", dec))
	}
	u := uint64(v)
	if v < 0 {
		u = -u
	}
	var buf [22 + maxFixedDecimals]byte
	i := len(buf)
	d := int(dec)
	for ; d >= 2; d -= 2 { // two digits per division
		r := u % 100
		u /= 100
		i -= 2
		buf[i], buf[i+1] = digitPairs[2*r], digitPairs[2*r+1]
	}
	if d == 1 {
		i--
		buf[i] = byte('0' + u%10)
		u /= 10
	}
	if dec > 0 {
		i--
		buf[i] = '.'
	}
	for u >= 100 {
		r := u % 100
		u /= 100
		i -= 2
		buf[i], buf[i+1] = digitPairs[2*r], digitPairs[2*r+1]
	}
	if u >= 10 {
		i -= 2
		buf[i], buf[i+1] = digitPairs[2*u], digitPairs[2*u+1]
	} else {
		i--
		buf[i] = byte('0' + u)
	}
	if v < 0 {
		i--
		buf[i] = '-'
	}
	return append(dst, buf[i:]...)
}

// digitPairs is "00" to "99", for two digits per division.
const digitPairs = "00010203040506070809" + "10111213141516171819" + "20212223242526272829" + "30313233343536373839" +
	"40414243444546474849" + "50515253545556575859" + "60616263646566676869" + "70717273747576777879" +
	"80818283848586878889" + "90919293949596979899"

// maxFixedDecimals bounds the decimals appendFixed writes.
const maxFixedDecimals = 40

// formatFixed returns v/10^dec with exactly dec decimals.
func formatFixed(v int64, dec int32) string {
	var buf [40]byte
	return string(appendFixed(buf[:0], v, dec))
}
