package market

import (
	"fmt"
	"testing"
)

// TestMaxOpenOrders: past MaxOpenOrders, a new limit gtc order is rejected
// too_many_open_orders; orders that cannot rest still pass; a cancel makes
// room again. Before the limit, 210 accounts built a book 258,488 levels
// deep within the rate limit.
func TestMaxOpenOrders(t *testing.T) {
	tv := newTestVenue(t, func(c *Config) { c.MaxOpenOrders = 3 })
	a := tv.account()
	for i := range 3 {
		r := limit("BTC-USD", "buy", "0.0010", fmt.Sprintf("%d.00", 59000+i))
		r.CID = fmt.Sprint("o", i)
		if o := firstOrder(t, tv.place(a, int64(i), r)); o.Status != StatusNew {
			t.Fatalf("order %d: %s %s", i, o.Status, o.Reason)
		}
	}
	over := limit("BTC-USD", "buy", "0.0010", "58000.00")
	over.CID = "over"
	if o := firstOrder(t, tv.place(a, 10, over)); o.Status != StatusRejected || o.Reason != RejectTooManyOpen {
		t.Fatalf("order past the limit: %s %s", o.Status, o.Reason)
	}
	ioc := limit("BTC-USD", "buy", "0.0010", "58000.00")
	ioc.CID, ioc.TIF = "ioc", "ioc"
	if o := firstOrder(t, tv.place(a, 11, ioc)); o.Reason == RejectTooManyOpen {
		t.Fatal("an ioc order counted against the open-orders limit")
	}
	other := tv.account()
	if o := firstOrder(t, tv.place(other, 12, over)); o.Status != StatusNew {
		t.Fatalf("another account: %s %s", o.Status, o.Reason)
	}
	if err := tv.CancelOrder(Origin{Session: 1, ID: 13, HasID: true}, a, OrderRef{CID: "o0"}); err != nil {
		t.Fatal(err)
	}
	tv.do()
	tv.pub.take()
	if o := firstOrder(t, tv.place(a, 14, over)); o.Status != StatusNew {
		t.Fatalf("after a cancel: %s %s", o.Status, o.Reason)
	}
}
