package wire

// Error is the server's answer to an operation it could not perform
// (PROTOCOL 4.4, 6): a protocol error Code, a human-readable Msg, and the
// operation's ID when it could be read. Reason, when present, is the order
// reject reason of PROTOCOL 6 behind a refused amend (a tickcast extension:
// clients that do not know the key ignore it, per PROTOCOL 2).
type Error struct {
	ID     ID
	Code   string
	Msg    string
	Reason string
}

// Kind returns KindError.
func (Error) Kind() Kind { return KindError }

// Error implements the error interface, so a decoded *Error can be
// returned as a Go error.
func (m Error) Error() string { return "tickcast: " + m.Code + ": " + m.Msg }

// AppendMsgpack appends the error as a msgpack map.
func (m Error) AppendMsgpack(dst []byte) []byte {
	n := 2
	if m.Reason != "" {
		n++
	}
	dst = mpReplyHead(dst, TypeError, m.ID, n)
	dst = mpKStr(dst, "code", m.Code)
	dst = mpKStr(dst, "msg", m.Msg)
	if m.Reason != "" {
		dst = mpKStr(dst, "reason", m.Reason)
	}
	return dst
}

// AppendJSON appends the error as a JSON object.
func (m Error) AppendJSON(dst []byte) []byte {
	dst = jsReplyHead(dst, TypeError, m.ID)
	dst = jsKStr(dst, "code", m.Code)
	dst = jsKStr(dst, "msg", m.Msg)
	if m.Reason != "" {
		dst = jsKStr(dst, "reason", m.Reason)
	}
	return append(dst, '}')
}
