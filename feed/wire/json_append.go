package wire

import (
	"strconv"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// jsSafe[c] is true for ASCII bytes that need no escaping inside a JSON
// string.
var jsSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// jsStr appends s as a quoted JSON string. It escapes quotes, backslashes
// and control characters, writes U+2028 and U+2029 as escapes (for
// JavaScript embedding, as encoding/json does), and replaces invalid UTF-8
// with U+FFFD, so the output is always valid JSON and valid UTF-8.
func jsStr(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsSafe[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// jsStrs appends a JSON array of strings.
func jsStrs(dst []byte, ss []string) []byte {
	dst = append(dst, '[')
	for i, s := range ss {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsStr(dst, s)
	}
	return append(dst, ']')
}

// jsKey appends `,"k":` (or `"k":` right after an opening brace). Keys are
// constants of this package and need no escaping.
func jsKey(dst []byte, k string) []byte {
	if n := len(dst); n > 0 && dst[n-1] != '{' {
		dst = append(dst, ',')
	}
	dst = append(dst, '"')
	dst = append(dst, k...)
	return append(dst, '"', ':')
}

func jsKStr(dst []byte, k, v string) []byte { return jsStr(jsKey(dst, k), v) }
func jsKUint(dst []byte, k string, v uint64) []byte {
	return strconv.AppendUint(jsKey(dst, k), v, 10)
}
func jsKInt(dst []byte, k string, v int64) []byte {
	return strconv.AppendInt(jsKey(dst, k), v, 10)
}
func jsKBool(dst []byte, k string, v bool) []byte {
	return strconv.AppendBool(jsKey(dst, k), v)
}

// jsOpen appends `{"k":"v"` for the leading type key ("t" or "op").
func jsOpen(dst []byte, k, v string) []byte {
	dst = append(dst, '{')
	return jsKStr(dst, k, v)
}
