package ws

import (
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/bus"
	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/feed/wire"
)

// allocSession returns a session of a server with a writer pool, on a
// connection that passes for a socket (its vectored writes go to
// /dev/null), registered with no hub loop: the test is its only writer.
func allocSession(t *testing.T) *session {
	t.Helper()
	h := hub.New(hub.Config{Symbols: []string{"BTC-USD"}, Epoch: "alloc"}, bus.NewMemory())
	srv, err := NewServer(Config{Hub: h, Venue: nopVenue{}, Heartbeat: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.stopPool)
	s := newSession(srv, newDiscardConn(), nil, wire.MsgPack, "127.0.0.1")
	if !s.snd.CanTryWritev() || srv.writers() == nil {
		t.Skip("no non-blocking vectored writes here: no pool")
	}
	return s
}

// TestPoolVisitAllocatesNothing: a pool worker's visit to a session that
// keeps up (pop, frame, look at the send buffer, one writev) runs for
// every session on every broadcast, so in steady state it allocates
// nothing. (The look's callback allocated three times, every lookEvery
// bytes sent to each session: 150 allocations per broadcast to 10,000.)
func TestPoolVisitAllocatesNothing(t *testing.T) {
	s := allocSession(t)
	f := &hub.Frame{Bin: make([]byte, 100), Text: make([]byte, 150)}
	var w poolWriter
	visit := func() {
		s.writing.Store(true)     // the pool holds the writing, as after a kick
		s.unchecked = s.lookEvery // and this visit looks at the send buffer
		s.sub.Q.PushQuiet(f)
		if s.visit(&w) {
			panic("more to write after one frame")
		}
	}
	visit() // the queue's ring and the worker's scratch space grow once
	if n := testing.AllocsPerRun(100, visit); n != 0 {
		t.Fatalf("a visit allocates %v times, want 0", n)
	}
	if s.writing.Load() {
		t.Fatal("the visit kept the writing flag of an empty queue")
	}
}

// TestUrgentWriteAllocatesNothing: a message pushed to the priority lane
// of an idle session (an ack, a heartbeat ping of every session) is
// written at once by the pusher, which allocates nothing for it. (Its
// batch was made per write, and escaped.)
func TestUrgentWriteAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's sync.Pool drops items at random")
	}
	s := allocSession(t)
	push := func() {
		if !s.sub.Q.PushOwn(pingFrame) || s.writing.Load() {
			panic("the urgent write did not complete")
		}
	}
	push()
	if n := testing.AllocsPerRun(100, push); n != 0 {
		t.Fatalf("an urgent write allocates %v times, want 0", n)
	}
}

// TestPoolLanesAllocateNothing: the pool's lanes keep their room from one
// broadcast to the next, so queueing and taking the sessions a broadcast
// woke allocates nothing once they have grown.
func TestPoolLanesAllocateNothing(t *testing.T) {
	p := &writerPool{wake: make(chan struct{}, 1)}
	sessions := make([]*session, 100)
	for i := range sessions {
		sessions[i] = poolSession()
	}
	batch := make([]*session, 0, poolYield)
	sweep := func() {
		for _, s := range sessions {
			p.add(s)
		}
		for taken := 0; taken < len(sessions); {
			var ok bool
			batch, ok = p.take(batch[:0], poolYield)
			if !ok {
				panic("the pool stopped")
			}
			taken += len(batch)
		}
	}
	sweep()
	if n := testing.AllocsPerRun(20, sweep); n != 0 {
		t.Fatalf("a sweep of %d sessions allocates %v times, want 0", len(sessions), n)
	}
}
