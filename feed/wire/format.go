package wire

// Format is an encoding of the protocol. The zero value is MsgPack, the
// server's default when a client offers no subprotocol.
type Format uint8

// The two encodings of the protocol.
const (
	// MsgPack is msgpack in binary WebSocket frames.
	MsgPack Format = iota
	// JSON is JSON in text WebSocket frames.
	JSON
)

// WebSocket subprotocol names, one per Format (protocol.md 1.2).
const (
	SubprotocolMsgPack = "tickcast.v1.msgpack"
	SubprotocolJSON    = "tickcast.v1.json"
)

// Subprotocol returns the WebSocket subprotocol name of f.
func (f Format) Subprotocol() string {
	if f == JSON {
		return SubprotocolJSON
	}
	return SubprotocolMsgPack
}

// String returns "msgpack" or "json".
func (f Format) String() string {
	switch f {
	case MsgPack:
		return "msgpack"
	case JSON:
		return "json"
	}
	return "format(invalid)"
}

// Valid reports whether f is one of the defined formats.
func (f Format) Valid() bool { return f == MsgPack || f == JSON }

// FormatOf returns the Format named by a negotiated subprotocol. An empty
// name means msgpack (the server's default when none was offered).
func FormatOf(subprotocol string) (Format, bool) {
	switch subprotocol {
	case SubprotocolMsgPack, "":
		return MsgPack, true
	case SubprotocolJSON:
		return JSON, true
	}
	return 0, false
}
