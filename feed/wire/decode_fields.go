package wire

// Field readers shared by the message and operation decoders.

func readStr(r reader, max int, dst *string) error {
	b, err := r.str(max)
	if err == nil {
		*dst = string(b)
	}
	return err
}

// readWord reads a string from the protocol's vocabulary without
// allocating for known words.
func readWord(r reader, dst *string) error {
	b, err := r.str(0)
	if err == nil {
		*dst = word(b)
	}
	return err
}

// readSym reads a symbol, interned process-wide (client side only).
func readSym(r reader, dst *string) error {
	b, err := r.str(0)
	if err == nil {
		*dst = symbols.get(b)
	}
	return err
}

func readUint(r reader, dst *uint64) error {
	v, err := r.uint()
	if err == nil {
		*dst = v
	}
	return err
}

func readInt(r reader, dst *int64) error {
	v, err := r.int()
	if err == nil {
		*dst = v
	}
	return err
}

func readBool(r reader, dst *bool) error {
	v, err := r.bool()
	if err == nil {
		*dst = v
	}
	return err
}

// readID reads an id: a non-negative integer up to MaxID. A larger one
// is consumed and reported as errBig.
func readID(r reader, dst *ID) error {
	v, err := r.uint()
	if err != nil {
		return err
	}
	if v > MaxID {
		return errBig
	}
	*dst = SomeID(v)
	return nil
}

// readStrs reads an array of at most max strings of at most maxLen bytes.
func readStrs(r reader, max, maxLen int, dst *[]string) error {
	if err := r.openArray(max); err != nil {
		return err
	}
	var out []string
	for {
		ok, err := r.more()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		b, err := r.str(maxLen)
		if err != nil {
			return err
		}
		out = append(out, word(b))
	}
	*dst = out
	return nil
}

// readLevels reads an array of [price, quantity] pairs.
func readLevels(r reader, dst *[]Level) error {
	if err := r.openArray(0); err != nil {
		return err
	}
	var out []Level
	for {
		ok, err := r.more()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		var l Level
		if err := readPair(r, &l.Px, &l.Qty); err != nil {
			return err
		}
		out = append(out, l)
	}
	*dst = out
	return nil
}

// readPair reads a two-element array of strings.
func readPair(r reader, a, b *string) error {
	if err := r.openArray(2); err != nil {
		return err
	}
	for _, dst := range [2]*string{a, b} {
		ok, err := r.more()
		if err != nil {
			return err
		}
		if !ok {
			return errSyntax
		}
		if err := readStr(r, 0, dst); err != nil {
			return err
		}
	}
	if ok, err := r.more(); err != nil || ok {
		return errSyntax
	}
	return nil
}
