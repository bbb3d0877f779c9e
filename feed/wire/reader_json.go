package wire

import (
	"sync"
	"unicode/utf8"
)

// readerJSON implements reader over JSON text with a small hand-written
// scanner. It accepts exactly RFC 8259 JSON with these restrictions: strings
// must be valid UTF-8, nesting is bounded by maxDepth, and integer fields
// take plain integers only (no fraction or exponent). It never allocates
// except to unescape a string containing backslash escapes into its scratch
// buffer, whose size is bounded by the input.
type readerJSON struct {
	data    []byte
	p       int
	open    [maxOpen]jsFrame
	depth   int
	scratch []byte
}

// jsFrame is one open container.
type jsFrame struct {
	close byte // '}' or ']'
	first bool // no element read yet
	count int
	max   int
}

var jsReaders = sync.Pool{New: func() any { return new(readerJSON) }}

// getReaderJSON returns a pooled reader positioned at the start of data.
func getReaderJSON(data []byte) *readerJSON {
	r := jsReaders.Get().(*readerJSON)
	r.reset(data)
	return r
}

func putReaderJSON(r *readerJSON) {
	r.data = nil
	if cap(r.scratch) > 4096 {
		r.scratch = nil
	}
	jsReaders.Put(r)
}

func (r *readerJSON) reset(data []byte) {
	r.data, r.p, r.depth = data, 0, 0
}

var _ reader = (*readerJSON)(nil)

// peek skips whitespace and returns the next byte.
func (r *readerJSON) peek() (byte, error) {
	for r.p < len(r.data) {
		switch c := r.data[r.p]; c {
		case ' ', '\t', '\n', '\r':
			r.p++
		default:
			return c, nil
		}
	}
	return 0, errSyntax
}

// mismatch classifies an unexpected byte where a value should start: the
// start of another kind of value is a type error, anything else a syntax
// error.
func mismatch(c byte) error {
	switch c {
	case '"', '{', '[', 't', 'f', 'n', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return errType
	}
	return errSyntax
}

func (r *readerJSON) push(close byte, max int) error {
	if r.depth == maxOpen {
		return errDepth
	}
	r.open[r.depth] = jsFrame{close: close, first: true, max: max}
	r.depth++
	r.p++
	return nil
}

func (r *readerJSON) openMap(max int) error {
	c, err := r.peek()
	if err != nil {
		return err
	}
	if c != '{' {
		return mismatch(c)
	}
	return r.push('}', max)
}

func (r *readerJSON) openArray(max int) error {
	c, err := r.peek()
	if err != nil {
		return err
	}
	if c != '[' {
		return mismatch(c)
	}
	return r.push(']', max)
}

func (r *readerJSON) more() (bool, error) {
	if r.depth == 0 {
		return false, errSyntax
	}
	f := &r.open[r.depth-1]
	c, err := r.peek()
	if err != nil {
		return false, err
	}
	if c == f.close {
		r.p++
		r.depth--
		return false, nil
	}
	if !f.first {
		if c != ',' {
			return false, errSyntax
		}
		r.p++
	}
	f.first = false
	f.count++
	if f.max > 0 && f.count > f.max {
		return false, errTooMany
	}
	return true, nil
}

func (r *readerJSON) key() ([]byte, error) {
	if r.depth == 0 || r.open[r.depth-1].close != '}' {
		return nil, errSyntax
	}
	k, err := r.str(0)
	if err != nil {
		return nil, errSyntax
	}
	c, err := r.peek()
	if err != nil || c != ':' {
		return nil, errSyntax
	}
	r.p++
	return k, nil
}

func (r *readerJSON) str(max int) ([]byte, error) {
	c, err := r.peek()
	if err != nil {
		return nil, err
	}
	if c != '"' {
		return nil, mismatch(c)
	}
	b, end, err := r.scanString(r.p, true, max)
	if err != nil {
		return nil, err
	}
	if max > 0 && len(b) > max {
		return nil, errTooLong
	}
	r.p = end
	return b, nil
}

// scanString scans the string starting at the quote at p and returns its
// content (when want) and the position after the closing quote. Content
// without escapes aliases the input; otherwise it is unescaped into
// scratch, stopping with errTooLong once it exceeds max (when max > 0) so
// that scratch never grows beyond the caller's limit.
func (r *readerJSON) scanString(p int, want bool, max int) ([]byte, int, error) {
	d := r.data
	i := p + 1
	ascii := true
	for i < len(d) {
		c := d[i]
		switch {
		case c == '"':
			s := d[p+1 : i]
			if !ascii && !utf8.Valid(s) {
				return nil, 0, errSyntax
			}
			return s, i + 1, nil
		case c == '\\':
			return r.unescape(p, i, want, max)
		case c < 0x20:
			return nil, 0, errSyntax
		case c >= utf8.RuneSelf:
			ascii = false
		}
		i++
	}
	return nil, 0, errSyntax
}

// unescape continues scanString at the first backslash at i.
func (r *readerJSON) unescape(p, i int, want bool, max int) ([]byte, int, error) {
	d := r.data
	out := r.scratch[:0]
	if want {
		out = append(out, d[p+1:i]...)
	}
	seg := i // start of the pending unescaped run
	for i < len(d) {
		c := d[i]
		switch {
		case c == '"':
			if want {
				out = append(out, d[seg:i]...)
				r.scratch = out
			}
			if !utf8.Valid(d[p+1 : i]) {
				return nil, 0, errSyntax
			}
			return out, i + 1, nil
		case c < 0x20:
			return nil, 0, errSyntax
		case c != '\\':
			i++
			continue
		}
		if want {
			out = append(out, d[seg:i]...)
			if max > 0 && len(out) > max {
				r.scratch = out
				return nil, 0, errTooLong
			}
		}
		if i+1 >= len(d) {
			return nil, 0, errSyntax
		}
		n := 2
		switch e := d[i+1]; e {
		case '"', '\\', '/':
			out = appendIf(out, want, e)
		case 'b':
			out = appendIf(out, want, '\b')
		case 'f':
			out = appendIf(out, want, '\f')
		case 'n':
			out = appendIf(out, want, '\n')
		case 'r':
			out = appendIf(out, want, '\r')
		case 't':
			out = appendIf(out, want, '\t')
		case 'u':
			rn, size, ok := decodeU(d[i:])
			if !ok {
				return nil, 0, errSyntax
			}
			if want {
				out = utf8.AppendRune(out, rn)
			}
			n = size
		default:
			return nil, 0, errSyntax
		}
		i += n
		seg = i
	}
	return nil, 0, errSyntax
}

func appendIf(b []byte, want bool, c byte) []byte {
	if want {
		return append(b, c)
	}
	return b
}

// decodeU decodes a \uXXXX escape at the start of b, combining a surrogate
// pair; a lone surrogate becomes U+FFFD as in encoding/json.
func decodeU(b []byte) (rune, int, bool) {
	r1, ok := hex4(b)
	if !ok {
		return 0, 0, false
	}
	if r1 < 0xd800 || r1 > 0xdfff {
		return r1, 6, true
	}
	if r1 <= 0xdbff && len(b) >= 12 && b[6] == '\\' && b[7] == 'u' {
		if r2, ok := hex4(b[6:]); ok && r2 >= 0xdc00 && r2 <= 0xdfff {
			return 0x10000 + (r1-0xd800)<<10 + (r2 - 0xdc00), 12, true
		}
	}
	return utf8.RuneError, 6, true
}

// hex4 parses the four hex digits of `\uXXXX` at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 6 {
		return 0, false
	}
	var r rune
	for _, c := range b[2:6] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
