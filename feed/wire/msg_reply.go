package wire

// Replies to operations (PROTOCOL 4.3). Each carries the operation's id
// when the operation had one, and only then.

// Subscribed answers subscribe with the streams now subscribed.
type Subscribed struct {
	ID      ID
	Streams []string
}

// Unsubscribed answers unsubscribe with the streams removed.
type Unsubscribed struct {
	ID      ID
	Streams []string
}

// Authed answers auth with the account name.
type Authed struct {
	ID      ID
	Account string
}

// CanceledAll answers cancel_all with the number of orders canceled.
type CanceledAll struct {
	ID    ID
	Count uint64
}

// Pong answers ping with the server's time in nanoseconds.
type Pong struct {
	ID ID
	Ts int64
}

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

// mpReplyHead starts a reply map with t and the optional id.
func mpReplyHead(dst []byte, t string, id ID, extra int) []byte {
	dst = mpMap(dst, 1+b2i(id.Valid)+extra)
	dst = mpKStr(dst, "t", t)
	if id.Valid {
		dst = mpKUint(dst, "id", id.Value)
	}
	return dst
}

// jsReplyHead opens a reply object with t and the optional id.
func jsReplyHead(dst []byte, t string, id ID) []byte {
	dst = jsOpen(dst, "t", t)
	if id.Valid {
		dst = jsKUint(dst, "id", id.Value)
	}
	return dst
}

// AppendMsgpack appends the reply as a msgpack map.
func (m Subscribed) AppendMsgpack(dst []byte) []byte {
	return mpStrs(mpStr(mpReplyHead(dst, TypeSubscribed, m.ID, 1), "streams"), m.Streams)
}

// AppendJSON appends the reply as a JSON object.
func (m Subscribed) AppendJSON(dst []byte) []byte {
	return append(jsStrs(jsKey(jsReplyHead(dst, TypeSubscribed, m.ID), "streams"), m.Streams), '}')
}

// AppendMsgpack appends the reply as a msgpack map.
func (m Unsubscribed) AppendMsgpack(dst []byte) []byte {
	return mpStrs(mpStr(mpReplyHead(dst, TypeUnsubscribed, m.ID, 1), "streams"), m.Streams)
}

// AppendJSON appends the reply as a JSON object.
func (m Unsubscribed) AppendJSON(dst []byte) []byte {
	return append(jsStrs(jsKey(jsReplyHead(dst, TypeUnsubscribed, m.ID), "streams"), m.Streams), '}')
}

// AppendMsgpack appends the reply as a msgpack map.
func (m Authed) AppendMsgpack(dst []byte) []byte {
	return mpKStr(mpReplyHead(dst, TypeAuthed, m.ID, 1), "account", m.Account)
}

// AppendJSON appends the reply as a JSON object.
func (m Authed) AppendJSON(dst []byte) []byte {
	return append(jsKStr(jsReplyHead(dst, TypeAuthed, m.ID), "account", m.Account), '}')
}

// AppendMsgpack appends the reply as a msgpack map.
func (m CanceledAll) AppendMsgpack(dst []byte) []byte {
	return mpKUint(mpReplyHead(dst, TypeCanceledAll, m.ID, 1), "count", m.Count)
}

// AppendJSON appends the reply as a JSON object.
func (m CanceledAll) AppendJSON(dst []byte) []byte {
	return append(jsKUint(jsReplyHead(dst, TypeCanceledAll, m.ID), "count", m.Count), '}')
}

// AppendMsgpack appends the reply as a msgpack map.
func (m Pong) AppendMsgpack(dst []byte) []byte {
	return mpKInt(mpReplyHead(dst, TypePong, m.ID, 1), "ts", m.Ts)
}

// AppendJSON appends the reply as a JSON object.
func (m Pong) AppendJSON(dst []byte) []byte {
	return append(jsKInt(jsReplyHead(dst, TypePong, m.ID), "ts", m.Ts), '}')
}
