package feed_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed"
	"github.com/tickcast/tickcast/feed/bus"
	"github.com/tickcast/tickcast/feed/client"
	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/market"
	"github.com/tickcast/tickcast/market/sim"
)

// testServer is the whole system on 127.0.0.1:0: venue (with or without
// the simulated market), bus, hub and the feed server.
type testServer struct {
	t      testing.TB
	Venue  *market.Venue
	Hub    *hub.Hub
	Server *feed.Server
	Addr   string
	stop   func()
	once   sync.Once
}

type serverOpt func(*feed.Config, *market.Config, *hub.Config)

func withoutSim() serverOpt {
	return func(_ *feed.Config, v *market.Config, _ *hub.Config) { v.Actors = nil }
}

func startServer(t testing.TB, opts ...serverOpt) *testServer {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	b := bus.NewMemory()
	m, err := sim.New(sim.Config{Seed: 7, Rate: 2})
	if err != nil {
		t.Fatal(err)
	}
	vcfg := market.Config{Publisher: b, Seed: 7, Logger: log, Actors: []market.Actor{m}}
	fcfg := feed.Config{Logger: log}
	hcfg := hub.Config{Logger: log}
	for _, o := range opts {
		o(&fcfg, &vcfg, &hcfg)
	}
	v, err := market.New(vcfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range v.Instruments() {
		hcfg.Symbols = append(hcfg.Symbols, in.Symbol)
	}
	hcfg.Epoch = v.Epoch()
	h := hub.New(hcfg, b.Subscribe(4096))
	fcfg.Venue, fcfg.Hub = v, h
	srv, err := feed.NewServer(fcfg, func() bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); _ = h.Run(ctx) }()
	go func() { defer wg.Done(); _ = v.Run(ctx) }()
	go func() { defer wg.Done(); _ = srv.Serve(ln) }()
	ts := &testServer{t: t, Venue: v, Hub: h, Server: srv, Addr: ln.Addr().String()}
	ts.stop = func() {
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		_ = srv.Shutdown(sctx)
		cancel()
		b.Close()
		wg.Wait()
	}
	t.Cleanup(ts.Stop)
	return ts
}

// Stop shuts the server down (idempotent).
func (ts *testServer) Stop() { ts.once.Do(ts.stop) }

func (ts *testServer) URL(path string) string { return "http://" + ts.Addr + path }
func (ts *testServer) WS() string             { return "ws://" + ts.Addr + "/ws" }

// dial connects a client that does not reconnect unless told to.
func (ts *testServer) dial(mod func(*client.Config)) *client.Client {
	ts.t.Helper()
	cfg := client.Config{URL: ts.WS(), Reconnect: client.Reconnect{Disable: true}}
	if mod != nil {
		mod(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, cfg)
	if err != nil {
		ts.t.Fatal(err)
	}
	ts.t.Cleanup(func() { _ = c.Close() })
	return c
}

// account creates a demo account over REST.
func (ts *testServer) account() (id, token string) {
	ts.t.Helper()
	resp, err := http.Post(ts.URL("/api/v1/accounts"), "application/json", nil)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer resp.Body.Close()
	var a struct{ Account, Token string }
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil || resp.StatusCode != http.StatusCreated {
		ts.t.Fatalf("create account: %d %v", resp.StatusCode, err)
	}
	return a.Account, a.Token
}

// eventually polls cond until it holds or the timeout passes.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var _ = fmt.Sprint
