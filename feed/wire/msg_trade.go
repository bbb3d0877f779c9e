package wire

// Trade is a public trade (t "trade", channel "trades"). Side is the
// aggressor's side; ID is the trade id, increasing per symbol.
type Trade struct {
	Meta
	ID   uint64
	Px   string
	Qty  string
	Side string
}

// Kind returns KindTrade.
func (Trade) Kind() Kind { return KindTrade }

// AppendMsgpack appends the trade as a msgpack map.
func (m Trade) AppendMsgpack(dst []byte) []byte {
	dst = m.mpHead(dst, TypeTrade, 4)
	dst = mpKUint(dst, "id", m.ID)
	dst = mpKStr(dst, "px", m.Px)
	dst = mpKStr(dst, "qty", m.Qty)
	return mpKStr(dst, "side", m.Side)
}

// AppendJSON appends the trade as a JSON object.
func (m Trade) AppendJSON(dst []byte) []byte {
	dst = m.jsHead(dst, TypeTrade)
	dst = jsKUint(dst, "id", m.ID)
	dst = jsKStr(dst, "px", m.Px)
	dst = jsKStr(dst, "qty", m.Qty)
	dst = jsKStr(dst, "side", m.Side)
	return append(dst, '}')
}

func (m *Trade) decodeField(r reader, k []byte) error {
	if ok, err := m.field(r, k); ok {
		return err
	}
	switch string(k) {
	case "id":
		return readUint(r, &m.ID)
	case "px":
		return readStr(r, 0, &m.Px)
	case "qty":
		return readStr(r, 0, &m.Qty)
	case "side":
		return readWord(r, &m.Side)
	}
	return r.skip()
}
