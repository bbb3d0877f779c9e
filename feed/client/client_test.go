package client

import (
	"context"
	"errors"
	"net"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/internal/testkit"
)

func bothFormats(t *testing.T, fn func(t *testing.T, f wire.Format)) {
	for _, f := range []wire.Format{wire.MsgPack, wire.JSON} {
		t.Run(f.String(), func(t *testing.T) { fn(t, f) })
	}
}

func TestDialWelcome(t *testing.T) {
	bothFormats(t, func(t *testing.T, f wire.Format) {
		fs := newFakeServer(t)
		c := dial(t, fs, f, func(cfg *Config) {
			cfg.Origin = "http://example.test"
			cfg.LocalAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}
		})
		if w := c.Welcome(); w.Epoch != "E1" || w.HeartbeatMS != 15000 || w.MaxMsg != wire.MaxMessage || w.V != 1 {
			t.Errorf("welcome %+v", w)
		}
		if c.State() != StateConnected {
			t.Errorf("state %v", c.State())
		}
		fs.mu.Lock()
		origins := slices.Clone(fs.origins)
		fs.mu.Unlock()
		if !reflect.DeepEqual(origins, []string{"http://example.test"}) {
			t.Errorf("origins %v", origins)
		}
	})
}

func TestDialErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := Dial(ctx, Config{}); !errors.Is(err, ErrConfig) {
		t.Errorf("no URL: %v", err)
	}
	if _, err := Dial(ctx, Config{URL: "ws://x", Format: 7}); !errors.Is(err, ErrConfig) {
		t.Errorf("bad format: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if _, err := Dial(ctx, Config{URL: "ws://" + addr + "/ws"}); err == nil {
		t.Errorf("dial to closed port succeeded")
	}
}

func TestSubscribeAndDeliver(t *testing.T) {
	bothFormats(t, func(t *testing.T, f wire.Format) {
		fs := newFakeServer(t)
		var col collector
		c := dial(t, fs, f, col.config)
		r, err := c.Subscribe(context.Background(), []string{"trades"}, []string{"BTC-USD", "ETH-USD"})
		if err != nil {
			t.Fatal(err)
		}
		if !r.ID.Valid || !reflect.DeepEqual(r.Streams, []string{"trades:BTC-USD", "trades:ETH-USD"}) {
			t.Errorf("reply %+v", r)
		}
		got := c.Streams()
		slices.Sort(got)
		if !reflect.DeepEqual(got, []string{"trades:BTC-USD", "trades:ETH-USD"}) {
			t.Errorf("Streams() = %v", got)
		}
		for range 5 {
			fs.trade("BTC-USD", "100.00")
		}
		fs.trade("ETH-USD", "5.00")
		testkit.Eventually(t, 5*time.Second, "5 trades", func() bool { return len(col.seqs("trades", "BTC-USD")) == 5 })
		if s := col.seqs("trades", "BTC-USD"); !reflect.DeepEqual(s, upTo(5)) {
			t.Errorf("seqs %v", s)
		}
		if last, ok := c.LastSeq("trades", "BTC-USD"); !ok || last != 5 {
			t.Errorf("LastSeq = %d %v", last, ok)
		}
		testkit.Eventually(t, 5*time.Second, "eth trade", func() bool { return col.count(wire.KindTrade) == 6 })
		if _, err := c.Unsubscribe(context.Background(), []string{"trades"}, []string{"ETH-USD"}); err != nil {
			t.Fatal(err)
		}
		if got := c.Streams(); !reflect.DeepEqual(got, []string{"trades:BTC-USD"}) {
			t.Errorf("after unsubscribe: %v", got)
		}
	})
}

func TestRequestsConcurrent(t *testing.T) {
	bothFormats(t, func(t *testing.T, f wire.Format) {
		fs := newFakeServer(t)
		fs.pingJitter = true
		c := dial(t, fs, f, nil)
		ctx := context.Background()
		var mu sync.Mutex
		seen := map[uint64]bool{}
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				for range 25 {
					p, err := c.Ping(ctx)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					if seen[p.ID.Value] {
						t.Errorf("pong id %d delivered twice", p.ID.Value)
					}
					seen[p.ID.Value] = true
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(seen) != 500 {
			t.Errorf("%d distinct pongs", len(seen))
		}
	})
}

func TestOrderRequests(t *testing.T) {
	bothFormats(t, func(t *testing.T, f wire.Format) {
		fs := newFakeServer(t)
		c := dial(t, fs, f, nil)
		ctx := context.Background()
		var se *ServerError
		if _, err := c.Auth(ctx, "bad", false); !errors.As(err, &se) || se.Code != wire.CodeInvalidToken {
			t.Errorf("bad auth: %v", err)
		}
		a, err := c.Auth(ctx, "good", true)
		if err != nil || a.Account != "acc1" {
			t.Fatalf("auth: %+v %v", a, err)
		}
		o, err := c.PlaceOrder(ctx, wire.NewOrder{CID: "my-1", S: "BTC-USD", Side: wire.SideBuy, Type: wire.TypeLimit, Qty: "1.0000", Px: "100.00"})
		if err != nil || o.Status != wire.StatusNew || o.CID != "my-1" || !o.ID.Valid {
			t.Errorf("order: %+v %v", o, err)
		}
		o, err = c.PlaceOrder(ctx, wire.NewOrder{CID: "reject", S: "BTC-USD", Side: wire.SideBuy, Type: wire.TypeLimit, Qty: "1.0000", Px: "100.00"})
		if err != nil || o.Status != wire.StatusRejected || o.Reason != "insufficient_funds" {
			t.Errorf("rejected order: %+v %v", o, err)
		}
		if o, err := c.Cancel(ctx, wire.Cancel{CID: "my-1"}); err != nil || o.Status != wire.StatusCanceled {
			t.Errorf("cancel: %+v %v", o, err)
		}
		if _, err := c.Cancel(ctx, wire.Cancel{OID: wire.SomeID(5)}); !errors.As(err, &se) || se.Code != wire.CodeUnknownOrder {
			t.Errorf("cancel unknown: %v", err)
		}
		if o, err := c.Amend(ctx, wire.Amend{OID: wire.SomeID(1001), Qty: "0.5000"}); err != nil || o.Qty != "0.5000" {
			t.Errorf("amend: %+v %v", o, err)
		}
		if r, err := c.CancelAll(ctx, ""); err != nil || r.Count != 2 {
			t.Errorf("cancel_all: %+v %v", r, err)
		}
		// A request the server rejects as malformed comes back as an error.
		if _, err := c.Subscribe(ctx, nil, nil); !errors.As(err, &se) || se.Code != wire.CodeBadRequest {
			t.Errorf("bad subscribe: %v", err)
		}
		if s := c.Stats(); s.Gaps != 0 {
			t.Errorf("private gaps %d", s.Gaps)
		}
	})
}

func TestRequestContextCanceled(t *testing.T) {
	fs := newFakeServer(t)
	c := dial(t, fs, wire.MsgPack, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Ping(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled ctx: %v", err)
	}
}
