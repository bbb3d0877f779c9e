package bus_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/bus"
	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/market"
	"github.com/tickcast/tickcast/market/sim"
)

// tee publishes every batch in process to one bus, and encoded, decoded
// again, to another: what an engine and an edge in two processes do.
type tee struct {
	t      *testing.T
	local  *bus.Memory
	remote *bus.Memory
	mu     sync.Mutex
	size   int
	events int
}

func (p *tee) Publish(batch []*market.Event) {
	p.local.Publish(batch)
	b, err := bus.MarshalBatch(nil, batch)
	if err != nil {
		p.t.Error(err)
		return
	}
	p.mu.Lock()
	p.size += len(b)
	p.events += len(batch)
	p.mu.Unlock()
	back, err := bus.UnmarshalBatch(b)
	if err != nil {
		p.t.Error(err)
		return
	}
	p.remote.Publish(back)
}

// TestBatchCrossesAsBytes: a hub fed with batches that went through
// MarshalBatch and UnmarshalBatch relays, to every kind of subscriber,
// byte for byte what a hub fed in process relays: public streams, replies
// and private messages alike.
func TestBatchCrossesAsBytes(t *testing.T) {
	p := &tee{t: t, local: bus.NewMemory(), remote: bus.NewMemory()}
	m, err := sim.New(sim.Config{Seed: 5, Rate: 20})
	if err != nil {
		t.Fatal(err)
	}
	v, err := market.New(market.Config{Publisher: p, Seed: 5, Actors: []market.Actor{m}})
	if err != nil {
		t.Fatal(err)
	}
	var syms []string
	for _, in := range v.Instruments() {
		syms = append(syms, in.Symbol)
	}
	hcfg := hub.Config{Symbols: syms, Epoch: v.Epoch(), HistoryMessages: 1 << 20}
	hubs := []*hub.Hub{hub.New(hcfg, p.local), hub.New(hcfg, p.remote)}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, h := range hubs {
		wg.Add(1)
		go func() { defer wg.Done(); _ = h.Run(ctx) }()
	}
	vctx, stopVenue := context.WithCancel(ctx)
	vdone := make(chan struct{})
	go func() { defer close(vdone); _ = v.Run(vctx) }()
	defer cancel()

	// One subscriber per transport on each hub, on every stream. Both hubs
	// number their subscribers alike, so a reply addressed to a session
	// finds its twin on the other hub.
	transports := []hub.Transport{hub.WSBinary, hub.WSText, hub.SSE}
	subs := make([][]*hub.Sub, len(hubs))
	for i, h := range hubs {
		var streams []*hub.Stream
		for _, ch := range hub.Channels {
			for _, s := range syms {
				streams = append(streams, h.Lookup(ch, s))
			}
		}
		for _, tr := range transports {
			sub := h.NewSub(tr, hub.Limits{MaxBytes: 1 << 30, MaxDelay: time.Hour})
			if err := h.Add(ctx, sub); err != nil {
				t.Fatal(err)
			}
			if tr == hub.SSE {
				err = h.SubscribeSSE(ctx, sub, streams, "", 0, false)
			} else {
				err = h.Subscribe(ctx, sub, hub.Request{ID: wire.SomeID(1), Streams: streams})
			}
			if err != nil {
				t.Fatal(err)
			}
			subs[i] = append(subs[i], sub)
		}
	}
	// A trader on the msgpack session (ID 1 on both hubs): auth, orders
	// that rest and orders that trade, a cancel.
	acct, _, err := v.CreateAccount(ctx)
	if err != nil {
		t.Fatal(err)
	}
	session := subs[0][0].ID
	if subs[1][0].ID != session {
		t.Fatalf("twin sessions have IDs %d and %d", session, subs[1][0].ID)
	}
	origin := func(id int64) market.Origin { return market.Origin{Session: session, ID: id, HasID: true} }
	if err := v.Auth(origin(2), acct, false); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		side := []string{"buy", "sell"}[i%2]
		typ := []string{"limit", "market"}[i/2%2]
		r := market.OrderRequest{CID: fmt.Sprintf("c%d", i), Symbol: "ETH-USD", Side: side, Type: typ, Qty: "0.010"}
		if typ == "limit" {
			r.Px = []string{"2990.00", "3010.00"}[i%2]
		}
		if err := v.PlaceOrder(origin(int64(10+i)), acct, r); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := v.CancelAll(origin(99), acct, ""); err != nil {
		t.Fatal(err)
	}
	// Enough traffic for every kind of message, however loaded the machine.
	deadline := time.Now().Add(30 * time.Second)
	for {
		p.mu.Lock()
		n := p.events
		p.mu.Unlock()
		if n >= 3000 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Stop as the server does: the venue, then the buses; each hub relays
	// what its bus still holds and returns.
	stopVenue()
	<-vdone
	p.local.Close()
	p.remote.Close()
	wg.Wait()

	for k, tr := range transports {
		var out [2][]byte
		var n [2]int
		for i := range hubs {
			for _, it := range subs[i][k].Q.Pop(nil, 1<<30) {
				b := it.Own
				if it.Frame != nil {
					if tr == hub.SSE {
						b = it.Frame.SSE(v.Epoch())
					} else {
						b = it.Frame.WS(tr.Format())
					}
				}
				out[i] = append(out[i], b...)
				n[i]++
			}
		}
		if n[0] < 500 {
			t.Fatalf("transport %d: only %d messages relayed", tr, n[0])
		}
		if tr == hub.WSBinary { // the trader's session: every kind of message
			for _, typ := range []string{"authed", "order", "fill", "account", "canceled_all", "trade", "book", "quote", "ticker", "candle"} {
				key := append([]byte{0xa1, 't', 0xa0 | byte(len(typ))}, typ...) // "t": typ in msgpack
				if !bytes.Contains(out[0], key) {
					t.Errorf("no %s message among the %d relayed", typ, n[0])
				}
			}
		}
		if !bytes.Equal(out[0], out[1]) {
			i := 0
			for i < min(len(out[0]), len(out[1])) && out[0][i] == out[1][i] {
				i++
			}
			t.Fatalf("transport %d: %d messages in process, %d across; first difference at byte %d:\n%q\n%q",
				tr, n[0], n[1], i, out[0][max(i-80, 0):min(i+80, len(out[0]))], out[1][max(i-80, 0):min(i+80, len(out[1]))])
		}
	}
	t.Logf("%d bytes of encoded batches", p.size)
}

// TestUnmarshalBatchChecksDecimals: a decimal crosses as its text and comes
// back the same Dec; text the venue would not write (an exponent, a
// leading zero, more than int64) is refused.
func TestUnmarshalBatchChecksDecimals(t *testing.T) {
	px := market.MakeDec(12345, 2)
	b, err := bus.MarshalBatch(nil, []*market.Event{{Kind: market.KindTrade, Symbol: "BTC-USD", Trade: &market.Trade{ID: 1, Px: px, Qty: market.MakeDec(5, 0), Side: "buy"}}})
	if err != nil {
		t.Fatal(err)
	}
	back, err := bus.UnmarshalBatch(b)
	if err != nil || len(back) != 1 || back[0].Trade.Px != px || back[0].Trade.Qty.String() != "5" {
		t.Fatalf("decoded %+v, %v", back, err)
	}
	for _, bad := range []string{"1e2345", "0123.45", "99999999999999999999", "1.", "-0", "1.5 "} {
		// Px as a msgpack fixstr: its length in the tag byte.
		c := bytes.Replace(b, []byte("\xa6123.45"), append([]byte{0xa0 | byte(len(bad))}, bad...), 1)
		if bytes.Equal(c, b) {
			t.Fatal("no price in the encoded batch")
		}
		if _, err := bus.UnmarshalBatch(c); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
