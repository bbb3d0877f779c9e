package wire

// The connection-level messages: welcome, reset, and the replies to
// operations (protocol.md 2.2, 5.10, 5.11). A reply carries the operation's id
// when the operation had one, and only then.

// Welcome is the first message on every connection (protocol.md 2.2). Epoch
// names the feed's history for resume; HeartbeatMS is the server's ping
// interval; MaxMsg the largest client message it accepts.
type Welcome struct {
	V           uint64 `json:"v"`
	Epoch       string `json:"epoch"`
	ServerTime  int64  `json:"server_time"`
	HeartbeatMS uint64 `json:"heartbeat_ms"`
	MaxMsg      uint64 `json:"max_msg"`
}

// Reset tells a resuming client that a stream could not be replayed
// (protocol.md 5.11, 7.1); Reason is "history_expired" or "epoch_changed". For "book"
// a fresh book_snapshot follows.
type Reset struct {
	Ch     string `json:"ch"`
	S      string `json:"s"`
	Reason string `json:"reason"`
}

// Stream returns the stream name "CHANNEL:SYMBOL".
func (m *Reset) Stream() string { return Stream(m.Ch, m.S) }

// Subscribed answers subscribe with the streams now subscribed.
type Subscribed struct {
	ID      ID       `json:"id,omitempty,omitzero"`
	Streams []string `json:"streams"`
}

// Unsubscribed answers unsubscribe with the streams removed.
type Unsubscribed struct {
	ID      ID       `json:"id,omitempty,omitzero"`
	Streams []string `json:"streams"`
}

// Authed answers auth with the account name.
type Authed struct {
	ID      ID     `json:"id,omitempty,omitzero"`
	Account string `json:"account"`
}

// CanceledAll answers cancel_all with the number of orders canceled.
type CanceledAll struct {
	ID    ID     `json:"id,omitempty,omitzero"`
	Count uint64 `json:"count"`
}

// Pong answers ping with the server's time in nanoseconds.
type Pong struct {
	ID ID    `json:"id,omitempty,omitzero"`
	Ts int64 `json:"ts"`
}

// Error is the server's answer to an operation it could not perform
// (protocol.md 5.10, 9.1): a protocol error Code, a human-readable Msg, and the
// operation's ID when it could be read. Reason, when present, is the order
// reject reason of protocol.md 8.5 behind a refused amend (a tickcast extension:
// clients that do not know the key ignore it, per protocol.md 1.3).
type Error struct {
	ID     ID     `json:"id,omitempty,omitzero"`
	Code   string `json:"code"`
	Msg    string `json:"msg"`
	Reason string `json:"reason,omitempty"`
}

// Error implements the error interface, so a decoded *Error can be
// returned as a Go error.
func (m Error) Error() string { return "tickcast: " + m.Code + ": " + m.Msg }

// Kind returns KindWelcome.
func (Welcome) Kind() Kind { return KindWelcome }

// Kind returns KindReset.
func (Reset) Kind() Kind { return KindReset }

// Kind returns KindSubscribed.
func (Subscribed) Kind() Kind { return KindSubscribed }

// Kind returns KindUnsubscribed.
func (Unsubscribed) Kind() Kind { return KindUnsubscribed }

// Kind returns KindAuthed.
func (Authed) Kind() Kind { return KindAuthed }

// Kind returns KindCanceledAll.
func (CanceledAll) Kind() Kind { return KindCanceledAll }

// Kind returns KindPong.
func (Pong) Kind() Kind { return KindPong }

// Kind returns KindError.
func (Error) Kind() Kind { return KindError }

// AppendMsgpack appends the welcome as a msgpack map.
func (m *Welcome) AppendMsgpack(dst []byte) []byte { return appendMsg(MsgPack, dst, m) }

// AppendJSON appends the welcome as a JSON object.
func (m *Welcome) AppendJSON(dst []byte) []byte { return appendMsg(JSON, dst, m) }

// AppendMsgpack appends the reset as a msgpack map.
func (m *Reset) AppendMsgpack(dst []byte) []byte { return appendMsg(MsgPack, dst, m) }

// AppendJSON appends the reset as a JSON object.
func (m *Reset) AppendJSON(dst []byte) []byte { return appendMsg(JSON, dst, m) }

// AppendMsgpack appends the reply as a msgpack map.
func (m *Subscribed) AppendMsgpack(dst []byte) []byte { return appendMsg(MsgPack, dst, m) }

// AppendJSON appends the reply as a JSON object.
func (m *Subscribed) AppendJSON(dst []byte) []byte { return appendMsg(JSON, dst, m) }

// AppendMsgpack appends the reply as a msgpack map.
func (m *Unsubscribed) AppendMsgpack(dst []byte) []byte { return appendMsg(MsgPack, dst, m) }

// AppendJSON appends the reply as a JSON object.
func (m *Unsubscribed) AppendJSON(dst []byte) []byte { return appendMsg(JSON, dst, m) }

// AppendMsgpack appends the reply as a msgpack map.
func (m *Authed) AppendMsgpack(dst []byte) []byte { return appendMsg(MsgPack, dst, m) }

// AppendJSON appends the reply as a JSON object.
func (m *Authed) AppendJSON(dst []byte) []byte { return appendMsg(JSON, dst, m) }

// AppendMsgpack appends the reply as a msgpack map.
func (m *CanceledAll) AppendMsgpack(dst []byte) []byte { return appendMsg(MsgPack, dst, m) }

// AppendJSON appends the reply as a JSON object.
func (m *CanceledAll) AppendJSON(dst []byte) []byte { return appendMsg(JSON, dst, m) }

// AppendMsgpack appends the reply as a msgpack map.
func (m *Pong) AppendMsgpack(dst []byte) []byte { return appendMsg(MsgPack, dst, m) }

// AppendJSON appends the reply as a JSON object.
func (m *Pong) AppendJSON(dst []byte) []byte { return appendMsg(JSON, dst, m) }

// AppendMsgpack appends the error as a msgpack map.
func (m *Error) AppendMsgpack(dst []byte) []byte { return appendMsg(MsgPack, dst, m) }

// AppendJSON appends the error as a JSON object.
func (m *Error) AppendJSON(dst []byte) []byte { return appendMsg(JSON, dst, m) }
