package client

import (
	"errors"
	"strconv"
)

// State is the connection state of a Client.
type State int32

// Connection states.
const (
	// StateConnected: a connection is up and its welcome was read.
	StateConnected State = iota + 1
	// StateDisconnected: the connection ended; the client is waiting to
	// reconnect or redialing.
	StateDisconnected
	// StateClosed: the client stopped for good (Close, reconnection
	// disabled or refused by policy, or attempts exhausted).
	StateClosed
)

// String returns the state's name.
func (s State) String() string {
	switch s {
	case StateConnected:
		return "connected"
	case StateDisconnected:
		return "disconnected"
	case StateClosed:
		return "closed"
	}
	return "state(" + strconv.Itoa(int(s)) + ")"
}

// CloseCodeAbnormal is reported as CloseInfo.Code when a connection ended
// without a close frame from the server (RFC 6455's 1006; never sent).
const CloseCodeAbnormal = 1006

// CloseInfo describes how a connection ended.
type CloseInfo struct {
	// Code is the close code the server sent, or CloseCodeAbnormal when
	// it sent none (network error, read timeout, server vanished).
	Code int
	// Reason is the close reason the server sent.
	Reason string
	// Remote is true when the server sent a close frame.
	Remote bool
	// Err is the local error that ended the connection, if any.
	Err error
}

// String returns e.g. "4008 slow consumer".
func (ci CloseInfo) String() string {
	s := strconv.Itoa(ci.Code)
	if ci.Reason != "" {
		s += " " + ci.Reason
	}
	if !ci.Remote && ci.Err != nil {
		s += " (" + ci.Err.Error() + ")"
	}
	return s
}

// StateEvent is passed to Config.OnState.
type StateEvent struct {
	State State
	// Close describes how the previous connection ended (disconnected and
	// closed states).
	Close CloseInfo
	// Attempt counts consecutive failed reconnect attempts.
	Attempt int
	// Err is the error of the last failed dial, if any.
	Err error
}

// closedByServer is the read error for a close frame from the server.
type closedByServer struct{ info CloseInfo }

func (e *closedByServer) Error() string { return "closed by server: " + e.info.String() }

// closeInfoOf turns the error that ended a read loop into a CloseInfo.
func closeInfoOf(err error) CloseInfo {
	var cs *closedByServer
	if errors.As(err, &cs) {
		return cs.info
	}
	return CloseInfo{Code: CloseCodeAbnormal, Err: err}
}
