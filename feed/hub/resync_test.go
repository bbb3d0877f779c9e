package hub

import (
	"context"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/market"
)

// TestResync: over a hole, subscribers get a reset per stream and the
// new book; the history from before it is gone (resuming from there is a
// reset), and what follows the new state resumes normally.
func TestResync(t *testing.T) {
	h := newTestHub(nil)
	for i := range 5 {
		h.publishOne(market.KindTrade, "BTC-USD", int64(i))
		h.publishOne(market.KindBook, "BTC-USD", int64(i))
	}
	trades, book := h.Lookup("trades", "BTC-USD"), h.Lookup("book", "BTC-USD")
	live := h.sub(t)
	h.subscribe(t, live, Request{Streams: []*Stream{trades, book}})
	drain(t, live)
	// Events 11..99 never arrived; the state at 100 has the book at seq 40.
	h.off, h.seqs["tradesBTC-USD"], h.seqs["bookBTC-USD"] = 100, 30, 40
	snap := &market.Event{Kind: market.KindBookSnapshot, Symbol: "BTC-USD", Seq: 40, Off: 99, TS: 50, Epoch: "ep1",
		Book: &market.BookData{Bids: []market.PriceLevel{{market.MustParseDec("98.00"), market.MustParseDec("2.0000")}}, Asks: []market.PriceLevel{}, Checksum: 5}}
	h.resync(100, []*market.Event{snap})
	got := drain(t, live)
	if types(got) != "reset,reset,book_snapshot" {
		t.Fatalf("live subscriber got %s", types(got))
	}
	for _, m := range got[:2] {
		if r := m.(*wire.Reset); r.Reason != wire.ResetHistoryExpired {
			t.Fatalf("reset %+v", r)
		}
	}
	if s := got[2].(*wire.BookSnapshot); s.Seq != 40 || s.CS != 5 {
		t.Fatalf("snapshot %+v", s)
	}
	h.publishOne(market.KindTrade, "BTC-USD", 60) // seq 31, off 101
	if got := drain(t, live); types(got) != "trade" || got[0].(*wire.Trade).Seq != 31 {
		t.Fatalf("after the resync: %s", types(got))
	}
	for _, tc := range []struct {
		name  string
		since uint64
		want  string
	}{
		{"from before the hole", 3, "subscribed,reset"},
		{"from the new state", 30, "subscribed,trade"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := h.sub(t)
			h.subscribe(t, s, Request{Streams: []*Stream{trades}, Since: map[string]uint64{trades.Name: tc.since}})
			if got := types(drain(t, s)); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

// TestResumeWaitsForPosition: with ResumeWait, a resume from a seq (or an
// SSE offset) the hub has not reached yet waits for it instead of a reset;
// past the wait it is answered reset as before.
func TestResumeWaitsForPosition(t *testing.T) {
	h := newTestHub(func(c *Config) { c.ResumeWait = time.Hour })
	for i := range 3 {
		h.publishOne(market.KindTrade, "BTC-USD", int64(i))
	}
	trades := h.Lookup("trades", "BTC-USD")
	s := h.sub(t)
	h.subscribe(t, s, Request{Streams: []*Stream{trades}, Epoch: "ep1", Since: map[string]uint64{trades.Name: 5}})
	if got := drain(t, s); len(got) != 0 {
		t.Fatalf("answered before the hub reached seq 5: %s", types(got))
	}
	v := h.sub(t)
	if err := h.SubscribeSSE(context.Background(), v, []*Stream{trades}, "ep1", 6, true); err != nil {
		t.Fatal(err)
	}
	h.run()
	for i := range 4 { // seqs 4..7, offsets 4..7
		h.publishOne(market.KindTrade, "BTC-USD", int64(10+i))
		h.retryDeferred()
	}
	if got := drain(t, s); types(got) != "subscribed,trade,trade" || got[1].(*wire.Trade).Seq != 6 {
		t.Fatalf("resumed: %s", types(got))
	}
	if got := drain(t, v); types(got) != "trade" || got[0].(*wire.Trade).Off != 7 {
		t.Fatalf("SSE resumed: %s", types(got))
	}
	// Never reached: reset once the wait is over.
	h.cfg.ResumeWait = time.Millisecond
	late := h.sub(t)
	h.subscribe(t, late, Request{Streams: []*Stream{trades}, Epoch: "ep1", Since: map[string]uint64{trades.Name: 99}})
	time.Sleep(2 * time.Millisecond)
	h.retryDeferred()
	if got := drain(t, late); types(got) != "subscribed,reset" {
		t.Fatalf("past the wait: %s", types(got))
	}
}
