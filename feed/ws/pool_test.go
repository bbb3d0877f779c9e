package ws

import (
	"testing"

	"github.com/tickcast/tickcast/feed/hub"
)

func poolSession() *session {
	return &session{sub: &hub.Sub{Q: hub.NewQueue(hub.Limits{})}}
}

// takeAll drains the pool's lanes (no worker runs: the test is the worker).
func takeAll(t *testing.T, p *writerPool) []*session {
	t.Helper()
	var out []*session
	for {
		if liveEntries(p) == 0 {
			return out
		}
		batch, ok := p.take(nil, poolYield)
		if !ok {
			t.Fatal("the pool stopped")
		}
		out = append(out, batch...)
	}
}

// TestPoolClaimTakesSessionOutOfLine: sessions wait their turn in the
// pool's lo lane, oldest first. One claimed meanwhile (what urgent does
// when a reply is queued for a session waiting there: the goroutine that
// queued it writes it) is out of line: the workers skip its entry, the
// others keep their order, and a second claim finds it not waiting.
func TestPoolClaimTakesSessionOutOfLine(t *testing.T) {
	p := &writerPool{wake: make(chan struct{}, 1)}
	var all []*session
	for range 100 {
		s := poolSession()
		all = append(all, s)
		p.add(s)
	}
	trader := all[90]
	if !p.claim(trader) {
		t.Fatal("a waiting session was not claimed")
	}
	if p.claim(trader) {
		t.Fatal("a session claimed twice: two writers")
	}
	got := takeAll(t, p)
	want := append(append([]*session{}, all[:90]...), all[91:]...)
	if len(got) != len(want) {
		t.Fatalf("took %d sessions, want %d (the claimed one skipped)", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("place %d: the lo lane is out of order", i)
		}
	}
	// Given back, it waits again, once.
	p.add(trader)
	if got := takeAll(t, p); len(got) != 1 || got[0] != trader {
		t.Fatalf("after add: took %d sessions, want the trader alone", len(got))
	}
	// A session not waiting (a worker has it, or it is idle) is not claimed.
	if p.claim(trader) {
		t.Fatal("claimed a session that was not waiting")
	}
}

// TestPoolAddWithReplyQueuedGoesHi: a session handed to the pool with a
// message in its priority lane (a writer giving it back, a reply queued
// while it was visited) goes to the hi lane.
func TestPoolAddWithReplyQueuedGoesHi(t *testing.T) {
	p := &writerPool{wake: make(chan struct{}, 1)}
	a, b := poolSession(), poolSession()
	p.add(a)
	b.sub.Q.PushOwn([]byte("ack"))
	p.add(b)
	if got := takeAll(t, p); len(got) != 2 || got[0] != b || got[1] != a {
		t.Fatalf("order %v, want the session with the reply first", got)
	}
}

// liveEntries counts the sessions waiting in the pool's lanes (stale
// entries, of sessions taken or claimed, aside).
func liveEntries(p *writerPool) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, l := range []*lane{&p.hi, &p.lo} {
		for _, e := range l.q[l.head:] {
			if st := &e.s.pool; st.queued && st.seq == e.seq {
				n++
			}
		}
	}
	return n
}
