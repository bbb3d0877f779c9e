package wire

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// jsScan walks JSON text without allocating, for what encoding/json cannot
// do: read the routing keys of a message without allocating (DecodeHeader),
// refuse an oversized string, array or map before allocating it, and match
// keys exactly. It is not a validator: every decoder also runs validJSON,
// so jsScan only has to be exact on valid JSON and safe on anything else
// (it never recurses, and refuses nesting deeper than maxDepth before
// json.Valid, whose scanner allocates per level, sees it). A value of the
// wrong kind is errType.
type jsScan struct {
	b     []byte
	p     int
	open  [maxOpen]jsFrame
	depth int
}

// jsFrame is one open container.
type jsFrame struct {
	close      byte // '}' or ']'
	count, max int  // elements read, and allowed (0: any)
}

// validJSON reports whether data is JSON text: UTF-8 (RFC 8259; json.Valid
// lets invalid bytes through, which Unmarshal would then replace) and
// valid JSON.
func validJSON(data []byte) bool { return utf8.Valid(data) && json.Valid(data) }

// peek skips whitespace and returns the next byte.
func (s *jsScan) peek() (byte, error) {
	for ; s.p < len(s.b); s.p++ {
		switch c := s.b[s.p]; c {
		case ' ', '\t', '\n', '\r':
		default:
			return c, nil
		}
	}
	return 0, errSyntax
}

func (s *jsScan) push(open, close byte, max int) error {
	c, err := s.peek()
	switch {
	case err != nil:
		return err
	case c != open:
		return errType
	case s.depth == maxOpen:
		return errDepth
	}
	s.open[s.depth] = jsFrame{close: close, max: max}
	s.depth++
	s.p++
	return nil
}

func (s *jsScan) openMap(max int) error   { return s.push('{', '}', max) }
func (s *jsScan) openArray(max int) error { return s.push('[', ']', max) }

func (s *jsScan) more() (bool, error) {
	if s.depth == 0 {
		return false, errSyntax
	}
	f := &s.open[s.depth-1]
	c, err := s.peek()
	if err != nil {
		return false, err
	}
	if c == f.close {
		s.p++
		s.depth--
		return false, nil
	}
	if f.count > 0 {
		if c != ',' {
			return false, errSyntax
		}
		s.p++
	}
	f.count++
	if f.max > 0 && f.count > f.max {
		return false, errTooMany
	}
	return true, nil
}

// key reads a member name and its colon.
func (s *jsScan) key() ([]byte, error) {
	if s.depth == 0 || s.open[s.depth-1].close != '}' {
		return nil, errSyntax
	}
	k, err := s.str(0)
	if err != nil {
		return nil, errSyntax
	}
	if c, err := s.peek(); err != nil || c != ':' {
		return nil, errSyntax
	}
	s.p++
	return k, nil
}

// str reads a string of at most max bytes (0: any), aliasing the input,
// unless it has escapes: encoding/json unescapes it (allocating; no string
// of the protocol needs escapes), after refusing one whose text exceeds 6 ×
// max (no escape is more than 6 times the bytes it stands for).
func (s *jsScan) str(max int) ([]byte, error) {
	c, err := s.peek()
	if err != nil {
		return nil, err
	}
	if c != '"' {
		return nil, errType
	}
	end, esc, err := s.scanString()
	if err != nil {
		return nil, err
	}
	v := s.b[s.p+1 : end-1]
	if esc {
		if max > 0 && len(v) > 6*max {
			return nil, errTooLong
		}
		var u string
		if json.Unmarshal(s.b[s.p:end], &u) != nil {
			return nil, errSyntax
		}
		v = []byte(u)
	}
	if max > 0 && len(v) > max {
		return nil, errTooLong
	}
	s.p = end
	return v, nil
}

// scanString returns the position after the string whose quote is at s.p
// and whether it holds escapes.
func (s *jsScan) scanString() (end int, esc bool, err error) {
	for i := s.p + 1; i < len(s.b); i++ {
		switch s.b[i] {
		case '"':
			return i + 1, esc, nil
		case '\\':
			esc = true
			i++
		}
	}
	return 0, false, errSyntax
}

// integer reads a JSON integer as sign and magnitude. A number with a
// fraction or an exponent is errType, one beyond uint64 errRange; both
// leave the position unchanged.
func (s *jsScan) integer() (neg bool, mag uint64, err error) {
	c, err := s.peek()
	if err != nil {
		return false, 0, err
	}
	if c != '-' && (c < '0' || c > '9') {
		return false, 0, errType
	}
	i := s.p
	if c == '-' {
		neg = true
		i++
	}
	const cut = (1<<64 - 1) / 10 // mag*10+d overflows past cut, or at cut for d > 5
	start, ovf := i, false
	for ; i < len(s.b) && s.b[i] >= '0' && s.b[i] <= '9'; i++ {
		d := uint64(s.b[i] - '0')
		ovf = ovf || mag > cut || mag == cut && d > 5
		mag = mag*10 + d
	}
	switch {
	case i == start:
		return false, 0, errSyntax
	case i < len(s.b) && (s.b[i] == '.' || s.b[i] == 'e' || s.b[i] == 'E'):
		return false, 0, errType
	case ovf:
		return false, 0, errRange
	}
	s.p = i
	return neg, mag, nil
}

func (s *jsScan) uint() (uint64, error) {
	p := s.p
	v, err := asUint(s.integer())
	if err == errRange {
		s.p = p
	}
	return v, err
}

func (s *jsScan) int() (int64, error) {
	p := s.p
	v, err := asInt(s.integer())
	if err == errRange {
		s.p = p
	}
	return v, err
}

func (s *jsScan) null() bool {
	c, err := s.peek()
	return err == nil && c == 'n'
}

func (s *jsScan) pos() int { return s.p }

// skip skips one value of any kind, nested at most maxDepth deep.
func (s *jsScan) skip() error {
	depth := 0
	for {
		c, err := s.peek()
		if err != nil {
			return err
		}
		switch c {
		case '"':
			end, _, err := s.scanString()
			if err != nil {
				return err
			}
			s.p = end
		case '{', '[':
			if depth++; depth > maxDepth {
				return errDepth
			}
			s.p++
			continue
		case '}', ']', ',', ':':
			if depth == 0 {
				return errSyntax
			}
			s.p++
			if c == ',' || c == ':' {
				continue
			}
			depth--
		default: // a number or a literal, up to the next delimiter
			start := s.p
			for s.p < len(s.b) && strings.IndexByte(" \t\n\r,:]}\"{[", s.b[s.p]) < 0 {
				s.p++
			}
			if s.p == start {
				return errSyntax
			}
		}
		if depth == 0 {
			return nil
		}
	}
}

func (s *jsScan) end() error {
	if s.depth != 0 {
		return errSyntax
	}
	if _, err := s.peek(); err == nil {
		return errSyntax // trailing data
	}
	return nil
}
