package wire

// Quote is the best bid and offer (t "quote", channel "quote"). An empty
// side is absent on the wire: Bid == "" omits bid and bid_qty, Ask == ""
// omits ask and ask_qty (PROTOCOL 4.4).
type Quote struct {
	Meta
	Bid    string
	BidQty string
	Ask    string
	AskQty string
}

// Kind returns KindQuote.
func (Quote) Kind() Kind { return KindQuote }

// AppendMsgpack appends the quote as a msgpack map.
func (m Quote) AppendMsgpack(dst []byte) []byte {
	bid, ask := m.Bid != "", m.Ask != ""
	dst = m.mpHead(dst, TypeQuote, 2*b2i(bid)+2*b2i(ask))
	if bid {
		dst = mpKStr(dst, "bid", m.Bid)
		dst = mpKStr(dst, "bid_qty", m.BidQty)
	}
	if ask {
		dst = mpKStr(dst, "ask", m.Ask)
		dst = mpKStr(dst, "ask_qty", m.AskQty)
	}
	return dst
}

// AppendJSON appends the quote as a JSON object.
func (m Quote) AppendJSON(dst []byte) []byte {
	dst = m.jsHead(dst, TypeQuote)
	if m.Bid != "" {
		dst = jsKStr(dst, "bid", m.Bid)
		dst = jsKStr(dst, "bid_qty", m.BidQty)
	}
	if m.Ask != "" {
		dst = jsKStr(dst, "ask", m.Ask)
		dst = jsKStr(dst, "ask_qty", m.AskQty)
	}
	return append(dst, '}')
}

func (m *Quote) decodeField(r reader, k []byte) error {
	if ok, err := m.field(r, k); ok {
		return err
	}
	switch string(k) {
	case "bid":
		return readStr(r, 0, &m.Bid)
	case "bid_qty":
		return readStr(r, 0, &m.BidQty)
	case "ask":
		return readStr(r, 0, &m.Ask)
	case "ask_qty":
		return readStr(r, 0, &m.AskQty)
	}
	return r.skip()
}
