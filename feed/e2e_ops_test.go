package feed_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/internal/testkit"
)

// TestE2ESubscribeErrors: subscribe and unsubscribe over the wire, with
// every error they can answer, each carrying the operation's id.
func TestE2ESubscribeErrors(t *testing.T) {
	ts := startServer(t, withoutSim(), withHub(func(c *hub.Config) { c.MaxSubscriptions = 4 }))
	for _, proto := range []string{"tickcast.v1.json", "tickcast.v1.msgpack"} {
		t.Run(proto, func(t *testing.T) {
			rc := ts.rawDial(t, proto, rawOpts{})
			cases := []struct {
				name     string
				op       wire.Op
				code     string
				subbed   []string // subscribed/unsubscribed streams on success
				snapshot bool
			}{
				{"unknown channel", &wire.Subscribe{ID: wire.SomeID(1), Channels: []string{"trades", "orders"}, Symbols: []string{"BTC-USD"}}, wire.CodeUnknownChannel, nil, false},
				{"unknown symbol", &wire.Subscribe{ID: wire.SomeID(2), Channels: []string{"trades"}, Symbols: []string{"XRP-USD"}}, wire.CodeUnknownSymbol, nil, false},
				{"too many at once", &wire.Subscribe{ID: wire.SomeID(3), Channels: []string{"trades", "book", "quote", "ticker", "candles.1s"}, Symbols: []string{"BTC-USD"}}, wire.CodeTooManySubscriptions, nil, false},
				{"no channels", &wire.Subscribe{ID: wire.SomeID(4), Symbols: []string{"BTC-USD"}}, wire.CodeBadRequest, nil, false},
				{"three streams", &wire.Subscribe{ID: wire.SomeID(5), Channels: []string{"trades", "book", "quote"}, Symbols: []string{"BTC-USD"}}, "",
					[]string{"trades:BTC-USD", "book:BTC-USD", "quote:BTC-USD"}, true},
				{"the same again adds none", &wire.Subscribe{ID: wire.SomeID(6), Channels: []string{"trades"}, Symbols: []string{"BTC-USD"}}, "",
					[]string{"trades:BTC-USD"}, false},
				{"two more pass the limit of 4", &wire.Subscribe{ID: wire.SomeID(7), Channels: []string{"trades", "ticker"}, Symbols: []string{"ETH-USD"}}, wire.CodeTooManySubscriptions, nil, false},
				{"one more fits", &wire.Subscribe{ID: wire.SomeID(8), Channels: []string{"ticker"}, Symbols: []string{"ETH-USD"}}, "", []string{"ticker:ETH-USD"}, false},
				{"unsubscribe unknown channel", &wire.Unsubscribe{ID: wire.SomeID(9), Channels: []string{"news"}, Symbols: []string{"BTC-USD"}}, wire.CodeUnknownChannel, nil, false},
				{"unsubscribe unknown symbol", &wire.Unsubscribe{ID: wire.SomeID(10), Channels: []string{"book"}, Symbols: []string{"BTC-EUR"}}, wire.CodeUnknownSymbol, nil, false},
				{"unsubscribe", &wire.Unsubscribe{ID: wire.SomeID(11), Channels: []string{"book", "quote"}, Symbols: []string{"BTC-USD"}}, "", []string{"book:BTC-USD", "quote:BTC-USD"}, false},
				{"room again after unsubscribe", &wire.Subscribe{ID: wire.SomeID(12), Channels: []string{"trades", "candles.1m"}, Symbols: []string{"ETH-USD"}}, "",
					[]string{"trades:ETH-USD", "candles.1m:ETH-USD"}, false},
			}
			for _, c := range cases {
				rc.send(c.op)
				m := rc.next(5 * time.Second)
				id := c.op.OpID()
				if c.code != "" {
					e, ok := m.(*wire.Error)
					if !ok || e.Code != c.code || e.ID != id {
						t.Fatalf("%s: answer %T %+v, want error %s id %v", c.name, m, m, c.code, id)
					}
					continue
				}
				var streams []string
				var gotID wire.ID
				switch r := m.(type) {
				case *wire.Subscribed:
					streams, gotID = r.Streams, r.ID
				case *wire.Unsubscribed:
					streams, gotID = r.Streams, r.ID
				default:
					t.Fatalf("%s: answer %T %+v", c.name, m, m)
				}
				if gotID != id || !sameSet(streams, c.subbed) {
					t.Fatalf("%s: answer id %v streams %v, want %v", c.name, gotID, streams, c.subbed)
				}
				if c.snapshot {
					if s, ok := rc.next(5 * time.Second).(*wire.BookSnapshot); !ok || s.S != "BTC-USD" {
						t.Fatalf("%s: want the book snapshot after subscribed", c.name)
					}
				}
			}
			// The session is still fine.
			rc.send(&wire.Ping{ID: wire.SomeID(99)})
			if p, ok := rc.next(5 * time.Second).(*wire.Pong); !ok || p.ID != wire.SomeID(99) {
				t.Fatalf("pong %+v", p)
			}
		})
	}
}

// TestE2EUnsubscribeStops: after unsubscribed, no message of the stream
// reaches the session, while another subscriber still gets them.
func TestE2EUnsubscribeStops(t *testing.T) {
	ts := startServer(t, withoutSim())
	obs := ts.dial(nil)
	ctx := ctxT(t)
	if _, err := obs.Subscribe(ctx, []string{"book"}, []string{"BTC-USD"}); err != nil {
		t.Fatal(err)
	}
	rc := ts.rawDial(t, "tickcast.v1.json", rawOpts{})
	rc.subscribe(1, []string{"book"}, []string{"BTC-USD"})
	rc.nextKind(wire.KindBookSnapshot, 5*time.Second)
	rc.send(&wire.Unsubscribe{ID: wire.SomeID(2), Channels: []string{"book"}, Symbols: []string{"BTC-USD"}})
	rc.nextKind(wire.KindUnsubscribed, 5*time.Second)

	tr := ts.trader(t, wire.MsgPack)
	tr.place(wire.NewOrder{CID: "u1", S: "BTC-USD", Side: "buy", Type: "limit", Qty: "0.0010", Px: "59000.00"})
	testkit.Eventually(t, 5*time.Second, "the observer's delta", func() bool { s, _ := obs.LastSeq("book", "BTC-USD"); return s >= 1 })
	// The hub has published the delta; a subscribe now is ordered after
	// it, so anything of book:BTC-USD would come before its reply.
	rc.send(&wire.Subscribe{ID: wire.SomeID(3), Channels: []string{"trades"}, Symbols: []string{"ETH-USD"}})
	for {
		m := rc.next(5 * time.Second)
		if s, ok := m.(*wire.Subscribed); ok && s.ID == wire.SomeID(3) {
			break
		}
		t.Fatalf("after unsubscribe: %T %+v", m, m)
	}
}

// TestE2EMalformedOps: operations the server cannot take are answered
// with bad_request or unknown_op (carrying the id when it could be read),
// and the connection stays open.
func TestE2EMalformedOps(t *testing.T) {
	ts := startServer(t, withoutSim())
	cases := []struct {
		name  string
		proto string
		raw   []byte
		code  string
		id    wire.ID
	}{
		{"unknown op", "tickcast.v1.json", []byte(`{"op":"dance","id":7}`), wire.CodeUnknownOp, wire.SomeID(7)},
		{"no op", "tickcast.v1.json", []byte(`{"id":8}`), wire.CodeBadRequest, wire.SomeID(8)},
		{"not an object", "tickcast.v1.json", []byte(`[1,2,3]`), wire.CodeBadRequest, wire.ID{}},
		{"truncated, id readable", "tickcast.v1.json", []byte(`{"op":"ping","id":9`), wire.CodeBadRequest, wire.SomeID(9)},
		{"truncated", "tickcast.v1.json", []byte(`{"op":"pi`), wire.CodeBadRequest, wire.ID{}},
		{"subscribe without symbols", "tickcast.v1.json", []byte(`{"op":"subscribe","id":10,"channels":["trades"]}`), wire.CodeBadRequest, wire.SomeID(10)},
		{"channels not a list", "tickcast.v1.json", []byte(`{"op":"subscribe","id":11,"channels":"trades","symbols":["BTC-USD"]}`), wire.CodeBadRequest, wire.SomeID(11)},
		{"negative id", "tickcast.v1.json", []byte(`{"op":"ping","id":-1}`), wire.CodeBadRequest, wire.ID{}},
		{"order with an invalid cid", "tickcast.v1.json", []byte(`{"op":"order","id":12,"cid":"no spaces","s":"BTC-USD","side":"buy","type":"limit","qty":"1","px":"1"}`), wire.CodeBadRequest, wire.SomeID(12)},
		{"order without qty", "tickcast.v1.json", []byte(`{"op":"order","id":13,"cid":"a","s":"BTC-USD","side":"buy","type":"limit","px":"1"}`), wire.CodeBadRequest, wire.SomeID(13)},
		{"msgpack garbage", "tickcast.v1.msgpack", []byte{0xc1, 0x00, 0xff}, wire.CodeBadRequest, wire.ID{}},
		{"msgpack unknown op", "tickcast.v1.msgpack", wire.AppendOp(wire.MsgPack, nil, fakeOp{name: "fly", id: 14}), wire.CodeUnknownOp, wire.SomeID(14)},
		{"msgpack array", "tickcast.v1.msgpack", []byte{0x92, 0x01, 0x02}, wire.CodeBadRequest, wire.ID{}},
	}
	conns := map[string]*rawConn{
		"tickcast.v1.json":    ts.rawDial(t, "tickcast.v1.json", rawOpts{}),
		"tickcast.v1.msgpack": ts.rawDial(t, "tickcast.v1.msgpack", rawOpts{}),
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rc := conns[c.proto]
			rc.t = t // one connection per subprotocol, shared by the cases
			rc.sendBytes(c.raw)
			e, ok := rc.next(5 * time.Second).(*wire.Error)
			if !ok || e.Code != c.code || e.ID != c.id {
				t.Fatalf("answer %+v, want code %s id %v", e, c.code, c.id)
			}
			rc.send(&wire.Ping{ID: wire.SomeID(1000)})
			if _, ok := rc.next(5 * time.Second).(*wire.Pong); !ok {
				t.Fatal("connection no longer answers")
			}
		})
	}
}

// fakeOp encodes an operation name the server does not know.
type fakeOp struct {
	name string
	id   uint64
}

func (o fakeOp) OpName() string { return o.name }
func (o fakeOp) OpID() wire.ID  { return wire.SomeID(o.id) }
func (o fakeOp) AppendMsgpack(dst []byte) []byte {
	dst = append(dst, 0x82, 0xa2, 'o', 'p', 0xa0|byte(len(o.name)))
	dst = append(dst, o.name...)
	return append(dst, 0xa2, 'i', 'd', byte(o.id))
}
func (o fakeOp) AppendJSON(dst []byte) []byte {
	return append(dst, `{"op":"`+o.name+`","id":`+itoa(o.id)+`}`...)
}

// TestE2EAuth: invalid_token; not_authenticated for every order operation
// before auth; authed then the account snapshot and one order message per
// open order.
func TestE2EAuth(t *testing.T) {
	ts := startServer(t, withoutSim())
	rc := ts.rawDial(t, "tickcast.v1.json", rawOpts{})
	rc.send(&wire.Auth{ID: wire.SomeID(1), Token: "forged.token"})
	if e, ok := rc.next(5 * time.Second).(*wire.Error); !ok || e.Code != wire.CodeInvalidToken || e.ID != wire.SomeID(1) {
		t.Fatalf("forged token: %+v", e)
	}
	for i, op := range []wire.Op{
		&wire.NewOrder{ID: wire.SomeID(2), CID: "a", S: "BTC-USD", Side: "buy", Type: "limit", Qty: "0.0010", Px: "60000.00"},
		&wire.Cancel{ID: wire.SomeID(3), CID: "a"},
		&wire.Amend{ID: wire.SomeID(4), CID: "a", Qty: "0.0001"},
		&wire.CancelAll{ID: wire.SomeID(5)},
	} {
		rc.send(op)
		if e, ok := rc.next(5 * time.Second).(*wire.Error); !ok || e.Code != wire.CodeNotAuthenticated || e.ID != op.OpID() {
			t.Fatalf("op %d before auth: %+v", i, e)
		}
	}
	acct, tok := ts.account()
	tr := ts.traderAs(t, wire.MsgPack, acct, tok, false)
	tr.place(wire.NewOrder{CID: "open-1", S: "BTC-USD", Side: "buy", Type: "limit", Qty: "0.0010", Px: "59000.00"})
	tr.place(wire.NewOrder{CID: "open-2", S: "BTC-USD", Side: "sell", Type: "limit", Qty: "0.0020", Px: "61000.00"})

	rc.send(&wire.Auth{ID: wire.SomeID(6), Token: tok})
	if a, ok := rc.next(5 * time.Second).(*wire.Authed); !ok || a.Account != acct || a.ID != wire.SomeID(6) {
		t.Fatalf("authed %+v", a)
	}
	a, ok := rc.next(5 * time.Second).(*wire.Account)
	if !ok || a.Account != acct {
		t.Fatalf("account %+v", a)
	}
	bal := map[string]wire.Balance{}
	for _, b := range a.Balances {
		bal[b.Asset] = b
	}
	// 100,000 USD less 59.00 reserved by the buy; 100,000 USD worth of BTC
	// at 60,000 (1.6666) less the 0.0020 the sell reserves.
	if !decEq(bal["USD"].Total, "100000") || !decEq(bal["USD"].Available, "99941") || bal["BTC"].Total != "1.6666" || bal["BTC"].Available != "1.6646" {
		t.Errorf("balances %+v", a.Balances)
	}
	open := map[string]*wire.Order{}
	for len(open) < 2 {
		o, ok := rc.next(5 * time.Second).(*wire.Order)
		if !ok || o.Status != "new" {
			t.Fatalf("open order %+v", o)
		}
		open[o.CID] = o
	}
	if open["open-1"] == nil || open["open-2"] == nil || open["open-2"].Qty != "0.0020" || open["open-2"].Side != "sell" {
		t.Fatalf("open orders %v", open)
	}
	// Now authenticated: operations go through.
	rc.send(&wire.Cancel{ID: wire.SomeID(7), CID: "open-1"})
	if o, ok := rc.nextKind(wire.KindOrder, 5*time.Second).(*wire.Order); !ok || o.Status != "canceled" || o.Reason != "user" || o.ID != wire.SomeID(7) {
		t.Fatalf("cancel %+v", o)
	}
}

// decEq compares two plain decimal strings by value ("1.50" == "1.5").
func decEq(a, b string) bool {
	norm := func(s string) string {
		if strings.Contains(s, ".") {
			s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
		}
		return s
	}
	return a != "" && norm(a) == norm(b)
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		m[s]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return true
}

// TestE2ELatestValues: a new subscriber to conflatable streams gets each
// one's latest value at once (after the subscribed reply, in offset
// order), and nothing for a stream that has none yet.
func TestE2ELatestValues(t *testing.T) {
	ts := startServer(t, withoutSim())
	tr := ts.trader(t, wire.JSON)
	tr.placeNew(lim("bid", "BTC-USD", "buy", "0.5000", "59990.00"))
	tr.placeNew(lim("ask", "BTC-USD", "sell", "0.2500", "60010.00"))
	obs := ts.dial(nil)
	if _, err := obs.Subscribe(ctxT(t), []string{"quote"}, []string{"BTC-USD"}); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, 5*time.Second, "the two-sided quote", func() bool { s, _ := obs.LastSeq("quote", "BTC-USD"); return s >= 2 })

	rc := ts.rawDial(t, "tickcast.v1.json", rawOpts{})
	rc.subscribe(1, []string{"quote", "ticker"}, []string{"BTC-USD", "ETH-USD"})
	q, ok := rc.next(5 * time.Second).(*wire.Quote)
	if !ok || q.S != "BTC-USD" || q.Bid != "59990.00" || q.BidQty != "0.5000" || q.Ask != "60010.00" || q.AskQty != "0.2500" {
		t.Fatalf("latest quote %+v", q)
	}
	rc.send(&wire.Ping{ID: wire.SomeID(2)})
	if m := rc.next(5 * time.Second); m.Kind() != wire.KindPong {
		t.Fatalf("after the latest quote: %T %+v (ETH-USD has no quote, no ticker before a trade)", m, m)
	}
}
