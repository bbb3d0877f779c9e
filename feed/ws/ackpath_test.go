package ws

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/internal/sockopt"
)

// tcpPair returns the two ends of a loopback TCP connection.
func tcpPair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		got <- c
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-got
	if server == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { server.Close(); client.Close() })
	return server, client
}

// pooledSession is a session on a real socket whose server has a writer
// pool with no worker running: the test decides who writes.
func pooledSession(t *testing.T, conn net.Conn) *session {
	t.Helper()
	srv := &Server{cfg: Config{Metrics: nopMetrics{}, WriteTimeout: 10 * time.Second}, pool: &writerPool{wake: make(chan struct{}, 1)}}
	srv.poolOnce.Do(func() {}) // the pool above is the server's
	s := &session{srv: srv, cfg: &srv.cfg, raw: conn, src: source{conn: conn}, format: wire.MsgPack,
		sub: &hub.Sub{Q: hub.NewQueue(hub.Limits{})}, closing: make(chan struct{}), closed: make(chan struct{})}
	s.snd = sockopt.NewSender(conn, 0)
	if !s.snd.CanTryWritev() {
		t.Skip("no non-blocking writev here: the pool is not used")
	}
	s.lookEvery = 1 << 30
	s.sub.Q.SetWaker(s.kick)
	s.sub.Q.SetUrgent(s.urgent)
	return s
}

// TestUrgentWritesSessionWaitingInPool: a session waits in the writer
// pool's line with a public message queued, and no worker gets to it. A
// reply queued then is written at once by the goroutine that queued it
// (the hub's, in the server), ahead of the public message and in the same
// write, and the session is out of the line. Before, the reply waited for
// a worker (the session was only moved up the line): with 10,000
// subscribers, 3 ms at p50 from queued to written.
func TestUrgentWritesSessionWaitingInPool(t *testing.T) {
	conn, peer := tcpPair(t)
	s := pooledSession(t, conn)
	public, reply := []byte("public-frame"), []byte("reply")
	s.sub.Q.PushOrdered(public) // wakes the writer: the session joins the pool's line
	p := s.srv.pool
	p.mu.Lock()
	waiting := s.pool.queued
	p.mu.Unlock()
	if !waiting {
		t.Fatal("the session is not waiting in the pool")
	}
	s.sub.Q.PushOwn(reply)

	want := append(append([]byte{}, reply...), public...)
	got := make([]byte, len(want))
	_ = peer.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(peer, got); err != nil {
		t.Fatalf("nothing written without a worker: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("wrote %q, want the reply first: %q", got, want)
	}
	if left := takeAll(t, p); len(left) != 0 {
		t.Fatalf("%d sessions still in line, want none", len(left))
	}
	if s.writing.Load() {
		t.Fatal("the writing flag is still held with nothing to write")
	}
}

// TestPoolWritesPastHandshakeDeadline: the handshake's answer is written
// under a deadline (WriteTimeout), which lapses 10 s later. The pool's
// non-blocking writes and the urgent ones still go through: Go refuses
// any write on a connection past its deadline, so each of them failed,
// and every session went to a writer goroutine of its own once per write
// timeout (with 10,000 subscribers ~1,000 a second, and most of the
// fan-out's garbage: the goroutines, their buffers, an OpError each).
func TestPoolWritesPastHandshakeDeadline(t *testing.T) {
	conn, peer := tcpPair(t)
	s := pooledSession(t, conn)
	_ = conn.SetWriteDeadline(time.Now().Add(-time.Second)) // the handshake's, lapsed
	public, reply := []byte("public-frame"), []byte("reply")
	s.sub.Q.PushOrdered(public)
	if err := s.flushTry(&poolWriter{}); err != nil {
		t.Fatalf("the pool's write past the handshake's deadline: %v", err)
	}
	_ = conn.SetWriteDeadline(time.Now().Add(-time.Second))
	s.deadline = time.Time{}
	s.writing.Store(false)
	s.sub.Q.PushOwn(reply) // urgent: written by this goroutine, at once
	want := append(append([]byte{}, public...), reply...)
	got := make([]byte, len(want))
	_ = peer.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(peer, got); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("read %q (%v), want %q", got, err, want)
	}
	if len(s.pend) > 0 {
		t.Fatal("left to a writer goroutine")
	}
}

// TestPokeWakesReaderWithoutTimeout: a reader waiting for its client under
// a far deadline is woken by a poke (the read poller saw bytes) and reads
// on; the poke is no timeout. Its own deadline still ends the read, and a
// shorter one set meanwhile by another goroutine (the writer closing the
// session) is kept.
func TestPokeWakesReaderWithoutTimeout(t *testing.T) {
	conn, peer := tcpPair(t)
	src := &source{conn: conn}
	_ = src.setDeadline(time.Now().Add(time.Minute))
	read := make(chan error, 1)
	go func() {
		read <- src.await()
	}()
	time.Sleep(20 * time.Millisecond) // parked in the network poller
	src.poke()
	time.Sleep(20 * time.Millisecond) // woken, and waiting again
	if _, err := peer.Write([]byte{0x82}); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-read:
		if err != nil {
			t.Fatalf("await after a poke: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the reader never read the client's byte")
	}
	var b [1]byte
	if n, _ := src.Read(b[:]); n != 1 || b[0] != 0x82 {
		t.Fatalf("read %d bytes %x, want the client's 0x82", n, b[0])
	}

	// The reader's own deadline, passed during a poke: a timeout.
	_ = src.setDeadline(time.Now().Add(30 * time.Millisecond))
	src.poke()
	if _, err := src.Read(b[:]); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read past its deadline: %v, want a timeout", err)
	}

	// A poke, then a shorter deadline from another goroutine: the read
	// ends at that deadline, not at the reader's minute.
	_ = src.setDeadline(time.Now().Add(time.Minute))
	go func() {
		time.Sleep(20 * time.Millisecond)
		src.poke()
		_ = src.setDeadline(time.Now().Add(50 * time.Millisecond))
	}()
	start := time.Now()
	_, err := src.Read(b[:])
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read: %v, want a timeout at the shorter deadline", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("the read lasted %v: the shorter deadline was lost", d)
	}
}
