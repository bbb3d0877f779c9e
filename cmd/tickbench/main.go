// Command tickbench measures a tickcast server's fan-out: it opens many
// WebSocket and SSE clients against it, records the latency of every
// message they receive (receive time − the engine's ts), checks sequence
// continuity, and reports percentiles, throughput, gaps, disconnects and
// the server's own CPU, memory and goroutines.
//
//	tickbench --target http://127.0.0.1:8080 --ws 10000 --duration 30s \
//	    --source-ips 127.0.0.2-127.0.0.9 --out run.json --plot run.svg
//	tickbench --target … --sweep ws=1000,5000,10000 --out sweep.json --plot sweep.svg
//	tickbench --target … --ws 1000 --orders 20     # active mode: order → trade fan-out
//	tickbench --target … --ws 100 --stalled 1000   # beside clients that never read
//	tickbench --target … --ws 10000 --orders 20 --cpus 1 --trader-rt   # off the server's CPU 0
//
// A run that needs more sockets than one process may hold is split over
// worker processes: tickbench runs itself again with TICKBENCH_WORKER=1.
// See the bench package for what is measured and how.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/tickcast/tickcast/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := 0
	if bench.IsWorker() {
		code = worker(ctx)
	} else {
		code = run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	}
	stop()
	os.Exit(code)
}

// worker serves the coordinator that started this process.
func worker(ctx context.Context) int {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if err := bench.ServeWorker(ctx, os.Stdin, os.Stdout, log); err != nil {
		fmt.Fprintln(os.Stderr, "tickbench worker:", err)
		return 1
	}
	return 0
}

// run is tickbench with its arguments and outputs; it returns the exit
// code: 0, 1 for a failed run, 2 for bad flags.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "tickbench:", err)
		return 2
	}
	if err := o.execute(ctx, stdout); err != nil {
		fmt.Fprintln(stderr, "tickbench:", err)
		return 1
	}
	return 0
}
