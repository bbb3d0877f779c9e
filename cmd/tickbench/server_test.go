package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/tickcast/tickcast/bench"
	"github.com/tickcast/tickcast/feed"
	"github.com/tickcast/tickcast/feed/bus"
	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/market"
	"github.com/tickcast/tickcast/market/sim"
)

// TestMain lets this test binary serve as a tickbench worker process:
// bench.Spawn runs os.Executable() (here, the test binary) with
// TICKBENCH_WORKER=1.
func TestMain(m *testing.M) {
	if bench.IsWorker() {
		os.Exit(worker(context.Background()))
	}
	os.Exit(m.Run())
}

// startServer runs the whole tickcast server in this process on
// 127.0.0.1:0, wired as cmd/tickcast wires it (venue with the simulated
// market, in-process bus, hub, feed server), and returns its base URL.
// Only the test imports the server's packages; tickbench itself speaks to
// it over the network like any client.
func startServer(t testing.TB, simRate float64) string {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	b := bus.NewMemory()
	m, err := sim.New(sim.Config{Seed: 11, Rate: simRate, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	v, err := market.New(market.Config{Publisher: b, Seed: 11, Logger: log, Actors: []market.Actor{m}})
	if err != nil {
		t.Fatal(err)
	}
	var symbols []string
	for _, in := range v.Instruments() {
		symbols = append(symbols, in.Symbol)
	}
	h := hub.New(hub.Config{Symbols: symbols, Epoch: v.Epoch(), Logger: log}, b.Subscribe(4096))
	srv, err := feed.NewServer(feed.Config{Venue: v, Hub: h, Logger: log}, func() bool { return true })
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
	t.Cleanup(func() {
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		_ = srv.Shutdown(sctx)
		cancel()
		b.Close()
		wg.Wait()
	})
	return "http://" + ln.Addr().String()
}
