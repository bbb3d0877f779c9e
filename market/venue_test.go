package market

import (
	"strings"
	"testing"
)

// firstOrder returns the first order event of a batch, or fails.
func firstOrder(t *testing.T, evs []*Event) *OrderUpdate {
	t.Helper()
	for _, e := range evs {
		if e.Kind == KindOrder {
			return e.Order
		}
	}
	t.Fatalf("no order event in %d events", len(evs))
	return nil
}

func limit(sym, side, qty, px string) OrderRequest {
	return OrderRequest{CID: "c", Symbol: sym, Side: side, Type: "limit", Qty: qty, Px: px}
}

// testInstruments adds to the defaults an instrument whose min_qty is above
// its lot, so that qty_min can be provoked, and a round one for checksums.
func testInstruments() []Instrument {
	return append(DefaultInstruments(),
		Instrument{Symbol: "MIN-USD", Base: "MIN", Quote: "USD", Tick: "0.05", Lot: "0.1", MinQty: "1.0", MaxQty: "50.0", BandPct: "10", Ref: "100.00"},
		Instrument{Symbol: "CS-USD", Base: "CS", Quote: "USD", Tick: "0.01", Lot: "0.0001", MinQty: "0.0001", MaxQty: "100.0000", BandPct: "50", Ref: "100.00"},
	)
}

func TestRejectReasons(t *testing.T) {
	btc := func(f func(*OrderRequest)) OrderRequest {
		r := limit("BTC-USD", "buy", "0.0100", "60000.00")
		f(&r)
		return r
	}
	cases := []struct {
		name  string
		setup func(tv *testVenue, acct string)
		req   OrderRequest
		want  string
	}{
		{name: "unknown symbol", req: btc(func(r *OrderRequest) { r.Symbol = "XYZ-USD" }), want: RejectInvalidSymbol},
		{name: "bad side", req: btc(func(r *OrderRequest) { r.Side = "hold" }), want: RejectInvalidSide},
		{name: "bad type", req: btc(func(r *OrderRequest) { r.Type = "stop" }), want: RejectInvalidType},
		{name: "bad tif", req: btc(func(r *OrderRequest) { r.TIF = "day" }), want: RejectInvalidTIF},
		{name: "price not a number", req: btc(func(r *OrderRequest) { r.Px = "abc" }), want: RejectInvalidPrice},
		{name: "price with exponent", req: btc(func(r *OrderRequest) { r.Px = "6e4" }), want: RejectInvalidPrice},
		{name: "huge exponent price", req: btc(func(r *OrderRequest) { r.Px = "1e2147483647" }), want: RejectInvalidPrice},
		{name: "negative price", req: btc(func(r *OrderRequest) { r.Px = "-60000.00" }), want: RejectInvalidPrice},
		{name: "zero price", req: btc(func(r *OrderRequest) { r.Px = "0.00" }), want: RejectInvalidPrice},
		{name: "missing price", req: btc(func(r *OrderRequest) { r.Px = "" }), want: RejectInvalidPrice},
		{name: "price too long", req: btc(func(r *OrderRequest) { r.Px = "60000." + strings.Repeat("0", 40) }), want: RejectInvalidPrice},
		{name: "price beyond int64", req: btc(func(r *OrderRequest) { r.Px = "99999999999999999999999999.00" }), want: RejectInvalidPrice},
		{name: "price off tick", req: btc(func(r *OrderRequest) { r.Px = "60000.005" }), want: RejectPriceTick},
		{name: "price off a 0.05 tick", req: OrderRequest{Symbol: "MIN-USD", Side: "buy", Type: "limit", Qty: "1.0", Px: "100.02"}, want: RejectPriceTick},
		{name: "price above band", req: btc(func(r *OrderRequest) { r.Px = "66000.01" }), want: RejectPriceBand},
		{name: "price below band", req: btc(func(r *OrderRequest) { r.Px = "53999.99" }), want: RejectPriceBand},
		{name: "qty not a number", req: btc(func(r *OrderRequest) { r.Qty = "lots" }), want: RejectInvalidQty},
		{name: "zero qty", req: btc(func(r *OrderRequest) { r.Qty = "0" }), want: RejectInvalidQty},
		{name: "qty with exponent", req: btc(func(r *OrderRequest) { r.Qty = "1E-2" }), want: RejectInvalidQty},
		{name: "qty off lot", req: btc(func(r *OrderRequest) { r.Qty = "0.00015" }), want: RejectQtyLot},
		{name: "qty below min", req: OrderRequest{Symbol: "MIN-USD", Side: "buy", Type: "limit", Qty: "0.5", Px: "100.00"}, want: RejectQtyMin},
		{name: "qty above max", req: btc(func(r *OrderRequest) { r.Qty = "100.0001" }), want: RejectQtyMax},
		{name: "qty beyond int64", req: btc(func(r *OrderRequest) { r.Qty = "99999999999999999999999" }), want: RejectQtyMax},
		{name: "not enough quote", req: btc(func(r *OrderRequest) { r.Qty = "2.0000" }), want: RejectInsufficientFunds},
		{name: "not enough base", req: btc(func(r *OrderRequest) { r.Side, r.Qty = "sell", "1.6667" }), want: RejectInsufficientFunds},
		{
			name: "market order on an empty book", req: OrderRequest{CID: "m", Symbol: "BTC-USD", Side: "buy", Type: "market", Qty: "0.0100"},
			want: RejectNoLiquidity,
		},
		{
			name: "post-only that would cross",
			setup: func(tv *testVenue, _ string) {
				tv.place(tv.account(), 9, limit("BTC-USD", "sell", "0.0100", "60000.00"))
			},
			req: btc(func(r *OrderRequest) { r.PostOnly = true }), want: RejectPostOnlyCross,
		},
		{
			name: "client id of an open order",
			setup: func(tv *testVenue, acct string) {
				tv.place(acct, 9, limit("BTC-USD", "buy", "0.0100", "59000.00"))
			},
			req: btc(func(r *OrderRequest) {}), want: RejectDuplicateCID,
		},
		{
			name: "over the rate limit",
			setup: func(tv *testVenue, acct string) {
				for i := range 100 { // the burst
					r := limit("BTC-USD", "buy", "0.0001", "59000.00")
					r.CID = "burst" + string(rune('a'+i%26)) + string(rune('a'+i/26))
					tv.place(acct, int64(i), r)
				}
			},
			req: btc(func(r *OrderRequest) {}), want: RejectRateLimited,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tv := newTestVenue(t, func(c *Config) { c.Instruments = testInstruments() })
			acct := tv.account()
			if tc.setup != nil {
				tc.setup(tv, acct)
			}
			u := firstOrder(t, tv.place(acct, 77, tc.req))
			if u.Status != StatusRejected || u.Reason != tc.want {
				t.Fatalf("status %q reason %q, want rejected %q", u.Status, u.Reason, tc.want)
			}
		})
	}
}

// TestRejectEcho checks what a rejected order message carries: the
// request's id, its well-formed fields, nothing unprintable.
func TestRejectEcho(t *testing.T) {
	tv := newTestVenue(t, nil)
	acct := tv.account()
	evs := tv.place(acct, 42, OrderRequest{CID: "e1", Symbol: "BTC-USD", Side: "buy", Type: "limit", Qty: "0.0100", Px: "1\x00"})
	if len(evs) != 1 || evs[0].Kind != KindOrder || !evs[0].Origin.HasID || evs[0].Origin.ID != 42 {
		t.Fatalf("want one order event answering id 42, got %+v", evs)
	}
	u := evs[0].Order
	if u.CID != "e1" || u.Side != "buy" || u.Type != "limit" || u.TIF != "gtc" || u.QtyText() != "0.0100" || u.PxText() != "" || u.Filled.String() != "0.0000" {
		t.Fatalf("echo %+v", u)
	}
}

func TestExpiryAndCancelReasons(t *testing.T) {
	tv := newTestVenue(t, nil)
	maker, taker := tv.account(), tv.account()
	tv.place(maker, 1, limit("BTC-USD", "sell", "0.0100", "60000.00"))
	doneReason := func(evs []*Event, cid string) (string, string) {
		var status, reason string
		for _, e := range evs {
			if e.Kind == KindOrder && e.Order.CID == cid {
				status, reason = e.Order.Status, e.Order.Reason
			}
		}
		return status, reason
	}
	r := limit("BTC-USD", "buy", "0.0200", "60000.00")
	r.CID, r.TIF = "ioc", "ioc"
	if s, why := doneReason(tv.place(taker, 2, r), "ioc"); s != StatusExpired || why != ReasonIOCRemainder {
		t.Errorf("ioc: %s %s", s, why)
	}
	tv.place(maker, 3, limit("BTC-USD", "sell", "0.0100", "60000.00"))
	r.CID, r.TIF = "fok", "fok"
	if s, why := doneReason(tv.place(taker, 4, r), "fok"); s != StatusExpired || why != ReasonFOKUnfillable {
		t.Errorf("fok: %s %s", s, why)
	}
	m := OrderRequest{CID: "mkt", Symbol: "BTC-USD", Side: "buy", Type: "market", Qty: "0.0200"}
	if s, why := doneReason(tv.place(taker, 5, m), "mkt"); s != StatusExpired || why != ReasonIOCRemainder {
		t.Errorf("market: %s %s", s, why)
	}
	// Self-trade: the maker's own buy meets its resting sell.
	tv.place(maker, 6, limit("BTC-USD", "sell", "0.0100", "60001.00"))
	sr := limit("BTC-USD", "buy", "0.0100", "60001.00")
	sr.CID = "self"
	evs := tv.place(maker, 7, sr)
	if s, why := doneReason(evs, "c"); s != StatusCanceled || why != ReasonSelfTrade {
		t.Errorf("self trade: %s %s", s, why)
	}
	// User cancel and cancel on disconnect.
	o := Origin{Session: 5, ID: 8, HasID: true}
	if err := tv.CancelOrder(o, maker, OrderRef{CID: "self"}); err != nil {
		t.Fatal(err)
	}
	tv.do()
	evs = tv.pub.take()
	if s, why := doneReason(evs, "self"); s != StatusCanceled || why != ReasonUser {
		t.Errorf("cancel: %s %s", s, why)
	}
	if !evs[0].Origin.HasID || evs[0].Origin.ID != 8 {
		t.Errorf("cancel reply carries no id: %+v", evs[0].Origin)
	}
	tv.place(taker, 9, limit("BTC-USD", "buy", "0.0100", "59000.00"))
	if err := tv.Auth(Origin{Session: 77}, taker, true); err != nil {
		t.Fatal(err)
	}
	tv.do()
	tv.pub.take()
	if err := tv.Detach(t.Context(), 77, taker); err != nil {
		t.Fatal(err)
	}
	tv.do()
	if s, why := doneReason(tv.pub.take(), "c"); s != StatusCanceled || why != ReasonDisconnect {
		t.Errorf("disconnect: %s %s", s, why)
	}
}

// TestRejectsLookAlike: an order refused by the engine (post-only
// crossing, no liquidity) is answered like one refused by the venue's own
// checks: status rejected, no order id, and no account message (nothing
// changed).
func TestRejectsLookAlike(t *testing.T) {
	tv := newTestVenue(t, nil)
	a, b := tv.account(), tv.account()
	m := OrderRequest{CID: "m", Symbol: "BTC-USD", Side: "buy", Type: "market", Qty: "0.0100"}
	evs := tv.place(a, 1, m) // no liquidity: refused by the engine
	if len(evs) != 1 || evs[0].Kind != KindOrder || evs[0].Order.OID != 0 || evs[0].Order.Reason != RejectNoLiquidity {
		t.Fatalf("no_liquidity answer: %+v", evs)
	}
	tv.place(b, 2, limit("BTC-USD", "sell", "0.0100", "60000.00"))
	p := limit("BTC-USD", "buy", "0.0100", "60000.00")
	p.PostOnly = true
	evs = tv.place(a, 3, p) // would cross: refused by the engine
	if len(evs) != 1 || evs[0].Order.OID != 0 || evs[0].Order.Reason != RejectPostOnlyCross {
		t.Fatalf("post-only answer: %+v", evs)
	}
	evs = tv.place(a, 4, limit("BTC-USD", "buy", "0.0100", "1.00")) // refused by the venue's band check
	if len(evs) != 1 || evs[0].Order.OID != 0 || evs[0].Order.Reason != RejectPriceBand {
		t.Fatalf("price band answer: %+v", evs)
	}
}
