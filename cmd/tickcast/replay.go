package main

import (
	"errors"
	"flag"
	"io"

	"github.com/tickcast/tickcast/internal/app"
	"github.com/tickcast/tickcast/internal/jsonl"
)

// replay rebuilds a data directory's venue from its journal and writes
// the events it published, of the chosen channels and symbols, as JSON
// lines: the format of simulate, the wire JSON the feed sent.
func replay(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	dir := fs.String("data-dir", "", "data directory of a tickcast serve --data-dir (required; only read)")
	symbols := fs.String("symbols", "", "comma list of symbols (default: all)")
	channels := fs.String("channels", "trades,quote", "comma list of channels: trades, quote, book, ticker, candles.1s, candles.1m")
	logLevel := fs.String("log-level", "warn", "debug, info, warn or error (on stderr)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("--data-dir is required")
	}
	log, err := newLogger(*logLevel, "text")
	if err != nil {
		return err
	}
	want, chans, err := parseChannels(*channels)
	if err != nil {
		return err
	}
	syms := map[string]bool{}
	for _, s := range splitComma(*symbols) {
		syms[s] = true
	}
	lines := jsonl.NewWriter(out, want, syms)
	if _, err := app.Replay(*dir, lines, chans, log); err != nil {
		return err
	}
	return lines.Flush()
}
