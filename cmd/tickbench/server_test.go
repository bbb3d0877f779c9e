package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tickcast/tickcast/bench"
	"github.com/tickcast/tickcast/internal/app"
	"github.com/tickcast/tickcast/market"
	"github.com/tickcast/tickcast/market/sim"
)

// serverEnv makes this test binary run a tickcast server as a process of
// its own (see startServerProcess), at the sim rate it holds.
const serverEnv = "TICKBENCH_TEST_SERVER"

// TestMain lets this test binary serve as a tickbench worker process:
// bench.Spawn runs os.Executable() (here, the test binary) with
// TICKBENCH_WORKER=1; and as a server process, with serverEnv set.
func TestMain(m *testing.M) {
	if bench.IsWorker() {
		os.Exit(worker(context.Background()))
	}
	if rate := os.Getenv(serverEnv); rate != "" {
		os.Exit(serveProcess(rate))
	}
	os.Exit(m.Run())
}

// serve runs the whole tickcast server in this process on 127.0.0.1:0,
// wired as tickcast serve wires it (app.Server), changed by opts. It
// returns the base URL and the server's Shutdown (idempotent). Only the
// tests import the server's packages; tickbench itself speaks to it over
// the network like any client.
func serve(simRate float64, opts ...func(*app.Config)) (string, func(context.Context) error, error) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := app.Config{Addr: "127.0.0.1:0", Market: market.Config{Seed: 11}, Sim: &sim.Config{Rate: simRate}, Logger: log}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := app.New(cfg)
	if err != nil {
		return "", nil, err
	}
	srv.Start()
	return srv.URL(), srv.Shutdown, nil
}

// startServer runs a server in this process for the test's duration.
func startServer(t testing.TB, simRate float64, opts ...func(*app.Config)) string {
	t.Helper()
	url, stop, err := serve(simRate, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = stop(ctx)
	})
	return url
}

// serveProcess is the server process: it prints its URL, serves until
// SIGTERM, shuts down as tickcast serve does, and exits.
func serveProcess(rate string) int {
	r, err := strconv.ParseFloat(rate, 64)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer cancel()
	url, stop, err := serve(r)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(url)
	<-ctx.Done()
	sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer scancel()
	if err := stop(sctx); err != nil {
		fmt.Fprintln(os.Stderr, "shutdown:", err)
		return 1
	}
	return 0
}

// startServerProcess runs a server as a child process (this test binary
// again), for a test that stops it by its pid. It returns the server's URL
// and its process; the process is killed at the end of the test if it is
// still running.
func startServerProcess(t *testing.T, simRate float64) (string, *exec.Cmd) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), serverEnv+"="+strconv.FormatFloat(simRate, 'g', -1, 64))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-waited
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "http://") {
		t.Fatalf("server process: %q, %v", line, errors.Join(err, errors.New("no URL")))
	}
	return strings.TrimSpace(line), cmd
}
