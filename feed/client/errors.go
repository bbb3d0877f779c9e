package client

import (
	"errors"

	"github.com/tickcast/tickcast/feed/wire"
)

// Errors returned by the client.
var (
	// ErrClosed: the client was closed (or gave up reconnecting).
	ErrClosed = errors.New("client: closed")
	// ErrNotConnected: the client is between connections; the request
	// was not sent.
	ErrNotConnected = errors.New("client: not connected")
	// ErrDisconnected: the connection dropped before the reply arrived;
	// the operation may or may not have been performed.
	ErrDisconnected = errors.New("client: disconnected before the reply")
	// ErrHandshake: the server answered the handshake with something
	// other than a welcome, or with a subprotocol that was not offered.
	ErrHandshake = errors.New("client: handshake failed")
	// ErrTooLarge: an operation is larger than the server's max_msg.
	ErrTooLarge = errors.New("client: message too large")
	// ErrConfig: the Config is invalid.
	ErrConfig = errors.New("client: invalid config")
)

// ServerError is an error reply from the server (protocol.md 9.1): Code is the
// protocol error code, e.g. "unknown_order"; Reason, when the server sends
// one, is the order reject reason behind a refused amend.
type ServerError struct {
	Code   string
	Msg    string
	Reason string
}

// Error returns "tickcast: <code>: <msg>".
func (e *ServerError) Error() string { return "tickcast: " + e.Code + ": " + e.Msg }

// serverError converts a decoded error reply.
func serverError(m *wire.Error) *ServerError {
	return &ServerError{Code: m.Code, Msg: m.Msg, Reason: m.Reason}
}
