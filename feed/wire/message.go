package wire

// Message is a server→client message. Every concrete type in this package
// implements it with pointer receivers (*Trade, *BookDelta, …); Decode
// returns pointers.
type Message interface {
	// Kind returns the message type.
	Kind() Kind
	// AppendMsgpack appends the message as one msgpack map to dst.
	AppendMsgpack(dst []byte) []byte
	// AppendJSON appends the message as one JSON object to dst.
	AppendJSON(dst []byte) []byte
}

// Append appends m in format f.
func Append(f Format, dst []byte, m Message) []byte {
	if f == JSON {
		return m.AppendJSON(dst)
	}
	return m.AppendMsgpack(dst)
}

// appendMsg appends m, "t" first, in format f.
func appendMsg(f Format, dst []byte, m Message) []byte {
	return appendTyped(f, dst, "t", m.Kind().String(), m)
}

// Meta is the part every public market-data message carries (protocol.md 3.2):
// channel, symbol, the stream's seq, the feed's global offset, and the
// engine timestamp in nanoseconds since the Unix epoch.
type Meta struct {
	Ch  string `json:"ch"`
	S   string `json:"s"`
	Seq uint64 `json:"seq"`
	Off uint64 `json:"off"`
	Ts  int64  `json:"ts"`
}

// Stream returns the stream name "CHANNEL:SYMBOL".
func (m *Meta) Stream() string { return Stream(m.Ch, m.S) }

// Unknown is a message whose type this version does not know. Decode
// returns it instead of failing, so that newer servers stay readable; its
// other keys are skipped.
type Unknown struct {
	T string `json:"-"`
}

// Kind returns KindUnknown.
func (Unknown) Kind() Kind { return KindUnknown }

// AppendMsgpack appends {"t":T}.
func (u *Unknown) AppendMsgpack(dst []byte) []byte { return appendTyped(MsgPack, dst, "t", u.T, u) }

// AppendJSON appends {"t":T}.
func (u *Unknown) AppendJSON(dst []byte) []byte { return appendTyped(JSON, dst, "t", u.T, u) }
