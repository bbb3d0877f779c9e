//go:build !unix

package eventstream

import "syscall"

// setRcvBuf is a no-op where SO_RCVBUF is not set this way.
func setRcvBuf(int) func(network, address string, c syscall.RawConn) error { return nil }
