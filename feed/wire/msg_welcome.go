package wire

// Welcome is the first message on every connection (PROTOCOL 4.2). Epoch
// names the feed's history for resume; HeartbeatMS is the server's ping
// interval; MaxMsg the largest client message it accepts.
type Welcome struct {
	V           uint64
	Epoch       string
	ServerTime  int64
	HeartbeatMS uint64
	MaxMsg      uint64
}

// Kind returns KindWelcome.
func (Welcome) Kind() Kind { return KindWelcome }

// AppendMsgpack appends the welcome as a msgpack map.
func (m Welcome) AppendMsgpack(dst []byte) []byte {
	dst = mpMap(dst, 6)
	dst = mpKStr(dst, "t", TypeWelcome)
	dst = mpKUint(dst, "v", m.V)
	dst = mpKStr(dst, "epoch", m.Epoch)
	dst = mpKInt(dst, "server_time", m.ServerTime)
	dst = mpKUint(dst, "heartbeat_ms", m.HeartbeatMS)
	return mpKUint(dst, "max_msg", m.MaxMsg)
}

// AppendJSON appends the welcome as a JSON object.
func (m Welcome) AppendJSON(dst []byte) []byte {
	dst = jsOpen(dst, "t", TypeWelcome)
	dst = jsKUint(dst, "v", m.V)
	dst = jsKStr(dst, "epoch", m.Epoch)
	dst = jsKInt(dst, "server_time", m.ServerTime)
	dst = jsKUint(dst, "heartbeat_ms", m.HeartbeatMS)
	dst = jsKUint(dst, "max_msg", m.MaxMsg)
	return append(dst, '}')
}

func (m *Welcome) decodeField(r reader, k []byte) error {
	switch string(k) {
	case "v":
		return readUint(r, &m.V)
	case "epoch":
		return readStr(r, 0, &m.Epoch)
	case "server_time":
		return readInt(r, &m.ServerTime)
	case "heartbeat_ms":
		return readUint(r, &m.HeartbeatMS)
	case "max_msg":
		return readUint(r, &m.MaxMsg)
	}
	return r.skip()
}

// Reset tells a resuming client that a stream could not be replayed
// (PROTOCOL 5); Reason is "history_expired" or "epoch_changed". For "book"
// a fresh book_snapshot follows.
type Reset struct {
	Ch     string
	S      string
	Reason string
}

// Kind returns KindReset.
func (Reset) Kind() Kind { return KindReset }

// Stream returns the stream name "CHANNEL:SYMBOL".
func (m *Reset) Stream() string { return Stream(m.Ch, m.S) }

// AppendMsgpack appends the reset as a msgpack map.
func (m Reset) AppendMsgpack(dst []byte) []byte {
	dst = mpMap(dst, 4)
	dst = mpKStr(dst, "t", TypeReset)
	dst = mpKStr(dst, "ch", m.Ch)
	dst = mpKStr(dst, "s", m.S)
	return mpKStr(dst, "reason", m.Reason)
}

// AppendJSON appends the reset as a JSON object.
func (m Reset) AppendJSON(dst []byte) []byte {
	dst = jsOpen(dst, "t", TypeReset)
	dst = jsKStr(dst, "ch", m.Ch)
	dst = jsKStr(dst, "s", m.S)
	dst = jsKStr(dst, "reason", m.Reason)
	return append(dst, '}')
}

func (m *Reset) decodeField(r reader, k []byte) error {
	switch string(k) {
	case "ch":
		return readWord(r, &m.Ch)
	case "s":
		return readSym(r, &m.S)
	case "reason":
		return readWord(r, &m.Reason)
	}
	return r.skip()
}
