package app

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/client"
	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/internal/testkit"
	"github.com/tickcast/tickcast/market"
	"github.com/tickcast/tickcast/market/journal"
	"github.com/tickcast/tickcast/market/sim"
)

func durableServer(t *testing.T, dir, addr string, seed uint64) *Server {
	t.Helper()
	s, err := New(Config{Addr: addr, Logger: quiet(), Sim: &sim.Config{Rate: 5},
		Market: market.Config{Seed: seed, DataDir: dir, WarmStart: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	s.Start()
	testkit.Eventually(t, 30*time.Second, "the server to be ready", s.Ready)
	return s
}

// TestDurableRestart: a server on a data directory is stopped and another
// started on it: the epoch is the same, a client that was watching
// resumes without a reset or a gap (its since is within the history the
// replay refilled), the token issued before works and the order placed
// before is still open. A second server on the directory meanwhile is
// refused.
func TestDurableRestart(t *testing.T) {
	dir := t.TempDir()
	s1 := durableServer(t, dir, "127.0.0.1:0", 3)
	addr, epoch := s1.Addr(), s1.Venue.Epoch()
	if _, err := New(Config{Addr: "127.0.0.1:0", Logger: quiet(), Market: market.Config{DataDir: dir}}); !errors.Is(err, journal.ErrLocked) {
		t.Fatalf("a second server on the data directory: %v, want it refused", err)
	}

	resp, err := http.Post(s1.URL()+"/api/v1/accounts", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	var acct struct{ Account, Token string }
	json.NewDecoder(resp.Body).Decode(&acct)
	resp.Body.Close()
	if acct.Token == "" {
		t.Fatalf("no token: %d", resp.StatusCode)
	}

	ctx := context.Background()
	var mu sync.Mutex
	var trades int
	c, err := client.Dial(ctx, client.Config{URL: "ws://" + addr + "/ws", Logger: quiet(),
		Reconnect: client.Reconnect{MinDelay: 20 * time.Millisecond, MaxDelay: 100 * time.Millisecond},
		OnDecoded: func(m wire.Message) {
			if _, ok := m.(*wire.Trade); ok {
				mu.Lock()
				trades++
				mu.Unlock()
			}
			if r, ok := m.(*wire.Reset); ok {
				t.Logf("reset %+v", r)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Subscribe(ctx, []string{"trades", "book", "quote"}, []string{"BTC-USD", "ETH-USD"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Auth(ctx, acct.Token, false); err != nil {
		t.Fatal(err)
	}
	o, err := c.PlaceOrder(ctx, wire.NewOrder{CID: "keep-1", S: "BTC-USD", Side: "buy", Type: "limit", Qty: "0.0100", Px: "56000.00"})
	if err != nil || o.Status != market.StatusNew {
		t.Fatalf("order: %+v %v", o, err)
	}
	seen := func() int { mu.Lock(); defer mu.Unlock(); return trades }
	testkit.Eventually(t, 20*time.Second, "trades before the restart", func() bool { return seen() > 5 })

	if err := s1.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	before := seen()
	s2 := durableServer(t, dir, addr, 0) // the seed stored in the directory wins
	if s2.Venue.Epoch() != epoch {
		t.Fatalf("epoch %q after the restart, %q before", s2.Venue.Epoch(), epoch)
	}
	testkit.Eventually(t, 20*time.Second, "the client to resume and see new trades", func() bool {
		return c.Stats().Reconnects >= 1 && seen() > before+5
	})
	if st := c.Stats(); st.Resets != 0 || st.Gaps != 0 || st.ChecksumErrors != 0 || st.Resyncs != 0 {
		t.Fatalf("after the restart the client counts %+v, want no reset, gap, resync or checksum error", st)
	}

	var open []*wire.Order
	c2, err := client.Dial(ctx, client.Config{URL: "ws://" + addr + "/ws", Logger: quiet(), OnDecoded: func(m wire.Message) {
		if o, ok := m.(*wire.Order); ok {
			mu.Lock()
			open = append(open, o)
			mu.Unlock()
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if _, err := c2.Auth(ctx, acct.Token, false); err != nil {
		t.Fatalf("the token issued before the restart: %v", err)
	}
	testkit.Eventually(t, 5*time.Second, "the open order after auth", func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, x := range open {
			if x.OID == o.OID && x.CID == "keep-1" && x.Status == market.StatusNew {
				return true
			}
		}
		return false
	})
}
