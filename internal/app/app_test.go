package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/bus"
	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/internal/testkit"
	"github.com/tickcast/tickcast/market"
	"github.com/tickcast/tickcast/market/sim"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newServer(t *testing.T, mod func(*Config)) *Server {
	t.Helper()
	cfg := Config{Addr: "127.0.0.1:0", Market: market.Config{Seed: 3}, Sim: &sim.Config{Rate: 20}, Logger: quiet()}
	if mod != nil {
		mod(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	return s
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestReadiness: /readyz says ready only between Start and Shutdown.
func TestReadiness(t *testing.T) {
	s := newServer(t, nil)
	if s.Ready() {
		t.Fatal("ready before Start")
	}
	s.Start()
	if code, _ := get(t, s.URL()+"/readyz"); code != http.StatusOK {
		t.Fatalf("readyz after Start: %d", code)
	}
	if code, _ := get(t, s.URL()+"/healthz"); code != http.StatusOK {
		t.Fatalf("healthz: %d", code)
	}
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s.Ready() {
		t.Fatal("ready after Shutdown")
	}
}

// TestShutdownWithStalledSubscriber: a subscriber of the bus that stops
// taking batches blocks the venue's Publish; Shutdown still finishes, in
// about one ShutdownTimeout, and says which step it had to cut.
func TestShutdownWithStalledSubscriber(t *testing.T) {
	s := newServer(t, func(c *Config) { c.ShutdownTimeout = 300 * time.Millisecond; c.Sim.Rate = 50 })
	stalled := s.Bus.Subscribe(1) // never read
	defer stalled.Cancel()
	s.Start()
	// The venue blocks on the stalled subscriber within a few batches: its
	// input queue then stops draining.
	testkit.Eventually(t, 5*time.Second, "the stalled subscriber to fill", func() bool { return len(stalled.C()) == 1 })
	t0 := time.Now()
	err := s.Shutdown(context.Background())
	took := time.Since(t0)
	if !errors.Is(err, ErrStuck) || !strings.Contains(err.Error(), "venue stop") {
		t.Fatalf("Shutdown: %v, want the venue stop reported stuck", err)
	}
	if took > 2*time.Second {
		t.Fatalf("Shutdown took %v with a stalled subscriber", took)
	}
}

// stuckBus hands the hub a subscription whose channel never closes and
// never delivers: a hub that cannot finish its drain. The real
// subscription is drained and dropped, so the venue is not held up.
type stuckBus struct{ bus.Subscriber }

type stuckSub struct{ bus.Subscription }

func (b stuckBus) Subscribe(buf int) bus.Subscription {
	under := b.Subscriber.Subscribe(buf)
	go func() {
		for range under.C() {
		}
	}()
	return stuckSub{under}
}

func (stuckSub) C() <-chan []*market.Event { return make(chan []*market.Event) }

// TestShutdownWithStalledHub: a hub that does not finish relaying when the
// bus closes is cut after one ShutdownTimeout; Shutdown says so and still
// stops the transports.
func TestShutdownWithStalledHub(t *testing.T) {
	s := newServer(t, func(c *Config) {
		c.ShutdownTimeout = 300 * time.Millisecond
		c.WrapBus = func(b bus.Subscriber) bus.Subscriber { return stuckBus{b} }
	})
	s.Start()
	t0 := time.Now()
	err := s.Shutdown(context.Background())
	took := time.Since(t0)
	if !errors.Is(err, ErrStuck) || !strings.Contains(err.Error(), "hub drain") {
		t.Fatalf("Shutdown: %v, want the hub drain reported stuck", err)
	}
	if strings.Contains(err.Error(), "venue stop") {
		t.Fatalf("Shutdown: %v, the venue was not stuck", err)
	}
	if took > 2*time.Second {
		t.Fatalf("Shutdown took %v with a stalled hub", took)
	}
	if _, err := http.Get(s.URL() + "/healthz"); err == nil {
		t.Fatal("the HTTP server still answers after Shutdown")
	}
}

// TestTwoServersInOneProcess: two servers (two hubs) in one process keep
// their own counters: a subscription on one does not show on the other.
func TestTwoServersInOneProcess(t *testing.T) {
	a := newServer(t, nil)
	b := newServer(t, func(c *Config) { c.Hub.NodeID = 2 })
	a.Start()
	b.Start()
	resp, err := http.Get(a.URL() + "/sse?channels=trades,quote&symbols=BTC-USD")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	testkit.Eventually(t, 5*time.Second, "the SSE subscriptions on a", func() bool { return a.Hub.Stats().Subscriptions() == 2 })
	if n := b.Hub.Stats().Subscriptions(); n != 0 {
		t.Fatalf("b counts %d subscriptions of a's viewer", n)
	}
	_, metrics := get(t, b.URL()+"/metrics")
	if !strings.Contains(metrics, "\ntickcast_subscriptions 0\n") {
		t.Fatalf("b's /metrics does not say 0 subscriptions")
	}
	if id := b.Hub.NewSub(hub.SSE, hub.Limits{}).ID; id>>40 != 2 {
		t.Fatalf("b's subscriber id %x does not carry node id 2", id)
	}
}
