// Command tickcast runs the tickcast exchange simulator and feed.
//
//	tickcast [serve] [flags]     start the venue, the simulated market and the feed
//	tickcast simulate [flags]    run the market on a simulated clock, write JSON lines
//	tickcast engine --redis URL  the venue and the simulated market, publishing to Redis
//	tickcast edge --redis URL    the feed (WebSocket, SSE, REST, UI) of an engine, from Redis
//	tickcast replay [flags]      write the events a data directory's journal produces, as JSON lines
//
// Every flag can also be set in the environment as TICKCAST_<NAME>, with
// the name upper-cased and dashes as underscores (--sim-rate:
// TICKCAST_SIM_RATE); a flag on the command line wins.
package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
)

func main() {
	args := os.Args[1:]
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(args)
	case "simulate":
		err = simulate(args, os.Stdout)
	case "replay":
		err = replay(args, os.Stdout)
	case "engine":
		err = engine(args)
	case "edge":
		err = edge(args)
	case "help":
		fmt.Fprintln(os.Stderr, "usage: tickcast [serve|simulate|replay|engine|edge] [flags]; tickcast <command> -h for the flags")
		return
	default:
		err = fmt.Errorf("unknown command %q (want serve, simulate, replay, engine or edge)", cmd)
	}
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "tickcast:", err)
		os.Exit(1)
	}
}

// parse applies TICKCAST_<NAME> environment variables, then the command
// line, to fs.
func parse(fs *flag.FlagSet, args []string) error {
	var bad error
	fs.VisitAll(func(f *flag.Flag) {
		env := "TICKCAST_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(env); ok {
			if err := fs.Set(f.Name, v); err != nil && bad == nil {
				bad = fmt.Errorf("%s=%q: %w", env, v, err)
			}
		}
	})
	if bad != nil {
		return bad
	}
	return fs.Parse(args)
}

// newLogger makes the process logger.
func newLogger(level, format string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: %w", level, err)
	}
	opts := &slog.HandlerOptions{Level: l}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: want text or json", format)
}

// splitComma splits a comma list, dropping blanks.
func splitComma(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
