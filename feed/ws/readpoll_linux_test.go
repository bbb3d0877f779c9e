//go:build linux

package ws

import (
	"testing"
	"time"
)

// TestReadPollerWakesWatchedReader: a trading session's socket is watched;
// when its client sends, a look at the poller (what a pool worker does
// between two runs of visits) wakes the session's reader, which reads the
// bytes. A session forgotten (it ended) is not looked at any more.
func TestReadPollerWakesWatchedReader(t *testing.T) {
	p := newReadPoller()
	if p == nil {
		t.Skip("no epoll")
	}
	defer p.close()
	conn, peer := tcpPair(t)
	s := &session{raw: conn, src: source{conn: conn}}
	p.watch(s)
	if s.pollID <= 0 {
		t.Fatalf("not watched: id %d", s.pollID)
	}
	p.watch(s) // once
	if n := p.n.Load(); n != 1 {
		t.Fatalf("%d sessions watched, want 1", n)
	}
	if p.poll() {
		t.Fatal("a look woke a reader whose client sent nothing")
	}
	// The client sends; a look sees it and pokes the reader. (The reader
	// starts after the look: parked already, Go's own poller could wake
	// it first when a P is idle, as here, and the bytes read are no event
	// any more. TestPokeWakesReaderWithoutTimeout has the parked reader.)
	_ = s.src.setDeadline(time.Now().Add(time.Minute))
	if _, err := peer.Write([]byte{1}); err != nil {
		t.Fatal(err)
	}
	woke := false
	for deadline := time.Now().Add(5 * time.Second); !woke && time.Now().Before(deadline); {
		woke = p.poll()
		time.Sleep(time.Millisecond)
	}
	if !woke {
		t.Fatal("the poller never saw the client's bytes")
	}
	if err := s.src.await(); err != nil {
		t.Fatalf("the poked reader failed: %v", err)
	}
	if p.poll() {
		t.Fatal("edge-triggered: the same bytes woke the reader twice")
	}
	p.forget(s)
	if s.pollID != 0 || p.n.Load() != 0 {
		t.Fatalf("after forget: id %d, %d watched", s.pollID, p.n.Load())
	}
	if _, err := peer.Write([]byte{2}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	if p.poll() {
		t.Fatal("a forgotten session was woken")
	}
}
