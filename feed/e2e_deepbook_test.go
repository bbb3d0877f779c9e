//go:build !race

// Heavy tests: too slow under the race detector (it makes the venue about
// thirty times slower), so `make test` runs them in a second pass without
// it (go test -run '^TestHeavy').

package feed_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/internal/testkit"
	"github.com/tickcast/tickcast/market"
	"github.com/tickcast/tickcast/orders"
)

// ladderBuilder is an actor that rests 1-lot bids at distinct ticks on one
// instrument, `per` of them each wake, from one tick below the reference
// away from the touch down to `levels` ticks below: the book of the attack
// that stalled the hub (210 accounts, 258,488 levels), built in a few
// dozen venue batches.
type ladderBuilder struct {
	inst, levels, per int
	agent             orders.Owner
	placed            atomic.Int64
	failed            atomic.Int64
}

func (l *ladderBuilder) Start(x *market.Exchange) int64 {
	var err error
	if l.agent, err = x.NewAgent("deep", map[string]string{"USD": "1000000000000"}); err != nil {
		panic(err)
	}
	return x.Now()
}

func (l *ladderBuilder) Wake(x *market.Exchange, now int64) int64 {
	lo, _ := x.Band(l.inst)
	top := lo + int64(l.levels) // from here down to the band's bottom: each new level deeper than the last
	for range l.per {
		n := l.placed.Load()
		if n >= int64(l.levels) {
			return now + int64(time.Hour)
		}
		if _, why := x.Place(l.agent, l.inst, market.Order{Side: orders.Buy, Type: orders.Limit, Px: top - n, Qty: 1}); why != "" {
			l.failed.Add(1)
		}
		l.placed.Add(1)
	}
	return now + 1
}

// TestHeavyDeepBook: a book of 250,000 levels does not stall the feed. The
// hub keeps up with its deltas, a new subscriber gets its snapshot (the
// best 1,000 levels a side, checksum verified by the client) within a
// second, REST answers with the best 100, and a trader's order is
// acknowledged within a second.
func TestHeavyDeepBook(t *testing.T) {
	const levels = 250_000
	b := &ladderBuilder{inst: 0, levels: levels, per: 5000}
	ts := startServer(t, withoutSim(), withMarket(func(c *market.Config) { c.Actors = []market.Actor{b} }))
	t00 := time.Now()
	testkit.Eventually(t, 90*time.Second, "the deep book to be built", func() bool { return b.placed.Load() >= levels })
	built := time.Since(t00)
	testkit.Eventually(t, 90*time.Second, "the deep book to be relayed", func() bool {
		bids, _, err := ts.Hub.BookLevels(ctxT(t), "BTC-USD")
		return err == nil && bids >= levels
	})
	t.Logf("built in %v, relayed after %v", built, time.Since(t00))
	if n := b.failed.Load(); n != 0 {
		t.Fatalf("%d of the builder's orders were refused", n)
	}
	ctx := ctxT(t)
	c := ts.dial(nil)
	t0 := time.Now()
	if _, err := c.Subscribe(ctx, []string{"book"}, []string{"BTC-USD"}); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, 5*time.Second, "the snapshot", func() bool { return c.Book("BTC-USD").Ready() })
	took := time.Since(t0)
	if took > time.Second {
		t.Errorf("snapshot of a %d-level book took %v", levels, took)
	}
	if n := len(c.Book("BTC-USD").Bids(0)); n != 1000 {
		t.Errorf("snapshot holds %d bid levels, want the best 1,000", n)
	}
	if st := c.Stats(); st.ChecksumErrors != 0 {
		t.Errorf("%d checksum errors", st.ChecksumErrors)
	}
	if snap := ts.restBook("BTC-USD"); len(snap.Bids) != 100 {
		t.Errorf("REST book holds %d bid levels, want the default 100", len(snap.Bids))
	}
	tr := ts.trader(t, wire.JSON)
	t1 := time.Now()
	tr.placeNew(lim("deep-1", "ETH-USD", "buy", "0.010", "2990.00"))
	if d := time.Since(t1); d > time.Second {
		t.Errorf("an order's ack took %v beside the deep book", d)
	}
	t.Logf("%d levels; snapshot to a new subscriber in %v", levels, took.Round(time.Microsecond))
}
