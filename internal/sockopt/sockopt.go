// Package sockopt holds the socket controls the transports use to keep a
// client that stops reading from pinning kernel memory and from blocking
// its writer: a bounded send buffer, and the amount still waiting in it.
package sockopt

import (
	"errors"
	"net"
	"syscall"
)

var errNoSocket = errors.New("sockopt: not a socket")

// Sender is a connection whose send buffer can be bounded and watched.
type Sender struct {
	raw  syscall.RawConn
	size int

	// The vectored write in progress (tryWritev), kept here so that the
	// callback handed to RawConn.Write is made once, not per write.
	wbufs [][]byte
	wn    int
	werr  error
	wfn   func(fd uintptr) bool
	// Writev's, likewise: the bytes written so far and its callback.
	wall  int64
	allFn func(fd uintptr) bool
	look  look // the send buffer's usage, likewise (usage)
}

// NewSender sets c's send buffer (SO_SNDBUF) to size bytes when size > 0,
// which also turns off the kernel's autotuning of it, and returns a Sender
// for c; nil when c is not a socket.
func NewSender(c net.Conn, size int) *Sender {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	if size > 0 {
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetWriteBuffer(size)
		}
	}
	return newSender(raw, size)
}

// Backed reports whether more than half of the send buffer is taken by
// data written and not yet acknowledged by the peer: the client is not
// keeping up, and a writer that stops here keeps room for a close frame.
// Without a bounded buffer, or where the kernel cannot tell, it reports
// false. Not safe for concurrent use, as Usage.
func (s *Sender) Backed() bool {
	if s == nil || s.size <= 0 {
		return false
	}
	used, size, ok := s.usage()
	return ok && used > size/2
}

// Usage returns how much of the send buffer is taken by data written and
// not yet acknowledged, with the kernel's overhead, and the buffer's size
// as the kernel counts it (twice what SO_SNDBUF was set to); ok false where
// the kernel cannot tell. Like TryWritev, it is for the connection's one
// writer at a time: not safe for concurrent use.
func (s *Sender) Usage() (used, size int, ok bool) {
	if s == nil {
		return 0, 0, false
	}
	return s.usage()
}

// Look asks the kernel how much of the send buffer is taken (Usage) and
// reports whether more than a quarter is (hot: a writer then looks before
// every write) and more than half (backed: the client is not keeping up,
// and what is left keeps room for a close frame); ok false where the
// kernel cannot tell. Not safe for concurrent use, as Usage.
func (s *Sender) Look() (hot, backed, ok bool) {
	used, size, ok := s.Usage()
	return used > size/4, used > size/2, ok
}

// CanTryWritev reports whether TryWritev writes on this system (Linux):
// elsewhere it writes nothing, and a writer must wait on the socket.
func (s *Sender) CanTryWritev() bool { return s != nil && canTryWritev }

// TryWritev writes bufs with at most one writev that does not wait: it
// returns how much the socket took at once (all of it, part, or nothing
// when its buffer is full), and an error only if the connection is broken.
func (s *Sender) TryWritev(bufs [][]byte) (int, error) {
	if s == nil {
		return 0, errNoSocket
	}
	return s.tryWritev(bufs)
}

// Writev writes all of bufs, waiting for room under the connection's
// write deadline as net.Buffers.WriteTo does, and returns the bytes
// written and the error that stopped it (a timeout is a net.Error whose
// Timeout is true). It consumes bufs as WriteTo does: their elements are
// resliced as they are written. Unlike WriteTo, whose poller keeps an
// iovec array per connection for the connection's life, as long as the
// longest batch it was ever given (with 10,000 subscribers the sessions
// that once fell behind kept 5–13 MB of them, growing for as long as new
// ones fell behind), it borrows its array for the write, as TryWritev.
// Only where CanTryWritev: elsewhere it writes nothing and fails.
func (s *Sender) Writev(bufs [][]byte) (int64, error) {
	if !s.CanTryWritev() {
		return 0, errNoWritev
	}
	return s.writevAll(bufs)
}

var errNoWritev = errors.New("sockopt: no writev on this system")

// Consumed returns what is left of bufs after n bytes of them were
// written, the empty buffers at its front dropped: the slice itself, past
// the buffers written, its first resliced past the part written.
func Consumed(bufs [][]byte, n int) [][]byte {
	for len(bufs) > 0 && n >= len(bufs[0]) {
		n -= len(bufs[0])
		bufs = bufs[1:]
	}
	if len(bufs) > 0 && n > 0 {
		bufs[0] = bufs[0][n:]
	}
	return bufs
}
