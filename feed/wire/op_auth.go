package wire

// Auth authenticates the connection with an account token. With
// CancelOnDisconnect the account's open orders are canceled when its last
// connection that asked for it closes.
type Auth struct {
	ID                 ID
	Token              string
	CancelOnDisconnect bool
}

// Ping asks for a pong; it also counts as activity for the heartbeat.
type Ping struct {
	ID ID
}

// OpName returns "auth".
func (Auth) OpName() string { return OpAuth }

// OpID returns the operation id.
func (o Auth) OpID() ID { return o.ID }

// OpName returns "ping".
func (Ping) OpName() string { return OpPing }

// OpID returns the operation id.
func (o Ping) OpID() ID { return o.ID }

func (o *Auth) setID(id ID) { o.ID = id }
func (o *Ping) setID(id ID) { o.ID = id }

// AppendMsgpack appends the operation as a msgpack map; a false
// CancelOnDisconnect is omitted.
func (o Auth) AppendMsgpack(dst []byte) []byte {
	dst = mpOpHead(dst, OpAuth, o.ID, 1+b2i(o.CancelOnDisconnect))
	dst = mpKStr(dst, "token", o.Token)
	if o.CancelOnDisconnect {
		dst = mpKBool(dst, "cancel_on_disconnect", true)
	}
	return dst
}

// AppendJSON appends the operation as a JSON object.
func (o Auth) AppendJSON(dst []byte) []byte {
	dst = jsOpHead(dst, OpAuth, o.ID)
	dst = jsKStr(dst, "token", o.Token)
	if o.CancelOnDisconnect {
		dst = jsKBool(dst, "cancel_on_disconnect", true)
	}
	return append(dst, '}')
}

// AppendMsgpack appends the operation as a msgpack map.
func (o Ping) AppendMsgpack(dst []byte) []byte {
	return mpOpHead(dst, OpPing, o.ID, 0)
}

// AppendJSON appends the operation as a JSON object.
func (o Ping) AppendJSON(dst []byte) []byte {
	return append(jsOpHead(dst, OpPing, o.ID), '}')
}

func (o *Auth) decodeField(r reader, k []byte) error {
	switch string(k) {
	case "token":
		return readStr(r, MaxTokenLen, &o.Token)
	case "cancel_on_disconnect":
		return readBool(r, &o.CancelOnDisconnect)
	}
	return r.skip()
}

func (o *Ping) decodeField(r reader, k []byte) error { return r.skip() }

func (o *Auth) validate() *OpError {
	if o.Token == "" {
		return badRequest("missing token")
	}
	return nil
}

func (o *Ping) validate() *OpError { return nil }
