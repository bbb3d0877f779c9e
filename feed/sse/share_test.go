package sse

import (
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/market"
)

// subscribed adds n SSE subscribers of stream ch:sym straight on the hub.
func (f *fakeFeed) subscribed(n int, ch, sym string) []*hub.Sub {
	f.t.Helper()
	ctx := ctxTimeout(f.t, 5*time.Second)
	out := make([]*hub.Sub, n)
	for i := range out {
		out[i] = f.Hub.NewSub(hub.SSE, hub.Limits{})
		if f.Hub.Add(ctx, out[i]) != nil || f.Hub.SubscribeSSE(ctx, out[i], []*hub.Stream{f.Hub.Lookup(ch, sym)}, "", 0, false) != nil {
			f.t.Fatal("subscribe")
		}
	}
	f.sync()
	return out
}

// TestRecordSharedWithWebSocketJSON: the hub encodes a message once; every
// SSE viewer writes the same record bytes, built once, whose data is the
// very payload of the WebSocket JSON text frame (the same backing array,
// not a copy).
func TestRecordSharedWithWebSocketJSON(t *testing.T) {
	t.Parallel()
	f := newFeed(t)
	subs := f.subscribed(3, "trades", "BTC-USD")
	f.publish(trade("BTC-USD", "64250.50"))
	var frames []*hub.Frame
	for _, s := range subs {
		items := s.Q.Pop(nil, 10)
		if len(items) != 1 || items[0].Frame == nil {
			t.Fatalf("queued %+v", items)
		}
		frames = append(frames, items[0].Frame)
	}
	fr := frames[0]
	rec := fr.SSE(testEpoch)
	for i, other := range frames {
		if other != fr {
			t.Fatalf("subscriber %d got another frame", i)
		}
		if r := other.SSE(testEpoch); unsafe.SliceData(r) != unsafe.SliceData(rec) {
			t.Fatalf("subscriber %d: the record was built again", i)
		}
	}
	js := fr.JSON()
	if unsafe.SliceData(js) != &fr.Text[len(fr.Text)-len(js)] {
		t.Fatal("JSON() is not the text frame's payload")
	}
	want := "id: " + id(1) + "\nevent: trade\ndata: " + string(js) + "\n\n"
	if string(rec) != want {
		t.Fatalf("record\n%q\nwant\n%q", rec, want)
	}
	if !json.Valid(js) || strings.ContainsAny(string(js), "\r\n") {
		t.Fatalf("payload %q", js)
	}
}

// discardConn is a connection that takes every write.
type discardConn struct{ net.Conn }

func (discardConn) Write(b []byte) (int, error)      { return len(b), nil }
func (discardConn) SetWriteDeadline(time.Time) error { return nil }

// TestDrainAllocs guards the hot path: writing queued shared frames to a
// viewer allocates nothing per event.
func TestDrainAllocs(t *testing.T) {
	f := newFeed(t)
	src := f.subscribed(1, "trades", "BTC-USD")[0]
	var batch []*market.Event
	for i := 0; i < 16; i++ {
		batch = append(batch, trade("BTC-USD", "1.00"))
	}
	f.publish(batch...)
	var frames []*hub.Frame
	for _, it := range src.Q.Pop(nil, 100) {
		frames = append(frames, it.Frame)
		it.Frame.SSE(testEpoch) // built by the first viewer, as in service
	}
	v := &viewer{sub: f.Hub.NewSub(hub.SSE, hub.Limits{}), conn: discardConn{}, chunked: true}
	items := make([]hub.Item, 0, popMax)
	var recs [][]byte
	done := make(chan struct{})
	var ok bool
	allocs := testing.AllocsPerRun(200, func() {
		for _, fr := range frames {
			v.sub.Q.Push(fr)
		}
		items, recs, _, ok = f.SSE.drain(v, testEpoch, items, recs, done)
	})
	if !ok || allocs != 0 {
		t.Fatalf("%.1f allocations per batch of %d events (ok %v), want 0", allocs, len(frames), ok)
	}
}
