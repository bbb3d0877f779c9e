// Package testkit holds the helpers the tests of several packages share:
// polling for a condition, a listener that shrinks send buffers, a
// bounded WebSocket frame reader, an nginx of a test's own, and the like.
// Only tests import it.
package testkit

import (
	"context"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/gobwas/ws"
)

// Eventually polls cond every few milliseconds until it holds, and fails
// the test naming what it waited for once timeout has passed.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// Context returns a context that ends after d or with the test.
func Context(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// SendBufferListener sets SO_SNDBUF on each accepted connection and returns
// the *net.TCPConn itself (a wrapper would hide writev from the server's
// writers). With a small buffer, a client that stops reading blocks the
// server's writes after a few KiB.
type SendBufferListener struct {
	net.Listener
	Size int
}

// Accept accepts a connection and sets its send buffer.
func (l SendBufferListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(l.Size)
	}
	return c, err
}

// MaxFrame bounds the frames ReadFrame accepts: a full book snapshot fits
// many times over.
const MaxFrame = 16 << 20

// ReadFrame reads one WebSocket frame whole, refusing a declared length
// over MaxFrame before reading it, and unmasks a masked payload.
func ReadFrame(r io.Reader) (ws.Frame, error) {
	h, err := ws.ReadHeader(r)
	if err != nil {
		return ws.Frame{}, err
	}
	if h.Length > MaxFrame {
		return ws.Frame{}, fmt.Errorf("frame of %d bytes", h.Length)
	}
	p := make([]byte, h.Length)
	if _, err := io.ReadFull(r, p); err != nil {
		return ws.Frame{}, err
	}
	if h.Masked {
		ws.Cipher(p, h.Mask, 0)
	}
	return ws.Frame{Header: h, Payload: p}, nil
}
