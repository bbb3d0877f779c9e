package sim

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/tickcast/tickcast/market"
	"github.com/tickcast/tickcast/orders"
)

// withUser is an Actor that runs a Market and, beside it, a user: an
// account that is not one of the simulator's agents, acting at given
// times. Its orders reach the books exactly as a WebSocket user's would
// after parsing.
type withUser struct {
	m      *Market
	next   int64
	user   orders.Owner
	acts   []userAct
	sample func(x *market.Exchange, now int64) // after every wake, if set
}

type userAct struct {
	at int64
	do func(x *market.Exchange, user orders.Owner)
}

func (w *withUser) Start(x *market.Exchange) int64 {
	w.next = w.m.Start(x)
	var err error
	if w.user, err = x.NewAgent("user", map[string]string{"USD": "100000000", "BTC": "1000", "EUR": "100000000"}); err != nil {
		panic(err)
	}
	return w.wake()
}

func (w *withUser) wake() int64 {
	n := w.next
	if len(w.acts) > 0 {
		n = min(n, w.acts[0].at)
	}
	return n
}

func (w *withUser) Wake(x *market.Exchange, now int64) int64 {
	if now >= w.next {
		w.next = w.m.Wake(x, now)
	}
	for len(w.acts) > 0 && w.acts[0].at <= now {
		w.acts[0].do(x, w.user)
		w.acts = w.acts[1:]
	}
	if w.sample != nil {
		w.sample(x, now)
	}
	return w.wake()
}

func at(d time.Duration) int64 { return testStart.Add(d).UnixNano() }

// TestUserMovesPrice: a user who sweeps the makers' asks moves the fair
// value up by impact·σ̄·√60·√units and it stays there, the makers absorb
// the order and rebuild their ladders at once, and nothing is rejected.
// The comparison is with the same market without the user: the random
// streams do not depend on what users do, so the difference is the
// impact alone.
func TestUserMovesPrice(t *testing.T) {
	const units = 20.0 // about 3.3 BTC at 60,000
	lots := int64(0)
	fairAt := func(whale bool) (float64, *Market, *counter, []string) {
		m := newMarket(t, Config{})
		var problems []string
		w := &withUser{m: m}
		if whale {
			w.acts = []userAct{{at(10 * time.Minute), func(x *market.Exchange, u orders.Owner) {
				lots = int64(units * m.insts[0].env.unitLots)
				if _, r := x.Place(u, 0, market.Order{Side: orders.Buy, Type: orders.Market, Qty: lots}); r != "" {
					t.Errorf("whale rejected: %s", r)
				}
			}}}
			var levels []orders.Level
			w.sample = func(x *market.Exchange, now int64) {
				// One step after the sweep the makers have rebuilt.
				if now >= at(10*time.Minute+time.Second) && now < at(11*time.Minute) {
					bid, _, ask, _ := x.Best(0)
					if ask.Price-bid.Price > 20 {
						problems = append(problems, "spread stays wide")
					}
					if levels = x.Depth(0, orders.Sell, 10, levels[:0]); len(levels) < 10 {
						problems = append(problems, "asks not rebuilt")
					}
				}
			}
		}
		c := &counter{}
		run(t, only("BTC-USD"), w, c, 20*time.Minute)
		return m.insts[0].fair.logF, m, c, problems
	}
	control, _, _, _ := fairAt(false)
	moved, m, c, problems := fairAt(true)
	s := m.insts[0]
	want := s.impact * math.Sqrt(units)
	if got := moved - control; math.Abs(got-want) > 0.1*want {
		t.Errorf("fair value moved %.3g in log, want impact %.3g ± 10%%", got, want)
	}
	if len(problems) > 0 {
		t.Errorf("after the sweep: %s (and %d more)", problems[0], len(problems)-1)
	}
	if r := m.Stats()[0].Rejects; r.Total() > 0 {
		t.Errorf("agents' rejects: %+v", r)
	}
	if c.maxGap[0] > int64(maxTradeGap) {
		t.Errorf("trade gap %v", time.Duration(c.maxGap[0]))
	}
}

// TestUserQuoteGetsFilled: a user who improves the best bid by a tick is
// at the front of the book; noise sellers fill it within seconds, and the
// makers carry on around it.
func TestUserQuoteGetsFilled(t *testing.T) {
	m := newMarket(t, Config{})
	var oid orders.OrderID
	filledBy := int64(0)
	var open []orders.Order
	w := &withUser{m: m}
	w.acts = []userAct{{at(5 * time.Minute), func(x *market.Exchange, u orders.Owner) {
		bid, _, _, _ := x.Best(0)
		var r string
		if oid, r = x.Place(u, 0, market.Order{Side: orders.Buy, Type: orders.Limit, Px: bid.Price + 1, Qty: 1}); r != "" {
			t.Fatalf("user order rejected: %s", r)
		}
	}}}
	w.sample = func(x *market.Exchange, now int64) {
		if oid == 0 || filledBy != 0 {
			return
		}
		if open = x.OpenOrders(w.user, 0, open[:0]); len(open) == 0 {
			filledBy = now
		}
	}
	run(t, only("EUR-USD"), w, &counter{}, 10*time.Minute)
	if filledBy == 0 {
		t.Fatal("the user's best bid was never filled")
	}
	if wait := time.Duration(filledBy - at(5*time.Minute)); wait > time.Minute {
		t.Errorf("filled after %v", wait)
	}
	if r := m.Stats()[0].Rejects; r.Total() > 0 {
		t.Errorf("agents' rejects: %+v", r)
	}
}

// TestTightBand: with a price band narrower than the makers' ladders and
// a jump every few minutes, the fair value is held inside the band (band
// guards), agents send nothing the band refuses, and trading goes on.
func TestTightBand(t *testing.T) {
	in := only("EUR-USD")[0]
	in.BandPct = "0.05" // 54 ticks either side of the last trade
	in.Sim = json.RawMessage(`{"jumps_per_day":500,"jump_size":10}`)
	m := newMarket(t, Config{})
	c := &counter{}
	run(t, []market.Instrument{in}, m, c, time.Hour)
	st := m.Stats()[0]
	if st.BandGuards == 0 || st.Jumps < 10 {
		t.Errorf("band guards %d after %d jumps: the test does not reach the band", st.BandGuards, st.Jumps)
	}
	if st.Rejects.PriceBand > 0 || st.Rejects.InsufficientFunds > 0 {
		t.Errorf("rejects %+v", st.Rejects)
	}
	if c.trades[0] < 3600 || time.Duration(c.maxGap[0]) > maxTradeGap {
		t.Errorf("%d trades, longest gap %v", c.trades[0], time.Duration(c.maxGap[0]))
	}
}
