package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/tickcast/tickcast/bench"
	"github.com/tickcast/tickcast/internal/app"
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
// 127.0.0.1:0, wired as tickcast serve wires it (app.Server), and returns
// its base URL. Only the test imports the server's packages; tickbench
// itself speaks to it over the network like any client.
func startServer(t testing.TB, simRate float64) string {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := app.New(app.Config{Addr: "127.0.0.1:0", Market: market.Config{Seed: 11},
		Sim: &sim.Config{Rate: simRate}, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	return srv.URL()
}
