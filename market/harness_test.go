package market

import (
	"context"
	"testing"
	"time"
)

// capture is a Publisher that keeps every event.
type capture struct{ events []*Event }

func (c *capture) Publish(batch []*Event) { c.events = append(c.events, batch...) }

// take returns the events captured since the last take.
func (c *capture) take() []*Event {
	e := c.events
	c.events = nil
	return e
}

// testVenue is a venue on a manual clock driven synchronously: commands
// are applied at once, as Run would apply them.
type testVenue struct {
	*Venue
	pub   *capture
	clock *ManualClock
	t     testing.TB
}

var testStart = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func newTestVenue(t testing.TB, mod func(*Config)) *testVenue {
	t.Helper()
	pub := &capture{}
	clock := NewManualClock(testStart)
	cfg := Config{Publisher: pub, Clock: clock, Seed: 1, Epoch: "test", TokenKey: []byte("k")}
	if mod != nil {
		mod(&cfg)
	}
	v, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tv := &testVenue{Venue: v, pub: pub, clock: clock, t: t}
	v.startActors()
	return tv
}

// do applies queued commands synchronously.
func (tv *testVenue) do() {
	for len(tv.in) > 0 {
		tv.apply(<-tv.in)
	}
}

// account creates a demo account without the query round trip.
func (tv *testVenue) account() string {
	tv.now = max(tv.clock.Now(), tv.now) // as apply would: the account is idle from now
	a := tv.newAccount("", false)
	tv.fundDemo(a)
	return a.id
}

func (tv *testVenue) place(acct string, id int64, r OrderRequest) []*Event {
	tv.t.Helper()
	if err := tv.PlaceOrder(Origin{Session: 1, ID: id, HasID: true}, acct, r); err != nil {
		tv.t.Fatal(err)
	}
	tv.do()
	return tv.pub.take()
}

func (tv *testVenue) query(fn func(ctx context.Context)) {
	done := make(chan struct{})
	go func() { fn(context.Background()); close(done) }()
	for {
		select {
		case <-done:
			return
		case c := <-tv.in:
			tv.apply(c)
		}
	}
}

func TestSmoke(t *testing.T) {
	tv := newTestVenue(t, nil)
	a, b := tv.account(), tv.account()
	ev := tv.place(a, 1, OrderRequest{CID: "x1", Symbol: "BTC-USD", Side: "sell", Type: "limit", Qty: "0.5000", Px: "60000.00"})
	for _, e := range ev {
		t.Logf("%v %+v %+v %+v %+v", e.Kind, e, e.Order, e.Book, e.Quote)
	}
	ev = tv.place(b, 2, OrderRequest{CID: "y1", Symbol: "BTC-USD", Side: "buy", Type: "limit", Qty: "0.2000", Px: "60010.00"})
	for _, e := range ev {
		t.Logf("%v %+v trade=%+v order=%+v fill=%+v bal=%+v", e.Kind, e, e.Trade, e.Order, e.Fill, e.Balances)
	}
}
