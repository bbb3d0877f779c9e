package market

import (
	"fmt"
	"runtime"
	"testing"
)

type discard struct{ n int }

func (d *discard) Publish(batch []*Event) { d.n += len(batch) }

// BenchmarkVenueOrder measures one user order end to end inside the venue:
// queueing, parsing its decimal strings, validation, reservation, matching
// against a resting order of another user, settlement, and building every
// event (trade, fills, order updates, balances, book delta with checksum,
// quote, ticker, candles). The resting liquidity is refilled with the timer
// stopped.
func BenchmarkVenueOrder(b *testing.B) {
	benchVenueOrder(b, OrderRequest{Symbol: "BTC-USD", Side: "buy", Type: "limit", TIF: "ioc", Qty: "0.0010", Px: "60000.00"}, true)
}

// BenchmarkVenueOrderRest measures a user order that rests without
// trading (the commonest case), canceled in bulk with the timer stopped.
func BenchmarkVenueOrderRest(b *testing.B) {
	benchVenueOrder(b, OrderRequest{Symbol: "BTC-USD", Side: "buy", Type: "limit", Qty: "0.0010", Px: "59990.00"}, false)
}

func benchVenueOrder(b *testing.B, r OrderRequest, refill bool) {
	pub := &discard{}
	const batch = 1000
	// MaxOpenOrders above the batch: at the default (200) the maker's refill
	// stopped at 200 resting orders and 800 of every 1000 taker orders
	// found nothing to trade with (they expired unmatched).
	tv := newTestVenue(b, func(c *Config) {
		c.Publisher = pub
		c.RateLimit, c.RateBurst = 1e12, 1<<30
		c.MaxOpenOrders = 2 * batch
	})
	maker, taker := tv.account(), tv.account()
	mk := tv.accounts[maker]
	mk.bal[tv.assetI["BTC"]].total = 1 << 50 // enough to sell for ever
	tk := tv.accounts[taker]
	tk.bal[tv.assetI["USD"]].total = 1 << 60
	fill := func() {
		if refill {
			for i := range batch {
				_ = tv.PlaceOrder(Origin{}, maker, OrderRequest{CID: fmt.Sprint("m", i), Symbol: "BTC-USD", Side: "sell", Type: "limit", Qty: "0.0010", Px: "60000.00"})
				tv.do()
			}
		} else {
			_ = tv.CancelAll(Origin{}, taker, "")
			tv.do()
		}
	}
	cids := make([]string, batch)
	for i := range cids {
		cids[i] = fmt.Sprint("t", i)
	}
	fill()
	pub.n = 0
	refillEvents := 0 // events of the refills, not of the orders measured
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if i%batch == 0 && i > 0 {
			b.StopTimer()
			n := pub.n
			fill()
			refillEvents += pub.n - n
			// The refill's garbage is collected here, not charged to the
			// orders measured.
			runtime.GC()
			b.StartTimer()
		}
		r.CID = cids[i%batch]
		_ = tv.PlaceOrder(Origin{Session: 1, ID: int64(i), HasID: true}, taker, r)
		tv.apply(<-tv.in)
	}
	b.StopTimer()
	b.ReportMetric(float64(pub.n-refillEvents)/float64(b.N), "events/op")
}

// TestVenueOrderAllocs: a user order that trades with another user's
// resting order (14 events) allocates at most 10 times in steady state
// (issue 14.2): the order itself, the events kept apart from slabs (book
// delta, fills, the orders' final states) and the slabs' amortized share.
func TestVenueOrderAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	pub := &discard{}
	tv := newTestVenue(t, func(c *Config) { c.Publisher = pub; c.RateLimit, c.RateBurst = 1e12, 1<<30; c.MaxOpenOrders = 1000 })
	maker, taker := tv.account(), tv.account()
	tv.accounts[maker].bal[tv.assetI["BTC"]].total = 1 << 50
	tv.accounts[taker].bal[tv.assetI["USD"]].total = 1 << 60
	for range 600 {
		_ = tv.PlaceOrder(Origin{}, maker, OrderRequest{Symbol: "BTC-USD", Side: "sell", Type: "limit", Qty: "0.0010", Px: "60000.00"})
		tv.do()
	}
	r := OrderRequest{Symbol: "BTC-USD", Side: "buy", Type: "limit", TIF: "ioc", Qty: "0.0010", Px: "60000.00"}
	before := pub.n
	allocs := testing.AllocsPerRun(500, func() {
		_ = tv.PlaceOrder(Origin{Session: 1}, taker, r)
		tv.do()
	})
	if events := float64(pub.n-before) / 501; events < 13 {
		t.Fatalf("%.1f events per order: the orders did not trade", events)
	}
	if allocs > 10 {
		t.Fatalf("%.1f allocations per matched order, want at most 10", allocs)
	}
}
