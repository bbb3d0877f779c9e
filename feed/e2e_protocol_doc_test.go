package feed_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gobwas/ws"

	"github.com/tickcast/tickcast/feed/wire"
	wsfeed "github.com/tickcast/tickcast/feed/ws"
)

// The tests in this file prove statements of docs/protocol.md that the
// other end-to-end tests do not pin down exactly: the order of what a
// subscribe answers (3.5), the shape of rejections decided by the book
// (8.4), market orders with tif fok (8, matching rules), and what a silent
// client sees before it is closed (2.3). They read raw frames, so that they
// see every message the server sends, in order.

// rawAuthed connects a raw JSON session as a fresh account and reads the
// auth answer and the account snapshot (seq 0).
func (ts *testServer) rawAuthed(t *testing.T) *rawConn {
	t.Helper()
	_, token := ts.account()
	rc := ts.rawDial(t, "tickcast.v1.json", rawOpts{})
	rc.send(&wire.Auth{ID: wire.SomeID(1), Token: token})
	if _, ok := rc.next(5 * time.Second).(*wire.Authed); !ok {
		t.Fatal("no authed")
	}
	if a, ok := rc.next(5 * time.Second).(*wire.Account); !ok || a.Seq != 0 {
		t.Fatalf("want the account snapshot with seq 0, got %+v", a)
	}
	return rc
}

// sequence sends op and returns every message it caused on this
// connection. Right behind it goes a cancel of an order that does not
// exist: the venue answers operations in the order it takes them, each
// in one batch, so that cancel's error comes after everything op caused.
// (A ping is no barrier: the session answers it itself, and its pong can
// overtake the venue's messages.)
func (rc *rawConn) sequence(op wire.Op, barrierID uint64) []wire.Message {
	rc.t.Helper()
	rc.send(op)
	rc.send(&wire.Cancel{ID: wire.SomeID(barrierID), OID: wire.SomeID(1 << 40)})
	var out []wire.Message
	for {
		m := rc.next(5 * time.Second)
		if e, ok := m.(*wire.Error); ok && e.ID == wire.SomeID(barrierID) {
			return out
		}
		out = append(out, m)
	}
}

// describe renders messages as "t[:stream or status/reason]" for failures.
func describe(ms []wire.Message) []string {
	var out []string
	for _, m := range ms {
		switch m := m.(type) {
		case *wire.Order:
			out = append(out, fmt.Sprintf("order:%s/%s", m.Status, m.Reason))
		case *wire.Fill:
			out = append(out, "fill:"+m.Qty)
		default:
			out = append(out, m.Kind().String())
		}
	}
	return out
}

// TestDocSubscribeOrder (protocol.md 3.5): after subscribed come the
// resets, then snapshots, replayed messages and latest values merged in
// off order across the request's streams, not stream by stream.
func TestDocSubscribeOrder(t *testing.T) {
	ts := startServer(t, withoutSim())
	maker, taker := ts.trader(t, wire.JSON), ts.trader(t, wire.MsgPack)
	maker.placeNew(lim("b-ask", "BTC-USD", "sell", "0.0100", "60100.00"))
	maker.placeNew(lim("e-ask", "ETH-USD", "sell", "0.010", "3010.00"))
	trade := func(n int, sym, px, qty string) {
		maker.placeNew(lim(fmt.Sprint("m", n), sym, "sell", qty, px))
		taker.placeNew(lim(fmt.Sprint("t", n), sym, "buy", qty, px))
		taker.waitOrder(fmt.Sprint("t", n), "filled")
	}
	trade(1, "BTC-USD", "60000.00", "0.0100") // BTC first,
	trade(2, "ETH-USD", "3000.00", "0.010")   // then ETH,
	trade(3, "BTC-USD", "60000.00", "0.0200") // then BTC again

	rc := ts.rawDial(t, "tickcast.v1.json", rawOpts{})
	rc.send(&wire.Subscribe{ID: wire.SomeID(1), Channels: []string{"trades", "book", "quote", "ticker"},
		Symbols: []string{"BTC-USD", "ETH-USD"}, Epoch: rc.welcome.Epoch,
		Since: map[string]uint64{"trades:BTC-USD": 0, "book:ETH-USD": 999}})
	if _, ok := rc.next(5 * time.Second).(*wire.Subscribed); !ok {
		t.Fatal("first answer is not subscribed")
	}
	if r, ok := rc.next(5 * time.Second).(*wire.Reset); !ok || r.Stream() != "book:ETH-USD" || r.Reason != wire.ResetHistoryExpired {
		t.Fatalf("want the reset of book:ETH-USD next, got %+v", r)
	}
	// What the off order gives: the first BTC trade, ETH's book, quote and
	// ticker (second command), then the second BTC trade and BTC's book,
	// quote and ticker. Stream by stream it would be all of BTC first.
	want := []string{"trades:BTC-USD", "book:ETH-USD", "quote:ETH-USD", "ticker:ETH-USD",
		"trades:BTC-USD", "book:BTC-USD", "quote:BTC-USD", "ticker:BTC-USD"}
	var got []string
	var last uint64
	for range want {
		m := rc.next(5 * time.Second)
		h, err := wire.DecodeHeader(wire.JSON, m.AppendJSON(nil))
		if err != nil || h.Off <= last {
			t.Fatalf("%v: off %d after %d (%v)", describe([]wire.Message{m}), h.Off, last, err)
		}
		last = h.Off
		got = append(got, h.Stream())
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("subscribe answered\n %v\nwant\n %v", got, want)
	}
	// Live messages follow, after everything above.
	trade(4, "ETH-USD", "3000.00", "0.010")
	m := rc.next(5 * time.Second)
	if h, err := wire.DecodeHeader(wire.JSON, m.AppendJSON(nil)); err != nil || h.Off <= last || h.S != "ETH-USD" {
		t.Fatalf("first live message: %v off %d, after %d", describe([]wire.Message{m}), h.Off, last)
	}
}

// TestDocBookRejections (protocol.md 8.4): an order the book refuses
// (post_only_would_cross, no_liquidity) is answered like one refused by the
// venue's checks: an order message rejected, oid 0, and no account message
// (the account's seq goes up by one per rejection).
func TestDocBookRejections(t *testing.T) {
	ts := startServer(t, withoutSim())
	maker := ts.trader(t, wire.JSON)
	maker.placeNew(lim("ask", "BTC-USD", "sell", "0.0100", "60000.00"))
	rc := ts.rawAuthed(t)
	cases := []struct {
		o          wire.NewOrder
		reason     string
		tif, px    string // as the rejection reports them
		typ        string
		seq        uint64
		beforeBook bool
	}{
		{wire.NewOrder{CID: "po", S: "BTC-USD", Side: "buy", Type: "limit", Qty: "0.0100", Px: "60000.00", PostOnly: true},
			"post_only_would_cross", "gtc", "60000.00", "limit", 1, false},
		{wire.NewOrder{CID: "nl", S: "ETH-USD", Side: "buy", Type: "market", Qty: "0.010"},
			"no_liquidity", "ioc", "", "market", 2, false},
		{wire.NewOrder{CID: "nlf", S: "ETH-USD", Side: "buy", Type: "market", Qty: "0.010", TIF: "fok"},
			"no_liquidity", "fok", "", "market", 3, false},
		{wire.NewOrder{CID: "band", S: "BTC-USD", Side: "buy", Type: "limit", Qty: "0.0100", Px: "1.00"},
			"price_band", "gtc", "1.00", "limit", 4, true},
		// Refused before it was parsed: the tif is echoed as sent ("" is
		// gtc), not turned into ioc, and px as sent.
		{wire.NewOrder{CID: "mq", S: "BTC-USD", Side: "buy", Type: "market", Qty: "0"},
			"invalid_qty", "gtc", "", "market", 5, true},
	}
	for i, c := range cases {
		c.o.ID = wire.SomeID(uint64(10 + i))
		ms := rc.sequence(&c.o, uint64(100+i))
		o, ok := ms[0].(*wire.Order)
		if len(ms) != 1 || !ok {
			t.Fatalf("%s: got %v, want one order message and nothing else", c.o.CID, describe(ms))
		}
		if o.Status != "rejected" || o.Reason != c.reason || o.OID != 0 || o.ID != c.o.ID || o.Seq != c.seq ||
			o.TIF != c.tif || o.Px != c.px || o.Type != c.typ {
			t.Errorf("%s: %+v", c.o.CID, o)
		}
	}
	if ms := maker.about("ask"); len(ms) != 1 {
		t.Errorf("the resting ask got %v", describe(ms))
	}
}

// TestDocMarketFOK (protocol.md 8, matching rules): a market order may be
// fok. It is then reported with tif fok and px "", and trades in full at
// once within the band, or not at all (expired fok_unfillable).
func TestDocMarketFOK(t *testing.T) {
	ts := startServer(t, withoutSim())
	maker := ts.trader(t, wire.JSON)
	maker.placeNew(lim("a1", "BTC-USD", "sell", "0.1000", "60010.00"))
	maker.placeNew(lim("a2", "BTC-USD", "sell", "0.1000", "60020.00"))
	rc := ts.rawAuthed(t)

	ms := rc.sequence(&wire.NewOrder{ID: wire.SomeID(2), CID: "big", S: "BTC-USD", Side: "buy", Type: "market", Qty: "0.3000", TIF: "fok"}, 200)
	if got := fmt.Sprint(describe(ms)); got != "[order:new/ account order:expired/fok_unfillable account]" {
		t.Fatalf("unfillable market fok: %s", got)
	}
	if o := ms[0].(*wire.Order); o.Type != "market" || o.TIF != "fok" || o.Px != "" || o.OID == 0 || o.ID != wire.SomeID(2) {
		t.Errorf("new: %+v", o)
	}
	if o := ms[2].(*wire.Order); o.Filled != "0.0000" {
		t.Errorf("expired: %+v", o)
	}
	if b := ts.restBook("BTC-USD"); len(b.Asks) != 2 || b.Asks[0].Qty != "0.1000" {
		t.Errorf("book after an unfillable fok: %+v", b.Asks)
	}

	ms = rc.sequence(&wire.NewOrder{ID: wire.SomeID(3), CID: "fits", S: "BTC-USD", Side: "buy", Type: "market", Qty: "0.1500", TIF: "fok"}, 201)
	want := "[order:new/ account fill:0.1000 order:partially_filled/ account fill:0.0500 order:filled/ account]"
	if got := fmt.Sprint(describe(ms)); got != want {
		t.Fatalf("fillable market fok: %s, want %s", got, want)
	}
	if o := ms[6].(*wire.Order); o.TIF != "fok" || o.AvgPx != "60013.33" {
		t.Errorf("filled: %+v", o)
	}
}

// TestDocSilentClient (protocol.md 2.3): a client that sends nothing gets
// a ping one and two heartbeats after its welcome, then, three heartbeats
// after it, the close frame 1001 "going away" (the third ping, due at that
// same moment, is skipped), and the server ends the TCP connection without
// waiting for the client's close.
func TestDocSilentClient(t *testing.T) {
	const beat = 200 * time.Millisecond
	ts := startServer(t, withoutSim(), withWS(func(c *wsfeed.Config) { c.Heartbeat = beat }))
	rc := ts.rawDial(t, "tickcast.v1.json", rawOpts{})
	t0 := time.Now() // just after the welcome arrived
	var pings []time.Duration
	for {
		f, err := rc.frame(5 * time.Second)
		must(t, err)
		at := time.Since(t0)
		if f.Header.OpCode == ws.OpPing {
			pings = append(pings, at)
			continue
		}
		if f.Header.OpCode != ws.OpClose {
			t.Fatalf("unexpected frame %v", f.Header.OpCode)
		}
		code, reason := ws.ParseCloseFrameData(f.Payload)
		if code != ws.StatusGoingAway || reason != "going away" {
			t.Fatalf("close %d %q", code, reason)
		}
		if at < 3*beat-beat/4 || at > 3*beat+2*time.Second {
			t.Errorf("closed %v after the welcome, want about %v", at, 3*beat)
		}
		break
	}
	rc.expectEOF(time.Second)
	// The ping due three heartbeats after the welcome would race with the
	// close: the server skips it.
	if len(pings) != 2 || pings[0] < beat-beat/4 || pings[1] < 2*beat-beat/4 {
		t.Errorf("pings at %v, want two, at about %v and %v", pings, beat, 2*beat)
	}
	t.Logf("pings at %v", pings)
}
