package wire

// Message is a server→client message. Every concrete type in this package
// implements it with value receivers, so both T and *T are Messages;
// Decode returns pointers.
type Message interface {
	// Kind returns the message type.
	Kind() Kind
	// AppendMsgpack appends the message as one msgpack map to dst.
	AppendMsgpack(dst []byte) []byte
	// AppendJSON appends the message as one JSON object to dst.
	AppendJSON(dst []byte) []byte
}

// decodable is a message Decode can fill field by field.
type decodable interface {
	Message
	// decodeField reads the value of key k; unknown keys are skipped.
	decodeField(r reader, k []byte) error
}

// Append appends m in format f.
func Append(f Format, dst []byte, m Message) []byte {
	if f == JSON {
		return m.AppendJSON(dst)
	}
	return m.AppendMsgpack(dst)
}

// Meta is the part every public market-data message carries (PROTOCOL 3):
// channel, symbol, the stream's seq, the feed's global offset, and the
// engine timestamp in nanoseconds since the Unix epoch.
type Meta struct {
	Ch  string
	S   string
	Seq uint64
	Off uint64
	Ts  int64
}

// Stream returns the stream name "CHANNEL:SYMBOL".
func (m *Meta) Stream() string { return Stream(m.Ch, m.S) }

// metaFields is the number of keys mpHead and jsHead write, "t" included.
const metaFields = 6

// mpHead starts a msgpack map of metaFields+extra entries with t and meta.
func (m *Meta) mpHead(dst []byte, t string, extra int) []byte {
	dst = mpMap(dst, metaFields+extra)
	dst = mpKStr(dst, "t", t)
	dst = mpKStr(dst, "ch", m.Ch)
	dst = mpKStr(dst, "s", m.S)
	dst = mpKUint(dst, "seq", m.Seq)
	dst = mpKUint(dst, "off", m.Off)
	return mpKInt(dst, "ts", m.Ts)
}

// jsHead opens a JSON object with t and meta.
func (m *Meta) jsHead(dst []byte, t string) []byte {
	dst = jsOpen(dst, "t", t)
	dst = jsKStr(dst, "ch", m.Ch)
	dst = jsKStr(dst, "s", m.S)
	dst = jsKUint(dst, "seq", m.Seq)
	dst = jsKUint(dst, "off", m.Off)
	return jsKInt(dst, "ts", m.Ts)
}

// field decodes a meta key; ok is false for other keys.
func (m *Meta) field(r reader, k []byte) (ok bool, err error) {
	switch string(k) {
	case "ch":
		return true, readWord(r, &m.Ch)
	case "s":
		return true, readSym(r, &m.S)
	case "seq":
		return true, readUint(r, &m.Seq)
	case "off":
		return true, readUint(r, &m.Off)
	case "ts":
		return true, readInt(r, &m.Ts)
	}
	return false, nil
}

// Unknown is a message whose type this version does not know. Decode
// returns it instead of failing, so that newer servers stay readable; its
// other keys are skipped.
type Unknown struct {
	T string
}

// Kind returns KindUnknown.
func (Unknown) Kind() Kind { return KindUnknown }

// AppendMsgpack appends {"t":T}.
func (u Unknown) AppendMsgpack(dst []byte) []byte {
	return mpKStr(mpMap(dst, 1), "t", u.T)
}

// AppendJSON appends {"t":T}.
func (u Unknown) AppendJSON(dst []byte) []byte {
	return append(jsOpen(dst, "t", u.T), '}')
}

func (u *Unknown) decodeField(r reader, k []byte) error { return r.skip() }
