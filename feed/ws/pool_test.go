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
		p.mu.Lock()
		empty := p.hi.head == len(p.hi.q) && p.lo.head == len(p.lo.q)
		p.mu.Unlock()
		if empty {
			return out
		}
		batch, ok := p.take(nil, poolYield)
		if !ok {
			t.Fatal("the pool stopped")
		}
		out = append(out, batch...)
	}
}

// TestPoolPromotedSessionGoesFirst: sessions wait their turn in the pool's
// lo lane, oldest first; one whose reply was queued meanwhile (promote,
// what urgent does when the pool holds the session's writing) is served
// before all of them, once: its lo entry is stale and skipped.
func TestPoolPromotedSessionGoesFirst(t *testing.T) {
	p := &writerPool{wake: make(chan struct{}, 1)}
	var all []*session
	for range 100 {
		s := poolSession()
		all = append(all, s)
		p.add(s)
	}
	trader := all[90]
	p.promote(trader)
	p.promote(trader) // already in hi: no second entry
	got := takeAll(t, p)
	if len(got) != len(all) {
		t.Fatalf("took %d sessions, want %d (each once)", len(got), len(all))
	}
	if got[0] != trader {
		t.Fatalf("the promoted session came at place %d, want first", indexOf(got, trader))
	}
	rest := got[1:]
	want := append(append([]*session{}, all[:90]...), all[91:]...)
	for i := range want {
		if rest[i] != want[i] {
			t.Fatalf("place %d: the lo lane is out of order", i+1)
		}
	}
	// A session not waiting (being written for, or idle) is not promoted:
	// its writer takes the priority lane next anyway.
	p.promote(trader)
	if got := takeAll(t, p); len(got) != 0 {
		t.Fatalf("promote queued a session that was not waiting: %d taken", len(got))
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

func indexOf(list []*session, s *session) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}
