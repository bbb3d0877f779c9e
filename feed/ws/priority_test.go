package ws

import (
	"net"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/internal/testkit"
	"github.com/tickcast/tickcast/market"
)

// TestAckOvertakesQueuedPublic: a trader whose writer is behind (its
// client has stopped reading and the socket is backed up, thousands of
// public trades queued) gets the ack of its order before every public
// frame that was still queued when the ack came: the ack goes in the
// session's priority lane (hub.Queue.PushOwn), which the writer takes
// before the public ring. Read from a real socket, in order. Without the
// lane the ack would come after all of them.
func TestAckOvertakesQueuedPublic(t *testing.T) {
	f := newFixture(t, true, func(c *Config) { c.SendBuffer = 16 << 10 })
	f.venue.publish = func(e *market.Event) { f.src <- []*market.Event{e} }
	c := f.dial(t, "")
	if tc, ok := c.nc.(*net.TCPConn); ok {
		_ = tc.SetReadBuffer(8 << 10)
	}
	c.send(&wire.Subscribe{ID: wire.SomeID(1), Channels: []string{"trades"}, Symbols: []string{"BTC-USD"}})
	if _, ok := c.next().(*wire.Subscribed); !ok {
		t.Fatal("not subscribed")
	}
	c.send(&wire.Auth{ID: wire.SomeID(2), Token: "good-alice"})
	if _, ok := c.next().(*wire.Authed); !ok {
		t.Fatal("not authed")
	}
	f.srv.mu.Lock()
	var sess *session
	for s := range f.srv.sessions {
		sess = s
	}
	f.srv.mu.Unlock()
	q := sess.sub.Q

	// The client reads nothing from here on: trades fill its socket, then
	// its queue.
	const trades = 6000
	seq := uint64(0)
	for range trades / 100 {
		batch := make([]*market.Event, 100)
		for i := range batch {
			seq++
			batch[i] = &market.Event{Kind: market.KindTrade, Symbol: "BTC-USD", Seq: seq, Off: seq, TS: time.Now().UnixNano(), Epoch: "fixture",
				Trade: &market.Trade{ID: seq, Px: market.MustParseDec("60000.00"), Qty: market.MustParseDec("0.0010"), Side: "buy"}}
		}
		f.src <- batch
	}
	// Once the writer is stuck on the backed-up socket, the queue stops
	// shrinking: what it holds then is the newest trades.
	last, still := -1, 0
	testkit.Eventually(t, 20*time.Second, "the writer to be stuck with trades queued", func() bool {
		time.Sleep(50 * time.Millisecond)
		if n := q.Len(); n > 0 && n == last {
			still++
		} else {
			last, still = n, 0
		}
		return still >= 3 && len(f.src) == 0
	})
	f.src <- []*market.Event{{Kind: market.KindOrder, Symbol: "BTC-USD", Seq: 1, TS: time.Now().UnixNano(), Epoch: "fixture", Account: "alice",
		Origin: market.Origin{Session: sess.sub.ID, ID: 3, HasID: true},
		Order:  &market.OrderUpdate{OID: 1, CID: "mine", Side: "buy", Type: "limit", TIF: "gtc", Px: market.MustParseDec("59000.00"), Qty: market.MustParseDec("0.0010"), Filled: market.MustParseDec("0.0000"), Status: market.StatusNew}}}
	testkit.Eventually(t, 5*time.Second, "the hub to take the ack", func() bool { return len(f.src) == 0 })
	time.Sleep(50 * time.Millisecond)
	// Trades are only taken from the queue from here on (none comes any
	// more): the queued ones now, at least n-1 of them if the ack is among
	// the n entries, were queued when the ack came.
	queued := q.Len() - 1
	if queued < 1000 {
		t.Fatalf("only %d trades queued behind the socket: the test shows nothing", queued)
	}
	firstQueued := uint64(trades - queued + 1) // the oldest trade surely queued with the ack

	if tc, ok := c.nc.(*net.TCPConn); ok {
		_ = tc.SetReadBuffer(1 << 20) // read the rest quickly
	}
	var lastSeen uint64 // the newest trade read before the ack
	for {
		switch m := c.next().(type) {
		case *wire.Trade:
			lastSeen = m.ID
			continue
		case *wire.Order:
			if m.ID != wire.SomeID(3) || m.CID != "mine" {
				t.Fatalf("order %+v", m)
			}
		default:
			t.Fatalf("unexpected %T", m)
		}
		break
	}
	if lastSeen >= firstQueued {
		t.Fatalf("the ack came after trade %d; trades %d to %d were queued before it and it should have overtaken them", lastSeen, firstQueued, trades)
	}
	// And every trade still arrives, in order, after it.
	for want := lastSeen + 1; want <= trades; want++ {
		m, ok := c.next().(*wire.Trade)
		if !ok || m.ID != want {
			t.Fatalf("after the ack: %+v, want trade %d", m, want)
		}
	}
	t.Logf("%d trades were queued when the ack came; it arrived after trade %d (the socket's and the writer's batch), before trades %d to %d", queued, lastSeen, lastSeen+1, trades)
}
