package market

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func (tv *testVenue) history(acct string) (*AccountHistory, error) {
	var h *AccountHistory
	var err error
	tv.query(func(ctx context.Context) { h, err = tv.AccountHistory(ctx, acct, 1000) })
	return h, err
}

// orderSummary is "cid status reason" of an order record.
func orderSummary(r OrderRecord) string {
	o := r.Event.Order
	return fmt.Sprintf("%s %s %s", o.CID, o.Status, o.Reason)
}

func TestAccountHistory(t *testing.T) {
	tv := newTestVenue(t, nil)
	a, b := tv.account(), tv.account()
	btc := func(cid, side, typ, tif, qty, px string) OrderRequest {
		return OrderRequest{CID: cid, Symbol: "BTC-USD", Side: side, Type: typ, TIF: tif, Qty: qty, Px: px}
	}
	step := func() { tv.clock.Advance(time.Second) }

	// a: a resting sell that b's buy fills, a canceled order, an IOC that
	// expires, three kinds of rejection, and one order left open.
	tv.place(a, 1, btc("a-fill", "sell", "limit", "", "0.2000", "60000.00"))
	step()
	tv.place(b, 2, btc("b-take", "buy", "limit", "", "0.2000", "60000.00"))
	step()
	tv.place(a, 3, btc("a-cancel", "buy", "limit", "", "0.1000", "59000.00"))
	if err := tv.CancelOrder(Origin{Session: 1, ID: 4, HasID: true}, a, OrderRef{CID: "a-cancel"}); err != nil {
		t.Fatal(err)
	}
	tv.do()
	step()
	tv.place(a, 5, btc("a-ioc", "buy", "limit", "ioc", "0.1000", "59000.00"))
	step()
	tv.place(a, 6, btc("a-band", "buy", "limit", "", "0.1000", "1.00"))
	tv.place(a, 7, btc("a-open", "buy", "limit", "", "0.1000", "59500.00"))
	openAt := tv.clock.Now()
	step()
	tv.place(a, 8, btc("a-open", "buy", "limit", "", "0.1000", "59400.00")) // duplicate cid
	tv.place(b, 9, btc("b-rest", "sell", "limit", "", "0.1000", "60100.00"))
	tv.place(a, 10, OrderRequest{CID: "a-post", Symbol: "BTC-USD", Side: "buy", Type: "limit", Qty: "0.1000", Px: "60100.00", PostOnly: true})
	tv.pub.take()

	h, err := tv.history(a)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range h.Orders {
		got = append(got, orderSummary(r))
	}
	want := []string{
		"a-fill filled ",
		"a-cancel canceled user",
		"a-ioc expired ioc_remainder",
		"a-band rejected price_band",
		"a-open new ",
		"a-open rejected duplicate_cid",
		"a-post rejected post_only_would_cross",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("orders:\n got %q\nwant %q", got, want)
	}
	for _, r := range h.Orders {
		if r.Event.Account != a || r.Event.Kind != KindOrder || r.Event.Symbol != "BTC-USD" {
			t.Fatalf("record %+v is not a's BTC-USD order", r.Event)
		}
	}
	open := h.Orders[4]
	if open.Created != openAt || open.Event.Order.OID == 0 || open.Event.Order.Px.String() != "59500.00" {
		t.Fatalf("open order: created %d (want %d), %+v", open.Created, openAt, open.Event.Order)
	}
	if f := h.Orders[0].Event.Order; f.Filled.String() != "0.2000" || f.AvgPx.String() != "60000.00" {
		t.Fatalf("filled order: %+v", f)
	}
	if len(h.Fills) != 1 || h.Fills[0].Fill.CID != "a-fill" || h.Fills[0].Fill.Liq != "maker" || h.Fills[0].Account != a {
		t.Fatalf("fills of a: %+v", h.Fills)
	}

	// b sees only its own orders and fills.
	hb, err := tv.history(b)
	if err != nil {
		t.Fatal(err)
	}
	got = got[:0]
	for _, r := range hb.Orders {
		got = append(got, orderSummary(r))
		if r.Event.Account != b {
			t.Fatalf("b's history holds an order of %s", r.Event.Account)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint([]string{"b-take filled ", "b-rest new "}) {
		t.Fatalf("b's orders: %q", got)
	}
	if len(hb.Fills) != 1 || hb.Fills[0].Fill.CID != "b-take" || hb.Fills[0].Fill.Liq != "taker" {
		t.Fatalf("fills of b: %+v", hb.Fills)
	}
}

func TestAccountHistoryBound(t *testing.T) {
	tv := newTestVenue(t, func(c *Config) { c.AccountHistory = 3 })
	a, b := tv.account(), tv.account()
	for i := range 5 {
		tv.place(a, int64(i), OrderRequest{CID: fmt.Sprint("s", i), Symbol: "BTC-USD", Side: "sell", Type: "limit", Qty: "0.0100", Px: "60000.00"})
		tv.place(b, int64(100+i), OrderRequest{CID: fmt.Sprint("b", i), Symbol: "BTC-USD", Side: "buy", Type: "market", Qty: "0.0100"})
	}
	h, err := tv.history(a)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Orders) != 3 || len(h.Fills) != 3 {
		t.Fatalf("kept %d orders and %d fills, want 3 and 3", len(h.Orders), len(h.Fills))
	}
	for i, r := range h.Orders {
		if want := fmt.Sprint("s", i+2); r.Event.Order.CID != want || h.Fills[i].Fill.CID != want {
			t.Fatalf("record %d: order %s fill %s, want the newest three (%s)", i, r.Event.Order.CID, h.Fills[i].Fill.CID, want)
		}
	}
}

func TestAccountHistoryUnknown(t *testing.T) {
	tv := newTestVenue(t, nil)
	agent := tv.newAccount("maker", true)
	for _, acct := range []string{"a_nobody", agent.id, ""} {
		if _, err := tv.history(acct); !errors.Is(err, ErrUnknownAccount) {
			t.Fatalf("history of %q: %v, want ErrUnknownAccount", acct, err)
		}
	}
	a := tv.account()
	h, err := tv.history(a)
	if err != nil || len(h.Orders) != 0 || len(h.Fills) != 0 {
		t.Fatalf("a new account's history: %+v, %v", h, err)
	}
}

func TestTail(t *testing.T) {
	var tl tail[int]
	if got := tl.all(); len(got) != 0 {
		t.Fatalf("empty: %v", got)
	}
	for i := range 7 {
		tl.push(i, 4)
	}
	if got := fmt.Sprint(tl.all()); got != "[3 4 5 6]" {
		t.Fatalf("got %s", got)
	}
	if cap(tl.buf) > 8 {
		t.Fatalf("buffer grew to %d", cap(tl.buf))
	}
}

func TestAccountHistoryLimit(t *testing.T) {
	tv := newTestVenue(t, nil)
	a := tv.account()
	tv.place(a, 1, OrderRequest{CID: "x1", Symbol: "BTC-USD", Side: "buy", Type: "limit", Qty: "0.0100", Px: "1.00"}) // rejected: band
	tv.clock.Advance(time.Second)
	tv.place(a, 2, OrderRequest{Symbol: "BTC-USD", Side: "buy", Type: "limit", Qty: "0.0100", Px: "59000.00"}) // open, no cid
	tv.clock.Advance(time.Second)
	tv.place(a, 3, OrderRequest{CID: "x3", Symbol: "ETH-USD", Side: "buy", Type: "limit", Qty: "0.010", Px: "2990.00"})
	var h *AccountHistory
	var err error
	tv.query(func(ctx context.Context) { h, err = tv.AccountHistory(ctx, a, 2) })
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Orders) != 2 || h.Orders[0].Event.Order.CID != "" || h.Orders[0].Event.Order.Px.String() != "59000.00" || h.Orders[1].Event.Order.CID != "x3" {
		var got []string
		for _, r := range h.Orders {
			got = append(got, orderSummary(r))
		}
		t.Fatalf("limit 2: %q, want the open order without cid, then x3", got)
	}
	if h.Orders[1].Event.Symbol != "ETH-USD" || h.Orders[0].Created >= h.Orders[1].Created {
		t.Fatalf("records out of order: %+v %+v", h.Orders[0], h.Orders[1])
	}
	tv.query(func(ctx context.Context) { h, err = tv.AccountHistory(ctx, a, 0) })
	if err != nil || len(h.Orders) != 0 || len(h.Fills) != 0 {
		t.Fatalf("limit 0: %+v, %v", h, err)
	}
}
