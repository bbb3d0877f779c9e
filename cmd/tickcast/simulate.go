package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"time"

	"github.com/tickcast/tickcast/internal/jsonl"
	"github.com/tickcast/tickcast/market"
	"github.com/tickcast/tickcast/market/sim"
)

// simulateStart is the default simulated start time: fixed, so that the
// same seed and flags give the same output whenever they run.
const simulateStart = "2026-01-01T00:00:00Z"

// simulateGCPercent is the GOGC that simulate runs with unless GOGC is set
// in the environment. simulate is a batch command whose live heap stays
// near 22 MB however long it runs while it allocates about 1.8 GB for a
// simulated day, nearly all of it events that live for one flush: with
// Go's default of 100 it collected 80 times a day. At 400 it collects a
// quarter as often, for about 6% of its CPU, and its resident memory
// goes from about 47 to 123 MB (BENCHMARKS.md, "Simulator speed").
const simulateGCPercent = 400

// simulate runs the venue and its agents on a simulated clock as fast as
// the CPU allows and writes every event of the chosen channels and
// symbols as one JSON line: the wire JSON of protocol.md 5.1 to 5.6.
func simulate(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	seed := fs.Uint64("seed", 1, "seed of the simulation")
	duration := fs.Duration("duration", time.Hour, "simulated time to run")
	symbols := fs.String("symbols", "", "comma list of symbols (default: all)")
	channels := fs.String("channels", "trades,quote", "comma list of channels: trades, quote, book, ticker, candles.1s, candles.1m")
	start := fs.String("start", simulateStart, "simulated start time, RFC 3339")
	instruments := fs.String("instruments", "", "instruments file (JSON; default: the built-in five)")
	rate := fs.Float64("sim-rate", 1, "multiplier on every simulated agent's arrival rate")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *seed == 0 {
		return errors.New("--seed must not be 0")
	}
	if *duration <= 0 {
		return errors.New("--duration must be positive")
	}
	if _, set := os.LookupEnv("GOGC"); !set {
		defer debug.SetGCPercent(debug.SetGCPercent(simulateGCPercent))
	}
	t0, err := time.Parse(time.RFC3339, *start)
	if err != nil {
		return fmt.Errorf("--start: %w", err)
	}
	insts := market.DefaultInstruments()
	if *instruments != "" {
		if insts, err = market.LoadInstruments(*instruments); err != nil {
			return err
		}
	}
	want, chans, err := parseChannels(*channels)
	if err != nil {
		return err
	}
	syms := map[string]bool{}
	for _, s := range splitComma(*symbols) {
		if !slices.ContainsFunc(insts, func(in market.Instrument) bool { return in.Symbol == s }) {
			return fmt.Errorf("--symbols: unknown symbol %q", s)
		}
		syms[s] = true
	}
	lines := jsonl.NewAsync(jsonl.NewWriter(out, want, syms))
	m, err := sim.New(sim.Config{Seed: *seed, Rate: *rate})
	if err != nil {
		return err
	}
	clock := market.NewManualClock(t0)
	v, err := market.New(market.Config{Instruments: insts, Publisher: lines, Clock: clock, Seed: *seed,
		Epoch: "sim", TokenKey: []byte("simulate"), Actors: []market.Actor{m}, Channels: chans})
	if err != nil {
		return err
	}
	if err := sim.Validate(v.Instruments()); err != nil {
		return fmt.Errorf("--instruments: %w", err)
	}
	if err := v.Simulate(t0.Add(*duration).UnixNano()); err != nil {
		return err
	}
	return lines.Flush()
}

// parseChannels reads a --channels list of simulate or replay: the set of
// channels and the list in the order given.
func parseChannels(list string) (map[string]bool, []string, error) {
	want := map[string]bool{}
	chans := []string{}
	for _, ch := range splitComma(list) {
		if !slices.Contains(market.Channels, ch) {
			return nil, nil, fmt.Errorf("--channels: unknown channel %q", ch)
		}
		want[ch] = true
		chans = append(chans, ch)
	}
	return want, chans, nil
}
