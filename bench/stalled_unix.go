//go:build unix

package bench

import (
	"errors"
	"syscall"
)

// rcvBufControl returns a net.Dialer Control that sets the socket's
// SO_RCVBUF to n before it connects (so that the window the client
// announces is small from the first segment); n <= 0: the kernel's.
func rcvBufControl(n int) func(network, address string, c syscall.RawConn) error {
	if n <= 0 {
		return nil
	}
	return func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, n)
		})
		return errors.Join(err, serr)
	}
}
