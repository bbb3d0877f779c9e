package client

import "strings"

// Prices and quantities stay the server's decimal strings. They are
// compared here exactly, digit by digit, as non-negative plain decimals
// ([0-9]+ with an optional fraction): no floats, no overflow whatever the
// number of digits or decimals.

// validDecimal reports whether s is a plain non-negative decimal.
func validDecimal(s string) bool {
	intPart, frac, hasDot := strings.Cut(s, ".")
	return allDigits(intPart) && len(intPart) > 0 && (!hasDot || (len(frac) > 0 && allDigits(frac)))
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// cmpDecimal compares two valid decimals numerically: -1, 0 or +1.
func cmpDecimal(a, b string) int {
	ai, af, _ := strings.Cut(a, ".")
	bi, bf, _ := strings.Cut(b, ".")
	ai, bi = strings.TrimLeft(ai, "0"), strings.TrimLeft(bi, "0")
	if len(ai) != len(bi) {
		if len(ai) < len(bi) {
			return -1
		}
		return 1
	}
	if c := strings.Compare(ai, bi); c != 0 {
		return c
	}
	for i := 0; i < len(af) || i < len(bf); i++ {
		x, y := digitAt(af, i), digitAt(bf, i)
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// digitAt returns the i-th fraction digit, '0' past the end.
func digitAt(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return '0'
}

// isZeroDecimal reports whether a valid decimal equals zero ("0.0000").
func isZeroDecimal(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '0' && s[i] != '.' {
			return false
		}
	}
	return true
}
