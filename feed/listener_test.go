package feed

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"syscall"
	"testing"
	"time"
)

// TestGuardedListenerPerIP: past MaxPendingPerIP unfinished connections
// from one address, a new one is closed at once; a released one (hijacked
// or closed) makes room again.
func TestGuardedListenerPerIP(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := newGuardedListener(inner, 3, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer g.Close()
	accepted := make(chan net.Conn, 10)
	go func() {
		for {
			c, err := g.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
	}()
	dial := func() net.Conn {
		c, err := net.Dial("tcp", g.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	var server []net.Conn
	for range 3 {
		dial()
		server = append(server, <-accepted)
	}
	over := dial()
	_ = over.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := over.Read(make([]byte, 1)); err != io.EOF && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("the 4th connection from one address: read %v, want it closed", err)
	}
	if g.refusedIP.Load() != 1 || g.Pending() != 3 {
		t.Fatalf("refused %d pending %d", g.refusedIP.Load(), g.Pending())
	}
	g.release(server[0]) // handed to a transport
	dial()
	select {
	case <-accepted:
	case <-time.After(5 * time.Second):
		t.Fatal("no room after a release")
	}
}

// fdListener fails Accept with EMFILE a number of times.
type fdListener struct {
	net.Listener
	fails int
}

func (l *fdListener) Accept() (net.Conn, error) {
	if l.fails > 0 {
		l.fails--
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: syscall.EMFILE}
	}
	return l.Listener.Accept()
}

// TestGuardedListenerBacksOff: EMFILE from accept is waited out, not
// returned; Close interrupts the wait.
func TestGuardedListenerBacksOff(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := newGuardedListener(&fdListener{Listener: inner, fails: 4}, 10, slog.New(slog.NewTextHandler(io.Discard, nil)))
	go func() {
		c, err := net.Dial("tcp", inner.Addr().String())
		if err == nil {
			defer c.Close()
			time.Sleep(time.Second)
		}
	}()
	c, err := g.Accept()
	if err != nil {
		t.Fatalf("Accept after EMFILE: %v", err)
	}
	_ = c.Close()
	if g.fdErrors.Load() != 4 {
		t.Fatalf("%d EMFILE counted, want 4", g.fdErrors.Load())
	}
	g2 := newGuardedListener(&fdListener{Listener: inner, fails: 1 << 30}, 10, slog.New(slog.NewTextHandler(io.Discard, nil)))
	g2.backoffMax = time.Hour
	done := make(chan error, 1)
	go func() { _, err := g2.Accept(); done <- err }()
	time.Sleep(20 * time.Millisecond)
	_ = g2.Close()
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("Accept after Close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not interrupt the backoff")
	}
}
