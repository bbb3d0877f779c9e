package eventstream

import "unicode/utf8"

// replacement is U+FFFD REPLACEMENT CHARACTER in UTF-8.
const replacement = "\uFFFD"

// appendText appends b decoded as the Encoding standard's UTF-8 decode
// does it: valid sequences are kept, and each maximal subpart of an
// invalid one becomes one U+FFFD (a lead byte followed by the
// continuation bytes it allows, up to the first byte it does not; that
// byte starts over). Decoding field by field gives what decoding the
// whole stream would: the bytes the parser splits at (CR, LF, ':', ' ')
// are ASCII, which never continue a sequence.
func appendText(dst, b []byte) []byte {
	if utf8.Valid(b) {
		return append(dst, b...)
	}
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			dst = append(dst, c)
			i++
			continue
		}
		need, lo, hi := sequence(c)
		j := i + 1
		for k := 0; k < need && j < len(b); k++ {
			if b[j] < lo || b[j] > hi {
				break
			}
			lo, hi = 0x80, 0xBF // only the first continuation byte has other bounds
			j++
		}
		if need > 0 && j-i == need+1 {
			dst = append(dst, b[i:j]...)
		} else {
			dst = append(dst, replacement...)
		}
		i = j
	}
	return dst
}

// sequence returns how many continuation bytes the lead byte c needs and
// the bounds of the first one; need is 0 for a byte that cannot start a
// sequence.
func sequence(c byte) (need int, lo, hi byte) {
	switch {
	case c >= 0xC2 && c <= 0xDF:
		return 1, 0x80, 0xBF
	case c == 0xE0:
		return 2, 0xA0, 0xBF
	case c == 0xED:
		return 2, 0x80, 0x9F // no surrogates
	case c >= 0xE1 && c <= 0xEF:
		return 2, 0x80, 0xBF
	case c == 0xF0:
		return 3, 0x90, 0xBF
	case c >= 0xF1 && c <= 0xF3:
		return 3, 0x80, 0xBF
	case c == 0xF4:
		return 3, 0x80, 0x8F // nothing above U+10FFFF
	}
	return 0, 0, 0
}
