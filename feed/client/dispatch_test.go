package client

import (
	"testing"

	"github.com/tickcast/tickcast/feed/wire"
)

// hotPath sets up a client tracking trades:BTC-USD with an OnMessage
// handler, as the benchmark tool uses it, and returns a function that
// dispatches the next trade.
func hotPath(t testing.TB, f wire.Format) func() {
	var n int
	c, err := newClient(Config{URL: "ws://unused", Format: f, OnMessage: func([]byte, wire.Header) { n++ }})
	if err != nil {
		t.Fatal(err)
	}
	c.trackReply(&wire.Subscribed{Streams: []string{"trades:BTC-USD"}})
	cn := &conn{format: f}
	tr := wire.Trade{Meta: wire.Meta{Ch: "trades", S: "BTC-USD", Off: 1, Ts: 1}, ID: 1, Px: "64250.50", Qty: "0.1250", Side: "buy"}
	buf := make([]byte, 0, 256)
	return func() {
		tr.Seq++
		buf = wire.Append(f, buf[:0], &tr)
		c.dispatch(cn, buf)
	}
}

// TestDispatchDoesNotAllocate guards the hot read path: header decode,
// stream tracking and the raw handler allocate nothing per message.
func TestDispatchDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	for _, f := range []wire.Format{wire.MsgPack, wire.JSON} {
		next := hotPath(t, f)
		next()
		if n := testing.AllocsPerRun(1000, next); n != 0 {
			t.Errorf("%v: %.1f allocs per message", f, n)
		}
	}
}

func BenchmarkDispatchTradeMsgpack(b *testing.B) {
	next := hotPath(b, wire.MsgPack)
	b.ReportAllocs()
	for b.Loop() {
		next()
	}
}

func BenchmarkDispatchTradeJSON(b *testing.B) {
	next := hotPath(b, wire.JSON)
	b.ReportAllocs()
	for b.Loop() {
		next()
	}
}
