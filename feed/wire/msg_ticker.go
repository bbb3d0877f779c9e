package wire

// Ticker is the rolling 24 h statistics of a symbol (t "ticker", channel
// "ticker"). Change is the percent change of Last against Open with two
// decimals.
type Ticker struct {
	Meta
	Last   string
	Open   string
	High   string
	Low    string
	Vol    string
	Change string
}

// Kind returns KindTicker.
func (Ticker) Kind() Kind { return KindTicker }

// AppendMsgpack appends the ticker as a msgpack map.
func (m Ticker) AppendMsgpack(dst []byte) []byte {
	dst = m.mpHead(dst, TypeTicker, 6)
	dst = mpKStr(dst, "last", m.Last)
	dst = mpKStr(dst, "open", m.Open)
	dst = mpKStr(dst, "high", m.High)
	dst = mpKStr(dst, "low", m.Low)
	dst = mpKStr(dst, "vol", m.Vol)
	return mpKStr(dst, "change", m.Change)
}

// AppendJSON appends the ticker as a JSON object.
func (m Ticker) AppendJSON(dst []byte) []byte {
	dst = m.jsHead(dst, TypeTicker)
	dst = jsKStr(dst, "last", m.Last)
	dst = jsKStr(dst, "open", m.Open)
	dst = jsKStr(dst, "high", m.High)
	dst = jsKStr(dst, "low", m.Low)
	dst = jsKStr(dst, "vol", m.Vol)
	dst = jsKStr(dst, "change", m.Change)
	return append(dst, '}')
}

func (m *Ticker) decodeField(r reader, k []byte) error {
	if ok, err := m.field(r, k); ok {
		return err
	}
	var dst *string
	switch string(k) {
	case "last":
		dst = &m.Last
	case "open":
		dst = &m.Open
	case "high":
		dst = &m.High
	case "low":
		dst = &m.Low
	case "vol":
		dst = &m.Vol
	case "change":
		dst = &m.Change
	default:
		return r.skip()
	}
	return readStr(r, 0, dst)
}
