package wire

// Candle is an OHLCV candle (t "candle", channels "candles.1s" and
// "candles.1m"). Start is the candle's start in nanoseconds, N the number of
// trades, Closed whether the interval is over (a closed candle is never
// conflated away).
type Candle struct {
	Meta
	Start  int64
	O      string
	H      string
	L      string
	C      string
	V      string
	N      uint64
	Closed bool
}

// Kind returns KindCandle.
func (Candle) Kind() Kind { return KindCandle }

// AppendMsgpack appends the candle as a msgpack map.
func (m Candle) AppendMsgpack(dst []byte) []byte {
	dst = m.mpHead(dst, TypeCandle, 8)
	dst = mpKInt(dst, "start", m.Start)
	dst = mpKStr(dst, "o", m.O)
	dst = mpKStr(dst, "h", m.H)
	dst = mpKStr(dst, "l", m.L)
	dst = mpKStr(dst, "c", m.C)
	dst = mpKStr(dst, "v", m.V)
	dst = mpKUint(dst, "n", m.N)
	return mpKBool(dst, "closed", m.Closed)
}

// AppendJSON appends the candle as a JSON object.
func (m Candle) AppendJSON(dst []byte) []byte {
	dst = m.jsHead(dst, TypeCandle)
	dst = jsKInt(dst, "start", m.Start)
	dst = jsKStr(dst, "o", m.O)
	dst = jsKStr(dst, "h", m.H)
	dst = jsKStr(dst, "l", m.L)
	dst = jsKStr(dst, "c", m.C)
	dst = jsKStr(dst, "v", m.V)
	dst = jsKUint(dst, "n", m.N)
	dst = jsKBool(dst, "closed", m.Closed)
	return append(dst, '}')
}

func (m *Candle) decodeField(r reader, k []byte) error {
	if ok, err := m.field(r, k); ok {
		return err
	}
	switch string(k) {
	case "start":
		return readInt(r, &m.Start)
	case "o":
		return readStr(r, 0, &m.O)
	case "h":
		return readStr(r, 0, &m.H)
	case "l":
		return readStr(r, 0, &m.L)
	case "c":
		return readStr(r, 0, &m.C)
	case "v":
		return readStr(r, 0, &m.V)
	case "n":
		return readUint(r, &m.N)
	case "closed":
		return readBool(r, &m.Closed)
	}
	return r.skip()
}
