package wire

// Fill is a private execution of one of the account's orders (t "fill").
// Liq is "maker" or "taker"; TradeID matches the public trade's id.
type Fill struct {
	OID     uint64
	CID     string
	TradeID uint64
	S       string
	Side    string
	Px      string
	Qty     string
	Liq     string
	Seq     uint64
	Ts      int64
}

// Kind returns KindFill.
func (Fill) Kind() Kind { return KindFill }

// AppendMsgpack appends the fill as a msgpack map.
func (m Fill) AppendMsgpack(dst []byte) []byte {
	dst = mpMap(dst, 11)
	dst = mpKStr(dst, "t", TypeFill)
	dst = mpKUint(dst, "oid", m.OID)
	dst = mpKStr(dst, "cid", m.CID)
	dst = mpKUint(dst, "trade_id", m.TradeID)
	dst = mpKStr(dst, "s", m.S)
	dst = mpKStr(dst, "side", m.Side)
	dst = mpKStr(dst, "px", m.Px)
	dst = mpKStr(dst, "qty", m.Qty)
	dst = mpKStr(dst, "liq", m.Liq)
	dst = mpKUint(dst, "seq", m.Seq)
	return mpKInt(dst, "ts", m.Ts)
}

// AppendJSON appends the fill as a JSON object.
func (m Fill) AppendJSON(dst []byte) []byte {
	dst = jsOpen(dst, "t", TypeFill)
	dst = jsKUint(dst, "oid", m.OID)
	dst = jsKStr(dst, "cid", m.CID)
	dst = jsKUint(dst, "trade_id", m.TradeID)
	dst = jsKStr(dst, "s", m.S)
	dst = jsKStr(dst, "side", m.Side)
	dst = jsKStr(dst, "px", m.Px)
	dst = jsKStr(dst, "qty", m.Qty)
	dst = jsKStr(dst, "liq", m.Liq)
	dst = jsKUint(dst, "seq", m.Seq)
	dst = jsKInt(dst, "ts", m.Ts)
	return append(dst, '}')
}

func (m *Fill) decodeField(r reader, k []byte) error {
	switch string(k) {
	case "oid":
		return readUint(r, &m.OID)
	case "cid":
		return readStr(r, 0, &m.CID)
	case "trade_id":
		return readUint(r, &m.TradeID)
	case "s":
		return readSym(r, &m.S)
	case "side":
		return readWord(r, &m.Side)
	case "px":
		return readStr(r, 0, &m.Px)
	case "qty":
		return readStr(r, 0, &m.Qty)
	case "liq":
		return readWord(r, &m.Liq)
	case "seq":
		return readUint(r, &m.Seq)
	case "ts":
		return readInt(r, &m.Ts)
	}
	return r.skip()
}
