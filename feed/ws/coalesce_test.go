package ws

import (
	"sync"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/internal/testkit"
	"github.com/tickcast/tickcast/market"
)

// writeLog records the messages of each write the sessions make.
type writeLog struct {
	fakeMetrics
	mu     sync.Mutex
	writes []int
}

func (m *writeLog) Sent(_ string, msgs, _ int) {
	m.mu.Lock()
	m.writes = append(m.writes, msgs)
	m.mu.Unlock()
}

func (m *writeLog) since(n int) []int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]int(nil), m.writes[n:]...)
}

// TestBehindWriterCoalescesBatches: venue batches that pile up while a
// session's writer is behind (here: still busy, as far as the queue can
// tell) go out together, in one vectored write, when it gets to them, not
// a write per batch (issue 14.3). The writer pops everything queued, up
// to maxBatch messages, into one writev of at most sendBuffer/8 bytes.
func TestBehindWriterCoalescesBatches(t *testing.T) {
	log := &writeLog{}
	f := newFixture(t, true, func(c *Config) { c.Metrics = log })
	c := f.dial(t, "")
	c.send(&wire.Subscribe{ID: wire.SomeID(1), Channels: []string{"trades"}, Symbols: []string{"BTC-USD"}})
	if _, ok := c.next().(*wire.Subscribed); !ok {
		t.Fatal("not subscribed")
	}
	f.srv.mu.Lock()
	var sess *session
	for s := range f.srv.sessions {
		sess = s
	}
	f.srv.mu.Unlock()
	// Take the writer's place once the one that sent the reply has gone
	// idle: pushes then see a writer running and start none.
	testkit.Eventually(t, 5*time.Second, "the writer to go idle", func() bool { return sess.writing.CompareAndSwap(false, true) })
	writes := len(log.since(0))
	const batches, per = 10, 5
	seq := uint64(0)
	for range batches {
		batch := make([]*market.Event, per)
		for i := range batch {
			seq++
			batch[i] = &market.Event{Kind: market.KindTrade, Symbol: "BTC-USD", Seq: seq, Off: seq, TS: time.Now().UnixNano(), Epoch: "fixture",
				Trade: &market.Trade{ID: seq, Px: market.MustParseDec("60000.00"), Qty: market.MustParseDec("0.0010"), Side: "buy"}}
		}
		f.src <- batch
	}
	testkit.Eventually(t, 5*time.Second, "every batch to be queued", func() bool { return sess.sub.Q.Len() == batches*per })
	sess.writing.Store(false)
	sess.kick()
	for want := uint64(1); want <= seq; want++ {
		if m, ok := c.next().(*wire.Trade); !ok || m.ID != want {
			t.Fatalf("got %+v, want trade %d", m, want)
		}
	}
	// The writer counts a write once it returned: the client may have read
	// it before.
	testkit.Eventually(t, 5*time.Second, "the write to be counted", func() bool { return len(log.since(writes)) > 0 })
	time.Sleep(20 * time.Millisecond)
	if got := log.since(writes); len(got) != 1 || got[0] != batches*per {
		t.Fatalf("writes after the writer got to the queue: %v messages each, want one write of %d", got, batches*per)
	}
}
