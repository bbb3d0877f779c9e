package feed_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/client"
	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/feed/ws"
	"github.com/tickcast/tickcast/internal/testkit"
	"github.com/tickcast/tickcast/market"
)

// trader is an authenticated Go client that keeps every private message
// it receives, in order.
type trader struct {
	t       testing.TB
	c       *client.Client
	account string
	token   string

	mu  sync.Mutex
	in  []wire.Message
	seq uint64 // last private seq
	bad []string
}

// trader creates an account and connects as it.
func (ts *testServer) trader(t testing.TB, f wire.Format) *trader {
	t.Helper()
	acct, tok := ts.account()
	return ts.traderAs(t, f, acct, tok, false)
}

// traderAs connects, authenticates with tok and waits for the account
// snapshot.
func (ts *testServer) traderAs(t testing.TB, f wire.Format, acct, tok string, cod bool) *trader {
	t.Helper()
	tr := &trader{t: t, account: acct, token: tok}
	tr.c = ts.dial(func(c *client.Config) {
		c.Format = f
		c.OnDecoded = tr.keep
	})
	ctx := ctxT(t)
	a, err := tr.c.Auth(ctx, tok, cod)
	if err != nil || a.Account != acct {
		t.Fatalf("auth: %+v %v", a, err)
	}
	tr.wait("the account snapshot", func(m wire.Message) bool { _, ok := m.(*wire.Account); return ok })
	return tr
}

// keep records private messages and checks that their seqs are
// contiguous: the first one (the account snapshot after auth) sets the
// start.
func (tr *trader) keep(m wire.Message) {
	var seq uint64
	switch m := m.(type) {
	case *wire.Order:
		seq = m.Seq
	case *wire.Fill:
		seq = m.Seq
	case *wire.Account:
		seq = m.Seq
	default:
		return
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	_, snapshot := m.(*wire.Account)
	switch {
	case tr.seq == 0:
	case snapshot && seq == tr.seq: // the snapshot after auth repeats the current seq
	case seq != tr.seq+1:
		tr.bad = append(tr.bad, fmt.Sprintf("private seq %d after %d (%T)", seq, tr.seq, m))
	}
	tr.seq = seq
	tr.in = append(tr.in, m)
}

// wait returns the first kept message (in arrival order) matching pred.
func (tr *trader) wait(what string, pred func(wire.Message) bool) wire.Message {
	tr.t.Helper()
	var found wire.Message
	testkit.Eventually(tr.t, 5*time.Second, what, func() bool {
		tr.mu.Lock()
		defer tr.mu.Unlock()
		for _, m := range tr.in {
			if pred(m) {
				found = m
				return true
			}
		}
		return false
	})
	return found
}

// messages returns the kept messages about cid (orders and fills), in
// order.
func (tr *trader) about(cid string) []wire.Message {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var out []wire.Message
	for _, m := range tr.in {
		switch m := m.(type) {
		case *wire.Order:
			if m.CID == cid {
				out = append(out, m)
			}
		case *wire.Fill:
			if m.CID == cid {
				out = append(out, m)
			}
		}
	}
	return out
}

// waitOrder waits for an order message of cid with status.
func (tr *trader) waitOrder(cid, status string) *wire.Order {
	tr.t.Helper()
	return tr.wait(cid+" "+status, func(m wire.Message) bool {
		o, ok := m.(*wire.Order)
		return ok && o.CID == cid && o.Status == status
	}).(*wire.Order)
}

// place sends an order and returns the reply (status new or rejected).
func (tr *trader) place(o wire.NewOrder) *wire.Order {
	tr.t.Helper()
	r, err := tr.c.PlaceOrder(ctxT(tr.t), o)
	if err != nil {
		tr.t.Fatalf("order %s: %v", o.CID, err)
	}
	return r
}

// placeNew places an order that must be accepted.
func (tr *trader) placeNew(o wire.NewOrder) *wire.Order {
	tr.t.Helper()
	r := tr.place(o)
	if r.Status != "new" {
		tr.t.Fatalf("order %s: %s %s", o.CID, r.Status, r.Reason)
	}
	return r
}

func (tr *trader) checkSeqs() {
	tr.t.Helper()
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for _, b := range tr.bad {
		tr.t.Errorf("%s: %s", tr.account, b)
	}
}

// testInstruments: the default BTC-USD and ETH-USD, and TEST-USD whose
// min_qty (0.10) is above its lot (0.01), for qty_min.
func testInstruments() []market.Instrument {
	d := market.DefaultInstruments()
	return []market.Instrument{d[0], d[1],
		{Symbol: "TEST-USD", Base: "TEST", Quote: "USD", Tick: "0.01", Lot: "0.01", MinQty: "0.10", MaxQty: "50.00", BandPct: "10", Ref: "100.00"}}
}

func lim(cid, sym, side, qty, px string) wire.NewOrder {
	return wire.NewOrder{CID: cid, S: sym, Side: side, Type: "limit", Qty: qty, Px: px}
}

// TestE2EOrderRejects: every order reject reason of protocol.md 8.4, over both
// subprotocols, as an order message with status rejected, the reason, and
// the operation's id.
func TestE2EOrderRejects(t *testing.T) {
	ts := startServer(t, withoutSim(), withInstruments(testInstruments()...))
	for _, f := range []wire.Format{wire.MsgPack, wire.JSON} {
		t.Run(f.String(), func(t *testing.T) {
			maker := ts.trader(t, f)
			maker.placeNew(lim("rest-sell", "BTC-USD", "sell", "0.0010", "60000.00"))
			tr := ts.trader(t, f)
			tr.placeNew(lim("dup", "BTC-USD", "buy", "0.0010", "59000.00"))
			cases := []struct {
				reason string
				o      wire.NewOrder
			}{
				{market.RejectInvalidSymbol, lim("c1", "XRP-USD", "buy", "0.0010", "60000.00")},
				{market.RejectInvalidSide, lim("c2", "BTC-USD", "hold", "0.0010", "60000.00")},
				{market.RejectInvalidType, wire.NewOrder{CID: "c3", S: "BTC-USD", Side: "buy", Type: "stop", Qty: "0.0010", Px: "60000.00"}},
				{market.RejectInvalidTIF, wire.NewOrder{CID: "c4", S: "BTC-USD", Side: "buy", Type: "limit", Qty: "0.0010", Px: "60000.00", TIF: "gtd"}},
				{market.RejectInvalidPrice, lim("c5", "BTC-USD", "buy", "0.0010", "abc")},
				{market.RejectInvalidPrice, lim("c5b", "BTC-USD", "buy", "0.0010", "6e4")},
				{market.RejectInvalidPrice, lim("c5c", "BTC-USD", "buy", "0.0010", "-60000.00")},
				{market.RejectInvalidQty, lim("c6", "BTC-USD", "buy", "ten", "60000.00")},
				{market.RejectInvalidQty, lim("c6b", "BTC-USD", "buy", "-0.0010", "60000.00")},
				{market.RejectPriceTick, lim("c7", "BTC-USD", "buy", "0.0010", "60000.005")},
				{market.RejectQtyLot, lim("c8", "BTC-USD", "buy", "0.00015", "60000.00")},
				{market.RejectQtyMin, lim("c9", "TEST-USD", "buy", "0.05", "100.00")},
				{market.RejectQtyMax, lim("c10", "BTC-USD", "buy", "100.0001", "60000.00")},
				{market.RejectPriceBand, lim("c11", "BTC-USD", "buy", "0.0010", "50000.00")},
				{market.RejectPriceBand, lim("c11b", "BTC-USD", "sell", "0.0010", "66000.01")},
				{market.RejectInsufficientFunds, lim("c12", "BTC-USD", "buy", "2.0000", "59000.00")},
				{market.RejectInsufficientFunds, lim("c12b", "BTC-USD", "sell", "1.6667", "61000.00")},
				{market.RejectPostOnlyCross, wire.NewOrder{CID: "c13", S: "BTC-USD", Side: "buy", Type: "limit", Qty: "0.0010", Px: "60000.00", PostOnly: true}},
				{market.RejectNoLiquidity, wire.NewOrder{CID: "c14", S: "ETH-USD", Side: "buy", Type: "market", Qty: "0.010"}},
				{market.RejectDuplicateCID, lim("dup", "BTC-USD", "buy", "0.0010", "59000.00")},
			}
			for _, c := range cases {
				r := tr.place(c.o)
				if r.Status != "rejected" || r.Reason != c.reason || !r.ID.Valid || r.CID != c.o.CID {
					t.Errorf("%s (%+v): got %s %q id %v", c.reason, c.o, r.Status, r.Reason, r.ID)
				}
			}
			// Nothing traded: the resting sell is intact and no fill came.
			if ms := maker.about("rest-sell"); len(ms) != 1 {
				t.Errorf("resting sell got %d messages: %v", len(ms), ms)
			}
			tr.checkSeqs()
			for _, tr := range []*trader{tr, maker} {
				if _, err := tr.c.CancelAll(ctxT(t), ""); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestE2EOrderRateLimited: past the account's order rate the venue
// rejects orders with rate_limited (and amends with an error of that
// code).
func TestE2EOrderRateLimited(t *testing.T) {
	ts := startServer(t, withoutSim(), withMarket(func(c *market.Config) { c.RateLimit, c.RateBurst = 0.001, 3 }))
	tr := ts.trader(t, wire.JSON)
	for i := 0; i < 3; i++ {
		tr.placeNew(lim(fmt.Sprint("r", i), "BTC-USD", "buy", "0.0010", "59000.00"))
	}
	if r := tr.place(lim("r3", "BTC-USD", "buy", "0.0010", "59000.00")); r.Status != "rejected" || r.Reason != market.RejectRateLimited {
		t.Fatalf("fourth order: %s %s", r.Status, r.Reason)
	}
	_, err := tr.c.Amend(ctxT(t), wire.Amend{CID: "r0", Qty: "0.0005"})
	var se *client.ServerError
	if !errors.As(err, &se) || se.Code != wire.CodeRateLimited {
		t.Fatalf("amend over the limit: %v", err)
	}
	// Cancels are not rate limited.
	if o, err := tr.c.Cancel(ctxT(t), wire.Cancel{CID: "r0"}); err != nil || o.Status != "canceled" {
		t.Fatalf("cancel: %+v %v", o, err)
	}
}

// TestE2ECancelAmend: cancel by oid and by cid, unknown_order; amend
// echoing the new values; lowering qty keeps queue priority, raising it
// loses it; cancel_all with its count and an order message per canceled
// order.
func TestE2ECancelAmend(t *testing.T) {
	ts := startServer(t, withoutSim())
	ctx := ctxT(t)
	a := ts.trader(t, wire.JSON)
	b := ts.trader(t, wire.MsgPack)
	taker := ts.trader(t, wire.MsgPack)

	// Cancel by oid and by cid.
	o1 := a.placeNew(lim("k1", "BTC-USD", "buy", "0.0010", "59000.00"))
	a.placeNew(lim("k2", "BTC-USD", "buy", "0.0010", "59000.00"))
	if r, err := a.c.Cancel(ctx, wire.Cancel{OID: wire.SomeID(o1.OID)}); err != nil || r.Status != "canceled" || r.Reason != "user" || r.CID != "k1" {
		t.Fatalf("cancel by oid: %+v %v", r, err)
	}
	if r, err := a.c.Cancel(ctx, wire.Cancel{CID: "k2"}); err != nil || r.Status != "canceled" || r.Reason != "user" {
		t.Fatalf("cancel by cid: %+v %v", r, err)
	}
	for _, c := range []wire.Cancel{{CID: "k2"}, {OID: wire.SomeID(o1.OID)}, {OID: wire.SomeID(987654)}, {CID: "never"}} {
		_, err := a.c.Cancel(ctx, c)
		var se *client.ServerError
		if !errors.As(err, &se) || se.Code != wire.CodeUnknownOrder {
			t.Errorf("cancel %+v: %v, want unknown_order", c, err)
		}
	}
	// b's order is not a's to cancel.
	ob := b.placeNew(lim("mine", "BTC-USD", "buy", "0.0010", "58000.00"))
	if _, err := a.c.Cancel(ctx, wire.Cancel{OID: wire.SomeID(ob.OID)}); err == nil {
		t.Error("canceled another account's order")
	}

	// Priority: a then b at 60010; a amends qty down and stays first.
	a.placeNew(lim("p-a", "BTC-USD", "sell", "0.0010", "60010.00"))
	b.placeNew(lim("p-b", "BTC-USD", "sell", "0.0010", "60010.00"))
	r, err := a.c.Amend(ctx, wire.Amend{CID: "p-a", Qty: "0.0005"})
	if err != nil || r.Qty != "0.0005" || r.Px != "60010.00" || r.Status != "new" || r.CID != "p-a" || !r.ID.Valid {
		t.Fatalf("amend down: %+v %v", r, err)
	}
	taker.placeNew(wire.NewOrder{CID: "t1", S: "BTC-USD", Side: "buy", Type: "limit", TIF: "ioc", Qty: "0.0005", Px: "60010.00"})
	a.waitOrder("p-a", "filled")
	if ms := b.about("p-b"); len(ms) != 1 {
		t.Fatalf("p-b traded before p-a: %v", ms)
	}
	// Raising qty moves c to the back, behind b.
	a.placeNew(lim("p-c", "BTC-USD", "sell", "0.0010", "60010.00"))
	b.placeNew(lim("p-d", "BTC-USD", "sell", "0.0010", "60010.00"))
	// Queue now: p-b, p-c, p-d. Amend p-c up: p-b, p-d, p-c.
	if r, err := a.c.Amend(ctx, wire.Amend{CID: "p-c", Qty: "0.0020"}); err != nil || r.Qty != "0.0020" {
		t.Fatalf("amend up: %+v %v", r, err)
	}
	taker.placeNew(wire.NewOrder{CID: "t2", S: "BTC-USD", Side: "buy", Type: "limit", TIF: "ioc", Qty: "0.0020", Px: "60010.00"})
	b.waitOrder("p-b", "filled")
	b.waitOrder("p-d", "filled")
	if ms := a.about("p-c"); len(ms) != 2 { // new, amended
		t.Fatalf("p-c traded before p-d: %v", ms)
	}
	// A price amend echoes the new price and moves the order.
	if r, err := a.c.Amend(ctx, wire.Amend{CID: "p-c", Px: "60020.00"}); err != nil || r.Px != "60020.00" || r.Qty != "0.0020" {
		t.Fatalf("amend px: %+v %v", r, err)
	}
	// Amend errors.
	for _, c := range []struct {
		op   wire.Amend
		code string
	}{
		{wire.Amend{CID: "gone", Qty: "0.0010"}, wire.CodeUnknownOrder},
		{wire.Amend{CID: "p-c", Qty: "0.00001"}, wire.CodeBadRequest},
		{wire.Amend{CID: "p-c", Px: "1.00"}, wire.CodeBadRequest},
	} {
		_, err := a.c.Amend(ctx, c.op)
		var se *client.ServerError
		if !errors.As(err, &se) || se.Code != c.code {
			t.Errorf("amend %+v: %v, want %s", c.op, err, c.code)
		}
	}

	// cancel_all: a has p-c (BTC) and two more; one on ETH-USD.
	a.placeNew(lim("x1", "BTC-USD", "buy", "0.0010", "59500.00"))
	a.placeNew(lim("x2", "ETH-USD", "buy", "0.010", "2900.00"))
	a.placeNew(lim("x3", "ETH-USD", "sell", "0.010", "3100.00"))
	if _, err := a.c.CancelAll(ctx, "XRP-USD"); err == nil {
		t.Error("cancel_all on an unknown symbol succeeded")
	}
	ca, err := a.c.CancelAll(ctx, "ETH-USD")
	if err != nil || ca.Count != 2 {
		t.Fatalf("cancel_all ETH-USD: %+v %v", ca, err)
	}
	a.waitOrder("x2", "canceled")
	a.waitOrder("x3", "canceled")
	ca, err = a.c.CancelAll(ctx, "")
	if err != nil || ca.Count != 2 {
		t.Fatalf("cancel_all: %+v %v", ca, err)
	}
	for _, cid := range []string{"p-c", "x1"} {
		if o := a.waitOrder(cid, "canceled"); o.Reason != "user" {
			t.Errorf("%s canceled with %q", cid, o.Reason)
		}
	}
	if ca, err = a.c.CancelAll(ctx, ""); err != nil || ca.Count != 0 {
		t.Fatalf("cancel_all with none open: %+v %v", ca, err)
	}
	for _, tr := range []*trader{a, b, taker} {
		tr.checkSeqs()
	}
}

// TestE2EFillsAndExpiry: two accounts cross; each gets its fill, the
// updated order and the account message, in that order, with the right
// balances. Then the expiry reasons: ioc_remainder (limit IOC and market),
// fok_unfillable, self_trade.
func TestE2EFillsAndExpiry(t *testing.T) {
	ts := startServer(t, withoutSim())
	ctx := ctxT(t)
	maker := ts.trader(t, wire.JSON)
	taker := ts.trader(t, wire.MsgPack)
	tape := ts.dial(nil)
	if _, err := tape.Subscribe(ctx, []string{"trades"}, []string{"BTC-USD"}); err != nil {
		t.Fatal(err)
	}

	maker.placeNew(lim("m1", "BTC-USD", "sell", "0.5000", "60000.00"))
	taker.placeNew(lim("t1", "BTC-USD", "buy", "0.2000", "60000.00"))
	for _, c := range []struct {
		tr        *trader
		cid, liq  string
		side      string
		status    string
		filled    string
		usd, usdA string
		btc, btcA string
	}{
		// The maker sold 0.2 of 0.5 at 60,000: +12,000 USD; BTC total
		// 1.6666-0.2, of which 0.3 still reserved.
		{maker, "m1", "maker", "sell", "partially_filled", "0.2000", "112000.00", "112000.00", "1.4666", "1.1666"},
		{taker, "t1", "taker", "buy", "filled", "0.2000", "88000.00", "88000.00", "1.8666", "1.8666"},
	} {
		ms := c.tr.about(c.cid)
		testkit.Eventually(t, 5*time.Second, c.cid+" fill", func() bool { ms = c.tr.about(c.cid); return len(ms) >= 3 })
		f, ok := ms[1].(*wire.Fill)
		if !ok || f.Liq != c.liq || f.Px != "60000.00" || f.Qty != "0.2000" || f.Side != c.side || f.TradeID == 0 {
			t.Fatalf("%s: second message %+v, want a %s fill", c.cid, ms[1], c.liq)
		}
		o, ok := ms[2].(*wire.Order)
		if !ok || o.Status != c.status || o.Filled != c.filled || o.AvgPx != "60000.00" {
			t.Fatalf("%s: after the fill %+v", c.cid, ms[2])
		}
		// The account message follows the order update directly.
		acc := c.tr.wait("account after "+c.cid, func(m wire.Message) bool {
			a, ok := m.(*wire.Account)
			return ok && a.Seq == o.Seq+1
		}).(*wire.Account)
		bal := map[string]wire.Balance{}
		for _, b := range acc.Balances {
			bal[b.Asset] = b
		}
		if !decEq(bal["USD"].Total, c.usd) || !decEq(bal["USD"].Available, c.usdA) || bal["BTC"].Total != c.btc || bal["BTC"].Available != c.btcA {
			t.Errorf("%s: balances %+v", c.cid, acc.Balances)
		}
	}
	testkit.Eventually(t, 5*time.Second, "the public trade", func() bool { s, _ := tape.LastSeq("trades", "BTC-USD"); return s == 1 })

	// IOC remainder: 0.3 left at 60,000; an IOC for 0.5 fills 0.3.
	taker.place(wire.NewOrder{CID: "ioc", S: "BTC-USD", Side: "buy", Type: "limit", TIF: "ioc", Qty: "0.5000", Px: "60000.00"})
	if o := taker.waitOrder("ioc", "expired"); o.Reason != market.ReasonIOCRemainder || o.Filled != "0.3000" {
		t.Errorf("ioc: %+v", o)
	}
	maker.waitOrder("m1", "filled")
	// FOK that cannot fill in full: nothing trades.
	maker.placeNew(lim("m2", "BTC-USD", "sell", "0.1000", "60100.00"))
	taker.place(wire.NewOrder{CID: "fok", S: "BTC-USD", Side: "buy", Type: "limit", TIF: "fok", Qty: "0.2000", Px: "60100.00"})
	if o := taker.waitOrder("fok", "expired"); o.Reason != market.ReasonFOKUnfillable || o.Filled != "0.0000" {
		t.Errorf("fok: %+v", o)
	}
	// A market order larger than the book: fills what there is, the rest
	// expires ioc_remainder.
	taker.place(wire.NewOrder{CID: "mkt", S: "BTC-USD", Side: "buy", Type: "market", Qty: "0.3000"})
	if o := taker.waitOrder("mkt", "expired"); o.Reason != market.ReasonIOCRemainder || o.Filled != "0.1000" {
		t.Errorf("market: %+v", o)
	}
	// Self-trade prevention: the maker's own resting sell is canceled by
	// its incoming buy, which then rests.
	maker.placeNew(lim("own-sell", "BTC-USD", "sell", "0.0100", "60050.00"))
	maker.place(lim("own-buy", "BTC-USD", "buy", "0.0100", "60050.00"))
	if o := maker.waitOrder("own-sell", "canceled"); o.Reason != market.ReasonSelfTrade {
		t.Errorf("self trade: %+v", o)
	}
	for _, m := range maker.about("own-buy") {
		if _, ok := m.(*wire.Fill); ok {
			t.Errorf("own-buy traded with itself: %+v", m)
		}
	}
	maker.checkSeqs()
	taker.checkSeqs()
	if st := tape.Stats(); st.Gaps != 0 {
		t.Errorf("tape %+v", st)
	}
}

// TestE2ECancelOnDisconnect: orders of an account are canceled (reason
// disconnect) when the last of its sessions that asked for it closes; a
// session that did not ask cancels nothing.
func TestE2ECancelOnDisconnect(t *testing.T) {
	ts := startServer(t, withoutSim())
	acct, tok := ts.account()
	watcher := ts.traderAs(t, wire.JSON, acct, tok, false)
	s1 := ts.traderAs(t, wire.MsgPack, acct, tok, true)
	s2 := ts.traderAs(t, wire.JSON, acct, tok, true)
	plain := ts.traderAs(t, wire.MsgPack, acct, tok, false)
	s1.placeNew(lim("cod-1", "BTC-USD", "buy", "0.0010", "59000.00"))
	s2.placeNew(lim("cod-2", "ETH-USD", "sell", "0.010", "3050.00"))
	watcher.waitOrder("cod-2", "new")

	_ = plain.c.Close()
	_ = s1.c.Close()
	// s2 still asks for it: nothing is canceled. Prove it with a round
	// trip through the venue after the sessions are gone.
	testkit.Eventually(t, 5*time.Second, "two sessions to end", func() bool { return ts.Server.WSSessions() == 2 })
	watcher.placeNew(lim("probe", "BTC-USD", "buy", "0.0010", "58000.00"))
	for _, cid := range []string{"cod-1", "cod-2"} {
		if ms := watcher.about(cid); len(ms) != 1 {
			t.Fatalf("%s changed while a cancel-on-disconnect session remains: %v", cid, ms)
		}
	}
	_ = s2.c.Close()
	for _, cid := range []string{"cod-1", "cod-2", "probe"} {
		if o := watcher.waitOrder(cid, "canceled"); o.Reason != market.ReasonDisconnect {
			t.Errorf("%s: %+v", cid, o)
		}
	}
	watcher.checkSeqs()
}

// TestE2ERateLimitAbuse: a session that keeps sending orders after the
// rate limit refuses them is closed with 1008 (protocol.md 8.8, 9.2); one that
// backs off is not.
func TestE2ERateLimitAbuse(t *testing.T) {
	ts := startServer(t, withoutSim(), withMarket(func(c *market.Config) { c.RateLimit, c.RateBurst = 0.001, 2 }),
		withWS(func(c *ws.Config) { c.RateLimitBudget = 5 }))
	tr := ts.trader(t, wire.JSON)
	for i := range 2 {
		tr.placeNew(lim(fmt.Sprint("ok", i), "BTC-USD", "buy", "0.0010", "59000.00"))
	}
	for i := range 5 { // within the budget: refused, still connected
		if r := tr.place(lim(fmt.Sprint("x", i), "BTC-USD", "buy", "0.0010", "59000.00")); r.Reason != market.RejectRateLimited {
			t.Fatalf("order %d: %s %s", i, r.Status, r.Reason)
		}
	}
	if _, err := tr.c.Ping(ctxT(t)); err != nil {
		t.Fatalf("closed within the budget: %v", err)
	}
	_ = tr.c.Send(&wire.NewOrder{CID: "x5", S: "BTC-USD", Side: "buy", Type: "limit", Qty: "0.0010", Px: "59000.00"})
	testkit.Eventually(t, 5*time.Second, "close 1008", func() bool { return tr.c.LastClose().Code == 1008 })
}
