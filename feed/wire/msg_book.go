package wire

// Level is one price level of a book side: the price and the total
// quantity resting there, as decimal strings. On the wire it is the
// two-element array [px, qty].
type Level struct {
	Px  string
	Qty string
}

// BookLevels is the body shared by BookSnapshot and BookDelta: the levels and the
// checksum of the book after applying them (PROTOCOL 4.4).
type BookLevels struct {
	Meta
	Bids []Level
	Asks []Level
	CS   uint32
}

// BookSnapshot is the full L2 book (t "book_snapshot", channel "book"):
// bids descending, asks ascending. Its Seq is that of the last delta it
// contains.
type BookSnapshot struct{ BookLevels }

// BookDelta is a book update (t "book", channel "book"): the changed levels
// with their new total quantity; a zero quantity removes the level.
type BookDelta struct{ BookLevels }

// Kind returns KindBookSnapshot.
func (BookSnapshot) Kind() Kind { return KindBookSnapshot }

// Kind returns KindBook.
func (BookDelta) Kind() Kind { return KindBook }

// AppendMsgpack appends the snapshot as a msgpack map.
func (m BookSnapshot) AppendMsgpack(dst []byte) []byte {
	return m.appendMsgpack(dst, TypeBookSnapshot)
}

// AppendJSON appends the snapshot as a JSON object.
func (m BookSnapshot) AppendJSON(dst []byte) []byte {
	return m.appendJSON(dst, TypeBookSnapshot)
}

// AppendMsgpack appends the delta as a msgpack map.
func (m BookDelta) AppendMsgpack(dst []byte) []byte {
	return m.appendMsgpack(dst, TypeBook)
}

// AppendJSON appends the delta as a JSON object.
func (m BookDelta) AppendJSON(dst []byte) []byte {
	return m.appendJSON(dst, TypeBook)
}

func (m *BookLevels) appendMsgpack(dst []byte, t string) []byte {
	dst = m.mpHead(dst, t, 3)
	dst = mpLevels(mpStr(dst, "bids"), m.Bids)
	dst = mpLevels(mpStr(dst, "asks"), m.Asks)
	return mpKUint(dst, "cs", uint64(m.CS))
}

func (m *BookLevels) appendJSON(dst []byte, t string) []byte {
	dst = m.jsHead(dst, t)
	dst = jsLevels(jsKey(dst, "bids"), m.Bids)
	dst = jsLevels(jsKey(dst, "asks"), m.Asks)
	dst = jsKUint(dst, "cs", uint64(m.CS))
	return append(dst, '}')
}

func mpLevels(dst []byte, ls []Level) []byte {
	dst = mpArray(dst, len(ls))
	for _, l := range ls {
		dst = mpStr(mpStr(append(dst, 0x92), l.Px), l.Qty)
	}
	return dst
}

func jsLevels(dst []byte, ls []Level) []byte {
	dst = append(dst, '[')
	for i, l := range ls {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsStr(append(dst, '['), l.Px)
		dst = jsStr(append(dst, ','), l.Qty)
		dst = append(dst, ']')
	}
	return append(dst, ']')
}

func (m *BookLevels) decodeField(r reader, k []byte) error {
	if ok, err := m.field(r, k); ok {
		return err
	}
	switch string(k) {
	case "bids":
		return readLevels(r, &m.Bids)
	case "asks":
		return readLevels(r, &m.Asks)
	case "cs":
		v, err := r.uint()
		if err == nil && v > 1<<32-1 {
			return errBig
		}
		m.CS = uint32(v)
		return err
	}
	return r.skip()
}
