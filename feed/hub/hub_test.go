package hub

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/market"
)

// testHub is a hub driven synchronously: publish and control calls run on
// the test goroutine, as Run would run them.
type testHub struct {
	*Hub
	off  uint64
	seqs map[string]uint64
}

func newTestHub(mod func(*Config)) *testHub {
	cfg := Config{Symbols: []string{"BTC-USD", "ETH-USD"}, Epoch: "ep1"}
	if mod != nil {
		mod(&cfg)
	}
	return &testHub{Hub: New(cfg, nil), seqs: map[string]uint64{}}
}

// run executes queued control functions (Subscribe, Add, ...).
func (h *testHub) run() {
	for {
		select {
		case fn := <-h.reg:
			fn()
		case fn := <-h.ctrl:
			h.runReg()
			fn()
			h.dropOverflowed()
		default:
			return
		}
	}
}

func (h *testHub) event(k market.Kind, sym string, ts int64) *market.Event {
	h.off++
	key := k.Channel() + sym
	h.seqs[key]++
	e := &market.Event{Kind: k, Symbol: sym, Seq: h.seqs[key], Off: h.off, TS: ts, Epoch: "ep1"}
	switch k {
	case market.KindTrade:
		e.Trade = &market.Trade{ID: e.Seq, Px: market.MustParseDec("100.00"), Qty: market.MustParseDec("1.0000"), Side: "buy"}
	case market.KindQuote:
		e.Quote = &market.Quote{Bid: market.MustParseDec("99.00"), BidQty: market.MustParseDec("1.0000"), Ask: market.MustParseDec("101.00"), AskQty: market.MustParseDec("2.0000")}
	case market.KindBook:
		e.Book = &market.BookData{Bids: []market.PriceLevel{{market.MustParseDec("99.00"), market.MustParseDec("1.0000")}}, Asks: []market.PriceLevel{}, Checksum: 7}
	}
	return e
}

func (h *testHub) publishOne(k market.Kind, sym string, ts int64) *market.Event {
	e := h.event(k, sym, ts)
	h.publish([][]*market.Event{{e}})
	h.dropOverflowed()
	return e
}

// drain pops everything queued for sub and decodes it.
func drain(t *testing.T, sub *Sub) []wire.Message {
	t.Helper()
	var out []wire.Message
	for _, it := range sub.Q.Pop(nil, 1<<20) {
		b := it.Own
		if it.Frame != nil {
			b = it.Frame.WS(wire.JSON)
		}
		// Strip the WebSocket header: text frames from the hub are unmasked.
		payload := b[2:]
		if b[1] == 126 {
			payload = b[4:]
		}
		m, err := wire.Decode(wire.JSON, payload)
		if err != nil {
			t.Fatalf("decode %q: %v", payload, err)
		}
		out = append(out, m)
	}
	return out
}

func types(ms []wire.Message) string {
	var s []string
	for _, m := range ms {
		s = append(s, m.Kind().String())
	}
	return strings.Join(s, ",")
}

func (h *testHub) sub(t *testing.T) *Sub {
	s := h.NewSub(WSText, Limits{})
	if err := h.Add(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	h.run()
	return s
}

func (h *testHub) subscribe(t *testing.T, s *Sub, r Request) {
	if err := h.Subscribe(context.Background(), s, r); err != nil {
		t.Fatal(err)
	}
	h.run()
}

func TestSubscribeFresh(t *testing.T) {
	h := newTestHub(nil)
	h.publishOne(market.KindBook, "BTC-USD", 1)
	h.publishOne(market.KindQuote, "BTC-USD", 2)
	h.publishOne(market.KindQuote, "BTC-USD", 3)
	h.publishOne(market.KindTrade, "BTC-USD", 4)
	s := h.sub(t)
	h.subscribe(t, s, Request{ID: wire.SomeID(9), Streams: []*Stream{h.Lookup("book", "BTC-USD"), h.Lookup("quote", "BTC-USD"), h.Lookup("trades", "BTC-USD")}})
	got := drain(t, s)
	// subscribed, the book snapshot, the latest quote; no old trade.
	if types(got) != "subscribed,book_snapshot,quote" {
		t.Fatalf("got %s", types(got))
	}
	if r := got[0].(*wire.Subscribed); r.ID != wire.SomeID(9) || len(r.Streams) != 3 || r.Streams[0] != "book:BTC-USD" {
		t.Fatalf("reply %+v", r)
	}
	snap := got[1].(*wire.BookSnapshot)
	if snap.Seq != 1 || snap.CS != 7 || len(snap.Bids) != 1 || snap.Bids[0].Px != "99.00" {
		t.Fatalf("snapshot %+v", snap)
	}
	if q := got[2].(*wire.Quote); q.Seq != 2 {
		t.Fatalf("latest quote seq %d, want 2", q.Seq)
	}
	h.publishOne(market.KindTrade, "BTC-USD", 5)
	h.publishOne(market.KindTrade, "ETH-USD", 5) // not subscribed
	if got := drain(t, s); types(got) != "trade" || got[0].(*wire.Trade).Seq != 2 {
		t.Fatalf("live: %s", types(got))
	}
}

func TestSubscribeResume(t *testing.T) {
	h := newTestHub(nil)
	for i := range 10 {
		h.publishOne(market.KindTrade, "BTC-USD", int64(i))
	}
	trades := h.Lookup("trades", "BTC-USD")
	cases := []struct {
		name  string
		epoch string
		since uint64
		want  string
		first uint64
	}{
		{"missed messages replayed", "ep1", 6, "subscribed,trade,trade,trade,trade", 7},
		{"nothing missed", "ep1", 10, "subscribed", 0},
		{"no epoch means this one", "", 8, "subscribed,trade,trade", 9},
		{"other epoch", "ep0", 6, "subscribed,reset", 0},
		{"since beyond this history", "ep1", 11, "subscribed,reset", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := h.sub(t)
			h.subscribe(t, s, Request{Streams: []*Stream{trades}, Epoch: tc.epoch, Since: map[string]uint64{"trades:BTC-USD": tc.since}})
			got := drain(t, s)
			if types(got) != tc.want {
				t.Fatalf("got %s, want %s", types(got), tc.want)
			}
			if tc.first != 0 && got[1].(*wire.Trade).Seq != tc.first {
				t.Fatalf("first replayed seq %d, want %d", got[1].(*wire.Trade).Seq, tc.first)
			}
			if r, ok := got[len(got)-1].(*wire.Reset); ok && r.Reason != map[bool]string{true: wire.ResetEpochChanged, false: wire.ResetHistoryExpired}[tc.epoch == "ep0"] {
				t.Fatalf("reset %+v", r)
			}
		})
	}
}

func TestResumeExpiredHistory(t *testing.T) {
	h := newTestHub(func(c *Config) { c.HistoryMessages, c.HistoryAge = 5, time.Nanosecond })
	h.publishOne(market.KindBook, "BTC-USD", 0)
	for i := range 20 {
		h.publishOne(market.KindTrade, "BTC-USD", int64(10+i))
	}
	s := h.sub(t)
	h.subscribe(t, s, Request{Epoch: "ep1", Streams: []*Stream{h.Lookup("trades", "BTC-USD"), h.Lookup("book", "BTC-USD")},
		Since: map[string]uint64{"trades:BTC-USD": 3, "book:BTC-USD": 0}})
	got := drain(t, s)
	if types(got) != "subscribed,reset,reset,book_snapshot" {
		t.Fatalf("got %s", types(got))
	}
	if r := got[1].(*wire.Reset); r.Reason != wire.ResetHistoryExpired || r.Ch != "trades" {
		t.Fatalf("reset %+v", r)
	}
	// 16 trades, the newest 5 held: since 15 is resumable, since 14 not.
	s2 := h.sub(t)
	h.subscribe(t, s2, Request{Streams: []*Stream{h.Lookup("trades", "BTC-USD")}, Since: map[string]uint64{"trades:BTC-USD": 15}})
	if got := drain(t, s2); types(got) != "subscribed,trade,trade,trade,trade,trade" {
		t.Fatalf("resume at the edge: %s", types(got))
	}
}

func TestHistoryKeepsAgeOrCount(t *testing.T) {
	h := newTestHub(func(c *Config) { c.HistoryMessages, c.HistoryAge, c.HistoryMax = 3, 10, 8 })
	for i := range 6 {
		h.publishOne(market.KindTrade, "BTC-USD", int64(i)) // all within 10 ns: age keeps them
	}
	if h.hist.all.n != 6 {
		t.Fatalf("held %d, want 6 (all younger than the age limit)", h.hist.all.n)
	}
	h.publishOne(market.KindTrade, "BTC-USD", 100) // the others are now old: the count rules
	if h.hist.all.n != 3 {
		t.Fatalf("held %d, want 3", h.hist.all.n)
	}
	for i := range 20 {
		h.publishOne(market.KindTrade, "BTC-USD", 100+int64(i)%3) // young again, but capped
	}
	if h.hist.all.n > 8 {
		t.Fatalf("held %d, over HistoryMax 8", h.hist.all.n)
	}
	if h.Lookup("trades", "BTC-USD").hist.n != h.hist.all.n {
		t.Fatal("stream history out of step with the global history")
	}
}

func TestTooManySubscriptions(t *testing.T) {
	h := newTestHub(func(c *Config) { c.MaxSubscriptions = 2 })
	s := h.sub(t)
	h.subscribe(t, s, Request{Streams: []*Stream{h.Lookup("trades", "BTC-USD"), h.Lookup("quote", "BTC-USD")}})
	h.subscribe(t, s, Request{ID: wire.SomeID(4), Streams: []*Stream{h.Lookup("trades", "ETH-USD")}})
	got := drain(t, s)
	if types(got) != "subscribed,error" || got[1].(*wire.Error).Code != wire.CodeTooManySubscriptions || got[1].(*wire.Error).ID != wire.SomeID(4) {
		t.Fatalf("got %s", types(got))
	}
	// Re-subscribing a stream already held does not count twice.
	h.subscribe(t, s, Request{Streams: []*Stream{h.Lookup("trades", "BTC-USD")}})
	if got := drain(t, s); types(got) != "subscribed" {
		t.Fatalf("got %s", types(got))
	}
}

func TestSSEResumeByOffset(t *testing.T) {
	h := newTestHub(nil)
	for i := range 6 {
		h.publishOne(market.KindTrade, []string{"BTC-USD", "ETH-USD"}[i%2], int64(i))
	}
	s := h.NewSub(SSE, Limits{})
	_ = h.Add(context.Background(), s)
	_ = h.SubscribeSSE(context.Background(), s, []*Stream{h.Lookup("trades", "BTC-USD")}, "ep1", 2, true)
	h.run()
	items := s.Q.Pop(nil, 100)
	var offs []uint64
	for _, it := range items {
		offs = append(offs, it.Frame.Off)
	}
	if len(offs) != 2 || offs[0] != 3 || offs[1] != 5 {
		t.Fatalf("replayed offsets %v, want [3 5]", offs)
	}
	rec := string(items[0].Frame.SSE("ep1"))
	if !strings.HasPrefix(rec, "id: ep1:3\nevent: trade\ndata: {") || !strings.HasSuffix(rec, "}\n\n") {
		t.Fatalf("record %q", rec)
	}
	// An offset this history never reached: a reset, not silence.
	s3 := h.NewSub(SSE, Limits{})
	_ = h.Add(context.Background(), s3)
	_ = h.SubscribeSSE(context.Background(), s3, []*Stream{h.Lookup("trades", "BTC-USD")}, "ep1", 99, true)
	h.run()
	if items := s3.Q.Pop(nil, 100); len(items) != 1 || !strings.Contains(string(items[0].Own), "history_expired") {
		t.Fatalf("offset beyond history: %v", items)
	}
	// Another epoch: a reset record per stream.
	s2 := h.NewSub(SSE, Limits{})
	_ = h.Add(context.Background(), s2)
	_ = h.SubscribeSSE(context.Background(), s2, []*Stream{h.Lookup("trades", "BTC-USD")}, "old", 2, true)
	h.run()
	items = s2.Q.Pop(nil, 100)
	if len(items) != 1 || !strings.Contains(string(items[0].Own), "event: reset\ndata: {\"t\":\"reset\",\"ch\":\"trades\",\"s\":\"BTC-USD\",\"reason\":\"epoch_changed\"}") {
		t.Fatalf("reset: %v", items)
	}
}

func TestPrivateRouting(t *testing.T) {
	h := newTestHub(nil)
	a, b, other := h.sub(t), h.sub(t), h.sub(t)
	auth := func(s *Sub, acct string) {
		h.publish([][]*market.Event{{{Kind: market.KindAuthed, Account: acct, Direct: true, Origin: market.Origin{Session: s.ID, ID: 1, HasID: true}}}})
	}
	auth(a, "acct1")
	auth(b, "acct1")
	auth(other, "acct2")
	for _, s := range []*Sub{a, b, other} {
		if got := drain(t, s); types(got) != "authed" {
			t.Fatalf("auth answer %s", types(got))
		}
	}
	ord := &market.Event{Kind: market.KindOrder, Account: "acct1", Symbol: "BTC-USD", Seq: 3,
		Origin: market.Origin{Session: a.ID, ID: 42, HasID: true},
		Order:  &market.OrderUpdate{OID: 7, CID: "c", Side: "buy", Type: "limit", TIF: "gtc", Qty: market.MustParseDec("1"), Filled: market.MustParseDec("0"), Status: "new"}}
	h.publish([][]*market.Event{{ord}})
	ga, gb, go2 := drain(t, a), drain(t, b), drain(t, other)
	if len(ga) != 1 || ga[0].(*wire.Order).ID != wire.SomeID(42) {
		t.Fatalf("origin session: %+v", ga)
	}
	if len(gb) != 1 || gb[0].(*wire.Order).ID.Valid {
		t.Fatalf("other session of the account: %+v", gb)
	}
	if len(go2) != 0 {
		t.Fatalf("another account saw %s", types(go2))
	}
	direct := &market.Event{Kind: market.KindError, Account: "acct1", Direct: true, Origin: market.Origin{Session: b.ID, ID: 5, HasID: true},
		Reply: &market.Reply{Code: "unknown_order", Msg: "no such open order"}}
	h.publish([][]*market.Event{{direct}})
	if len(drain(t, a)) != 0 || types(drain(t, b)) != "error" {
		t.Fatal("direct reply misrouted")
	}
	_ = h.Remove(context.Background(), b)
	h.run()
	h.publish([][]*market.Event{{ord}})
	if len(drain(t, b)) != 0 || len(drain(t, a)) != 1 {
		t.Fatal("removed session still routed")
	}
}

func TestSlowSubscriberDropped(t *testing.T) {
	h := newTestHub(nil)
	slow := h.NewSub(WSBinary, Limits{MaxBytes: 500})
	_ = h.Add(context.Background(), slow)
	h.run()
	h.subscribe(t, slow, Request{Streams: []*Stream{h.Lookup("trades", "BTC-USD")}})
	fast := h.sub(t)
	h.subscribe(t, fast, Request{Streams: []*Stream{h.Lookup("trades", "BTC-USD")}})
	for i := range 50 {
		h.publishOne(market.KindTrade, "BTC-USD", int64(i))
		drain(t, fast)
	}
	if !slow.Q.Overflowed() || len(h.Lookup("trades", "BTC-USD").subs) != 1 {
		t.Fatalf("overflowed %v subs %d", slow.Q.Overflowed(), len(h.Lookup("trades", "BTC-USD").subs))
	}
}

// TestResumeInOffsetOrder: a resume of several streams replays their
// missed messages merged in the order the feed published them.
func TestResumeInOffsetOrder(t *testing.T) {
	h := newTestHub(nil)
	for i := range 12 {
		h.publishOne([]market.Kind{market.KindTrade, market.KindBook, market.KindTrade}[i%3], "BTC-USD", int64(i))
	}
	s := h.sub(t)
	h.subscribe(t, s, Request{Epoch: "ep1", Streams: []*Stream{h.Lookup("trades", "BTC-USD"), h.Lookup("book", "BTC-USD")},
		Since: map[string]uint64{"trades:BTC-USD": 2, "book:BTC-USD": 1}})
	var offs []uint64
	for _, it := range s.Q.Pop(nil, 100) {
		if it.Frame != nil {
			offs = append(offs, it.Frame.Off)
		}
	}
	if len(offs) != 9 {
		t.Fatalf("replayed %d frames (%v), want 9", len(offs), offs)
	}
	for i := 1; i < len(offs); i++ {
		if offs[i] <= offs[i-1] {
			t.Fatalf("offsets out of order: %v", offs)
		}
	}
}

// TestSeedBook: a book_snapshot published by the venue (its state after a
// warm start) becomes the hub's book: a subscriber already on the stream
// gets it in place of the book it had, a new one gets it, the deltas that
// follow apply on top of it, and it is no message of the history.
func TestSeedBook(t *testing.T) {
	h := newTestHub(nil)
	early := h.sub(t)
	book := h.Lookup("book", "BTC-USD")
	h.subscribe(t, early, Request{ID: wire.SomeID(1), Streams: []*Stream{book}})
	if got := drain(t, early); types(got) != "subscribed,book_snapshot" || got[1].(*wire.BookSnapshot).Seq != 0 {
		t.Fatalf("before the seed: %s", types(got))
	}
	// The venue's state: 40 deltas and 500 offsets went by unbuilt.
	h.off, h.seqs["bookBTC-USD"] = 500, 40
	snap := &market.Event{Kind: market.KindBookSnapshot, Symbol: "BTC-USD", Seq: 40, Off: 500, TS: 9, Epoch: "ep1", Book: &market.BookData{
		Bids: []market.PriceLevel{{market.MustParseDec("99.00"), market.MustParseDec("1.0000")}, {market.MustParseDec("98.00"), market.MustParseDec("3.0000")}}, Asks: []market.PriceLevel{{market.MustParseDec("101.00"), market.MustParseDec("2.0000")}}, Checksum: 77}}
	h.publish([][]*market.Event{{snap}})
	got := drain(t, early)
	if types(got) != "book_snapshot" {
		t.Fatalf("the early subscriber got %s, want the seeded book_snapshot", types(got))
	}
	if s := got[0].(*wire.BookSnapshot); s.Seq != 40 || s.Off != 500 || s.CS != 77 || len(s.Bids) != 2 || len(s.Asks) != 1 {
		t.Fatalf("seeded snapshot %+v", s)
	}
	delta := h.publishOne(market.KindBook, "BTC-USD", 10) // seq 41: 99.00 stays 1.0000
	if delta.Seq != 41 {
		t.Fatalf("setup: delta seq %d", delta.Seq)
	}
	if got := drain(t, early); types(got) != "book" || got[0].(*wire.BookDelta).Seq != 41 {
		t.Fatalf("live after the seed: %s", types(got))
	}
	late := h.sub(t)
	h.subscribe(t, late, Request{ID: wire.SomeID(2), Streams: []*Stream{book}})
	got = drain(t, late)
	if types(got) != "subscribed,book_snapshot" {
		t.Fatalf("late subscriber: %s", types(got))
	}
	if s := got[1].(*wire.BookSnapshot); s.Seq != 41 || s.CS != 7 || len(s.Bids) != 2 || s.Bids[1].Px != "98.00" {
		t.Fatalf("late snapshot %+v: want the seeded book with delta 41 on top", s)
	}
	// Resuming from before the seed cannot be replayed: reset and a
	// snapshot. From the seed on, it can.
	for _, tc := range []struct {
		since uint64
		want  string
	}{{39, "subscribed,reset,book_snapshot"}, {40, "subscribed,book"}} {
		s := h.sub(t)
		h.subscribe(t, s, Request{ID: wire.SomeID(3), Streams: []*Stream{book}, Since: map[string]uint64{book.Name: tc.since}})
		if got := types(drain(t, s)); got != tc.want {
			t.Errorf("resume since %d: %s, want %s", tc.since, got, tc.want)
		}
	}
}
