package hub

import (
	"runtime"
	"testing"

	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/market"
)

// publish routes and relays batches at once, as if just taken from the
// bus: how the tests drive a hub that does not run.
func (h *Hub) publish(batches [][]*market.Event) {
	for _, b := range batches {
		h.backlog = append(h.backlog, b)
		h.routeBatch(b)
	}
	h.relay()
}

// TestReplyTakenBetweenPublicEvents: a batch the venue publishes while the
// hub fans out an earlier one has its reply routed before the earlier
// batch's next public event, and its public events follow the earlier
// ones, in order.
func TestReplyTakenBetweenPublicEvents(t *testing.T) {
	h, src, viewer, trader, first, reply := relayScene(t)
	drain(t, viewer) // subscribed
	later := h.event(market.KindTrade, "BTC-USD", 3)
	src <- []*market.Event{reply, later}

	// When the reply is routed, the viewer has the first public event and
	// not yet the second.
	atReply := -1
	trader.Answered = func(Answer) { atReply = viewer.Q.Len() }
	h.publish([][]*market.Event{first})
	if atReply != 1 {
		t.Fatalf("the viewer had %d trades queued when the trader's reply was routed, want 1 (the reply taken between the first and second public events)", atReply)
	}
	var ids []uint64
	for _, m := range drain(t, viewer) {
		if tr, ok := m.(*wire.Trade); ok {
			ids = append(ids, tr.ID)
		}
	}
	if len(ids) != 3 || ids[0] >= ids[1] || ids[1] >= ids[2] {
		t.Fatalf("the viewer got trades %v, want the three in order", ids)
	}
	if got := drain(t, trader); len(got) != 1 || got[0].Kind() != wire.KindAuthed {
		t.Fatalf("the trader got %s, want its authed", types(got))
	}
	if len(src) != 0 || len(h.backlog) != 0 {
		t.Fatalf("left %d on the bus and %d in the backlog", len(src), len(h.backlog))
	}
}

// TestReplyTakenWithinAFanOut: a batch the venue publishes while the hub
// fans an event out to many subscribers has its reply routed after at
// most arrivedSubs more of them got the event, not after all: at 10,000
// subscribers on one core one event's fan-out took milliseconds, and a
// trader's ack waited for it (server-side order round trip p99 4–10 ms,
// 1–2.5 ms once taken within; BENCHMARKS.md "Seventh round").
func TestReplyTakenWithinAFanOut(t *testing.T) {
	h, src, trader, viewers, reply := fanOutScene(t)
	src <- []*market.Event{reply}
	atReply := -1
	trader.Answered = func(Answer) {
		atReply = 0
		for _, v := range viewers {
			atReply += v.Q.Len()
		}
	}
	h.publish([][]*market.Event{{h.event(market.KindTrade, "BTC-USD", 1)}})
	if atReply < 1 || atReply > arrivedSubs {
		t.Fatalf("%d of %d subscribers had the trade when the reply published during its fan-out was routed, want 1 to %d", atReply, len(viewers), arrivedSubs)
	}
	for i, v := range viewers {
		if v.Q.Len() != 1 {
			t.Fatalf("subscriber %d has %d messages queued, want the trade", i, v.Q.Len())
		}
	}
	if got := drain(t, trader); len(got) != 1 || got[0].Kind() != wire.KindAuthed {
		t.Fatalf("the trader got %s, want its authed", types(got))
	}
}

// TestRequestWaitingStopsTakesWithinAFanOut: with a control request
// waiting, the hub takes no batch inside a fan-out either, as between
// events (TestSubscribeSeesWhatWasAcked).
func TestRequestWaitingStopsTakesWithinAFanOut(t *testing.T) {
	h, src, trader, _, reply := fanOutScene(t)
	src <- []*market.Event{reply}
	if err := h.do(t.Context(), func() {}); err != nil { // a request waits
		t.Fatal(err)
	}
	h.publish([][]*market.Event{{h.event(market.KindTrade, "BTC-USD", 1)}})
	if trader.Q.Len() != 0 || len(src) != 1 {
		t.Fatalf("with a request waiting the hub took the next batch within a fan-out (trader queue %d, bus %d)", trader.Q.Len(), len(src))
	}
}

// fanOutScene is relayScene with 16×arrivedSubs viewers on BTC-USD's
// trades, their subscription replies taken.
func fanOutScene(t *testing.T) (h *testHub, src chan []*market.Event, trader *Sub, viewers []*Sub, reply *market.Event) {
	t.Helper()
	h, src, _, trader, _, reply = relayScene(t)
	trades := h.Lookup("trades", "BTC-USD")
	viewers = make([]*Sub, 16*arrivedSubs)
	for i := range viewers {
		viewers[i] = h.sub(t)
		h.subscribe(t, viewers[i], Request{Streams: []*Stream{trades}})
		viewers[i].Q.Pop(nil, 16) // the subscription's reply
	}
	return h, src, trader, viewers, reply
}

// TestSubscribeSeesWhatWasAcked: while a subscribe (or any request that
// reads the public state) waits, the hub takes no batch in the middle of
// a relay: a batch whose ack went out has its public events relayed
// before the request runs, so a trader who has its ack and then
// subscribes finds its order in the snapshot.
func TestSubscribeSeesWhatWasAcked(t *testing.T) {
	h, src, _, trader, first, reply := relayScene(t)
	src <- []*market.Event{reply, h.event(market.KindTrade, "BTC-USD", 3)}
	if err := h.do(t.Context(), func() {}); err != nil { // a request waits
		t.Fatal(err)
	}
	h.publish([][]*market.Event{first})
	if trader.Q.Len() != 0 || len(src) != 1 {
		t.Fatalf("with a request waiting the hub took the next batch mid-relay (trader queue %d, bus %d)", trader.Q.Len(), len(src))
	}
}

// TestBetweenRunsBetweenPublicEvents: the between hook (SetBetween: where
// the WebSocket server wakes the readers of traders whose orders came in)
// runs on the hub's goroutine after a public event's fan-out, with the
// viewer holding that event and not yet the next.
func TestBetweenRunsBetweenPublicEvents(t *testing.T) {
	h := newTestHub(nil)
	viewer := h.sub(t)
	h.subscribe(t, viewer, Request{ID: wire.SomeID(1), Streams: []*Stream{h.Lookup("trades", "BTC-USD")}})
	drain(t, viewer) // subscribed
	var at []int
	h.SetBetween(func() { at = append(at, viewer.Q.Len()) })
	h.publish([][]*market.Event{{h.event(market.KindTrade, "BTC-USD", 1), h.event(market.KindTrade, "BTC-USD", 2)}})
	if len(at) == 0 || at[0] != 1 {
		t.Fatalf("the hook saw the viewer's queue at %v, want first at 1 (after the first event's fan-out)", at)
	}
	h.SetBetween(nil)
	n := len(at)
	h.publish([][]*market.Event{{h.event(market.KindTrade, "BTC-USD", 3)}})
	if len(at) != n {
		t.Fatal("the hook ran after it was removed")
	}
}

// relayScene is a hub reading from src, a viewer subscribed to BTC-USD's
// trades (its subscribed reply still queued), a trader, a batch of two
// trades and the trader's authed reply, for a batch published later.
func relayScene(t *testing.T) (h *testHub, src chan []*market.Event, viewer, trader *Sub, first []*market.Event, reply *market.Event) {
	t.Helper()
	h = newTestHub(nil)
	src = make(chan []*market.Event, 8)
	h.src = src
	viewer = h.sub(t)
	h.subscribe(t, viewer, Request{ID: wire.SomeID(1), Streams: []*Stream{h.Lookup("trades", "BTC-USD")}})
	trader = h.sub(t)
	first = []*market.Event{h.event(market.KindTrade, "BTC-USD", 1), h.event(market.KindTrade, "BTC-USD", 2)}
	reply = &market.Event{Kind: market.KindAuthed, Account: "alice", Direct: true, Origin: market.Origin{Session: trader.ID, ID: 9, HasID: true}}
	return h, src, viewer, trader, first, reply
}

// TestFanOutGivesThePAway: on one P, an event's fan-out to many
// subscribers lets the goroutines readied before it (a pool writer, the
// venue with an order) run on the way, every betweenSubs subscribers once
// yieldEvery has passed, not after the scheduler's 10 ms time slice. The
// goroutine readied here must run before the fan-out has reached a few
// times betweenSubs subscribers: without the yield it ran once all had
// the frame.
func TestFanOutGivesThePAway(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	h := newTestHub(nil)
	trades := h.Lookup("trades", "BTC-USD")
	const n = 8 * betweenSubs
	subs := make([]*Sub, n)
	for i := range subs {
		subs[i] = h.sub(t)
		h.subscribe(t, subs[i], Request{Streams: []*Stream{trades}})
		subs[i].Q.Pop(nil, 16) // the subscription's reply
	}
	h.yieldAt = 0 // yieldEvery has passed
	reached := make(chan int, 1)
	go func() { // readied now: on this P, it runs when the hub yields
		k := 0
		for _, s := range subs {
			if s.Q.Len() > 0 {
				k++
			}
		}
		reached <- k
	}()
	h.publishOne(market.KindTrade, "BTC-USD", 1)
	if k := <-reached; k > 2*betweenSubs {
		t.Fatalf("the readied goroutine ran once %d of %d subscribers had the trade, want at most %d", k, n, 2*betweenSubs)
	}
	for i, s := range subs {
		if s.Q.Len() != 1 {
			t.Fatalf("subscriber %d has %d messages after the fan-out, want the trade", i, s.Q.Len())
		}
	}
}
