package wire

// number scans a JSON number at r.p and returns its end, whether it is a
// plain integer (no fraction or exponent), its sign and, for integers, its
// magnitude (ovf when it exceeds uint64).
func (r *readerJSON) number() (end int, integer, neg bool, mag uint64, ovf bool, err error) {
	d := r.data
	i := r.p
	if i < len(d) && d[i] == '-' {
		neg = true
		i++
	}
	if i >= len(d) || d[i] < '0' || d[i] > '9' {
		return 0, false, false, 0, false, errSyntax
	}
	if d[i] == '0' {
		i++
	} else {
		for ; i < len(d) && d[i] >= '0' && d[i] <= '9'; i++ {
			c := uint64(d[i] - '0')
			const cut, rem = (1<<64 - 1) / 10, (1<<64 - 1) % 10
			if mag > cut || (mag == cut && c > rem) {
				ovf = true
			}
			mag = mag*10 + c
		}
	}
	integer = true
	if i < len(d) && d[i] == '.' {
		integer = false
		i++
		j := i
		for ; i < len(d) && d[i] >= '0' && d[i] <= '9'; i++ {
		}
		if i == j {
			return 0, false, false, 0, false, errSyntax
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		integer = false
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := i
		for ; i < len(d) && d[i] >= '0' && d[i] <= '9'; i++ {
		}
		if i == j {
			return 0, false, false, 0, false, errSyntax
		}
	}
	return i, integer, neg, mag, ovf, nil
}

// integer reads a plain JSON integer; non-integers are type errors.
func (r *readerJSON) integer() (neg bool, mag uint64, err error) {
	c, err := r.peek()
	if err != nil {
		return false, 0, err
	}
	if c != '-' && (c < '0' || c > '9') {
		return false, 0, mismatch(c)
	}
	end, integer, neg, mag, ovf, err := r.number()
	switch {
	case err != nil:
		return false, 0, err
	case !integer:
		return false, 0, errType
	case ovf:
		return false, 0, errRange
	}
	r.p = end
	return neg, mag, nil
}

func (r *readerJSON) uint() (uint64, error) {
	p := r.p
	neg, mag, err := r.integer()
	if err == nil && neg && mag != 0 {
		r.p = p
		return 0, errRange
	}
	return mag, err
}

func (r *readerJSON) int() (int64, error) {
	p := r.p
	neg, mag, err := r.integer()
	switch {
	case err != nil:
		return 0, err
	case neg && mag == 0:
		return 0, nil
	case neg && mag <= 1<<63:
		return -int64(mag-1) - 1, nil
	case !neg && mag < 1<<63:
		return int64(mag), nil
	}
	r.p = p
	return 0, errRange
}

func (r *readerJSON) bool() (bool, error) {
	c, err := r.peek()
	if err != nil {
		return false, err
	}
	switch {
	case c == 't' && r.lit("true"):
		return true, nil
	case c == 'f' && r.lit("false"):
		return false, nil
	}
	return false, mismatch(c)
}

// lit consumes the literal s at r.p if present.
func (r *readerJSON) lit(s string) bool {
	if len(r.data)-r.p >= len(s) && string(r.data[r.p:r.p+len(s)]) == s {
		r.p += len(s)
		return true
	}
	return false
}

func (r *readerJSON) skip() error { return r.skipValue(0) }

func (r *readerJSON) skipValue(depth int) error {
	if depth > maxDepth {
		return errDepth
	}
	c, err := r.peek()
	if err != nil {
		return err
	}
	switch {
	case c == '"':
		_, end, err := r.scanString(r.p, false, 0)
		if err != nil {
			return err
		}
		r.p = end
		return nil
	case c == '{' || c == '[':
		return r.skipContainer(c, depth)
	case c == '-' || (c >= '0' && c <= '9'):
		end, _, _, _, _, err := r.number()
		if err != nil {
			return err
		}
		r.p = end
		return nil
	case (c == 't' && r.lit("true")) || (c == 'f' && r.lit("false")) || (c == 'n' && r.lit("null")):
		return nil
	}
	return errSyntax
}

// skipContainer skips an object or array opening at r.p.
func (r *readerJSON) skipContainer(open byte, depth int) error {
	close := byte(']')
	if open == '{' {
		close = '}'
	}
	r.p++
	for first := true; ; first = false {
		c, err := r.peek()
		if err != nil {
			return err
		}
		if c == close {
			r.p++
			return nil
		}
		if !first {
			if c != ',' {
				return errSyntax
			}
			r.p++
		}
		if open == '{' {
			c, err := r.peek()
			if err != nil || c != '"' {
				return errSyntax
			}
			_, end, err := r.scanString(r.p, false, 0)
			if err != nil {
				return err
			}
			r.p = end
			if c, err := r.peek(); err != nil || c != ':' {
				return errSyntax
			}
			r.p++
		}
		if err := r.skipValue(depth + 1); err != nil {
			return err
		}
	}
}

func (r *readerJSON) end() error {
	if r.depth != 0 {
		return errSyntax
	}
	if _, err := r.peek(); err == nil {
		return errSyntax // trailing data
	}
	return nil
}

func (r *readerJSON) rewind() { r.p, r.depth = 0, 0 }
