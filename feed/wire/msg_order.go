package wire

// Order is a private order update (t "order"). ID is present only on the
// message that answers an operation (order, cancel, amend): the first
// update of a new or rejected order, a cancel's confirmation, an amend's
// result. Reason is present (non-empty) for the statuses canceled, expired
// and rejected. All other strings are always written, empty ones as ""
// (AvgPx before any fill; Px of a market order).
type Order struct {
	ID       ID
	OID      uint64
	CID      string
	S        string
	Side     string
	Type     string
	TIF      string
	PostOnly bool
	Px       string
	Qty      string
	Filled   string
	AvgPx    string
	Status   string
	Reason   string
	Seq      uint64
	Ts       int64
}

// orderFields counts the keys always written, "t" included.
const orderFields = 15

// Kind returns KindOrder.
func (Order) Kind() Kind { return KindOrder }

// AppendMsgpack appends the order as a msgpack map.
func (m Order) AppendMsgpack(dst []byte) []byte {
	dst = mpMap(dst, orderFields+b2i(m.ID.Valid)+b2i(m.Reason != ""))
	dst = mpKStr(dst, "t", TypeOrder)
	if m.ID.Valid {
		dst = mpKUint(dst, "id", m.ID.Value)
	}
	dst = mpKUint(dst, "oid", m.OID)
	dst = mpKStr(dst, "cid", m.CID)
	dst = mpKStr(dst, "s", m.S)
	dst = mpKStr(dst, "side", m.Side)
	dst = mpKStr(dst, "type", m.Type)
	dst = mpKStr(dst, "tif", m.TIF)
	dst = mpKBool(dst, "post_only", m.PostOnly)
	dst = mpKStr(dst, "px", m.Px)
	dst = mpKStr(dst, "qty", m.Qty)
	dst = mpKStr(dst, "filled", m.Filled)
	dst = mpKStr(dst, "avg_px", m.AvgPx)
	dst = mpKStr(dst, "status", m.Status)
	if m.Reason != "" {
		dst = mpKStr(dst, "reason", m.Reason)
	}
	dst = mpKUint(dst, "seq", m.Seq)
	return mpKInt(dst, "ts", m.Ts)
}

// AppendJSON appends the order as a JSON object.
func (m Order) AppendJSON(dst []byte) []byte {
	dst = jsOpen(dst, "t", TypeOrder)
	if m.ID.Valid {
		dst = jsKUint(dst, "id", m.ID.Value)
	}
	dst = jsKUint(dst, "oid", m.OID)
	dst = jsKStr(dst, "cid", m.CID)
	dst = jsKStr(dst, "s", m.S)
	dst = jsKStr(dst, "side", m.Side)
	dst = jsKStr(dst, "type", m.Type)
	dst = jsKStr(dst, "tif", m.TIF)
	dst = jsKBool(dst, "post_only", m.PostOnly)
	dst = jsKStr(dst, "px", m.Px)
	dst = jsKStr(dst, "qty", m.Qty)
	dst = jsKStr(dst, "filled", m.Filled)
	dst = jsKStr(dst, "avg_px", m.AvgPx)
	dst = jsKStr(dst, "status", m.Status)
	if m.Reason != "" {
		dst = jsKStr(dst, "reason", m.Reason)
	}
	dst = jsKUint(dst, "seq", m.Seq)
	dst = jsKInt(dst, "ts", m.Ts)
	return append(dst, '}')
}

func (m *Order) decodeField(r reader, k []byte) error {
	switch string(k) {
	case "id":
		return readID(r, &m.ID)
	case "oid":
		return readUint(r, &m.OID)
	case "cid":
		return readStr(r, 0, &m.CID)
	case "s":
		return readSym(r, &m.S)
	case "side":
		return readWord(r, &m.Side)
	case "type":
		return readWord(r, &m.Type)
	case "tif":
		return readWord(r, &m.TIF)
	case "post_only":
		return readBool(r, &m.PostOnly)
	case "px":
		return readStr(r, 0, &m.Px)
	case "qty":
		return readStr(r, 0, &m.Qty)
	case "filled":
		return readStr(r, 0, &m.Filled)
	case "avg_px":
		return readStr(r, 0, &m.AvgPx)
	case "status":
		return readWord(r, &m.Status)
	case "reason":
		return readWord(r, &m.Reason)
	case "seq":
		return readUint(r, &m.Seq)
	case "ts":
		return readInt(r, &m.Ts)
	}
	return r.skip()
}
