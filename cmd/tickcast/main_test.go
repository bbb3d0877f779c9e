package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/ws"
	"github.com/tickcast/tickcast/internal/app"
	"github.com/tickcast/tickcast/market"
)

func runSimulate(t *testing.T, args ...string) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := simulate(args, &out); err != nil {
		t.Fatalf("simulate %v: %v", args, err)
	}
	return out.Bytes()
}

// TestSimulateDeterministic: the same seed and flags give byte-identical
// output; another seed gives other output.
func TestSimulateDeterministic(t *testing.T) {
	a := runSimulate(t, "--seed", "3", "--duration", "5m", "--symbols", "BTC-USD,EUR-USD")
	b := runSimulate(t, "--seed", "3", "--duration", "5m", "--symbols", "BTC-USD,EUR-USD")
	c := runSimulate(t, "--seed", "4", "--duration", "5m", "--symbols", "BTC-USD,EUR-USD")
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Fatalf("same seed: %d and %d bytes, equal %v", len(a), len(b), bytes.Equal(a, b))
	}
	if bytes.Equal(a, c) {
		t.Fatal("different seeds gave the same output")
	}
}

// TestSimulateOutput checks the lines are the wire JSON of the chosen
// channels and symbols, in order of offset, with per-stream seqs.
func TestSimulateOutput(t *testing.T) {
	out := runSimulate(t, "--seed", "1", "--duration", "2m", "--symbols", "ETH-USD", "--channels", "trades,book,candles.1m", "--start", "2026-03-01T10:00:00Z")
	seen := map[string]int{}
	seqs := map[string]uint64{}
	var lastOff uint64
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m struct {
			T, Ch, S string
			Seq, Off uint64
			Ts       int64
		}
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if m.S != "ETH-USD" || (m.Ch != "trades" && m.Ch != "book" && m.Ch != "candles.1m") {
			t.Fatalf("unexpected line %s", sc.Text())
		}
		if m.Off <= lastOff {
			t.Fatalf("offsets not increasing: %d after %d", m.Off, lastOff)
		}
		if m.Ts < 1772359200e9 || m.Ts > 1772359200e9+120e9 {
			t.Fatalf("ts %d outside the simulated two minutes", m.Ts)
		}
		if (m.Ch == "trades" || m.Ch == "book") && m.Seq != seqs[m.Ch]+1 {
			t.Fatalf("%s seq %d after %d", m.Ch, m.Seq, seqs[m.Ch])
		}
		seqs[m.Ch], lastOff = m.Seq, m.Off
		seen[m.T]++
	}
	for _, typ := range []string{"trade", "book", "candle"} {
		if seen[typ] == 0 {
			t.Errorf("no %s lines in %v", typ, seen)
		}
	}
}

func TestSimulateRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--channels", "nope"},
		{"--symbols", "XYZ-USD"},
		{"--duration", "-1s"},
		{"--seed", "0"},
		{"--start", "yesterday"},
		{"--instruments", "/no/such/file.json"},
		{"--instruments", badSimFile(t)},
	} {
		if err := simulate(args, &bytes.Buffer{}); err == nil {
			t.Errorf("simulate %v accepted", args)
		}
	}
}

func TestFlagsFromEnvironment(t *testing.T) {
	t.Setenv("TICKCAST_SIM_RATE", "2.5")
	t.Setenv("TICKCAST_ADDR", "127.0.0.1:9999")
	var f serveFlags
	fs := serveFlagSet(&f)
	if err := parse(fs, []string{"--addr", "127.0.0.1:7777"}); err != nil {
		t.Fatal(err)
	}
	if f.simRate != 2.5 || f.addr != "127.0.0.1:7777" {
		t.Fatalf("sim-rate %v (env), addr %q (command line wins)", f.simRate, f.addr)
	}
	t.Setenv("TICKCAST_SIM", "maybe")
	if err := parse(serveFlagSet(&serveFlags{}), nil); err == nil || !strings.Contains(err.Error(), "TICKCAST_SIM") {
		t.Fatalf("bad environment value: %v", err)
	}
	if err := parse(flag.NewFlagSet("x", flag.ContinueOnError), []string{"-h"}); err != flag.ErrHelp {
		t.Fatalf("help: %v", err)
	}
}

// badSimFile writes an instruments file whose simulator parameters are
// out of range.
func badSimFile(t *testing.T) string {
	path := t.TempDir() + "/i.json"
	doc := `[{"s":"BTC-USD","base":"BTC","quote":"USD","tick":"0.01","lot":"0.0001","min_qty":"0.0001","max_qty":"100.0000","band_pct":"10","ref":"60000.00","sim":{"vol":-1}}]`
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestWarmStartFlag: --warm-start (or TICKCAST_WARM_START) sets the
// venue's warm start, default app.DefaultWarmStart; 0 turns it off, as
// does --sim=false (no agents, no history to make); negative is refused.
func TestWarmStartFlag(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  string
		args []string
		want time.Duration
		bad  bool
	}{
		{"default", "", nil, app.DefaultWarmStart, false},
		{"flag", "", []string{"--warm-start", "2h"}, 2 * time.Hour, false},
		{"environment", "30m", nil, 30 * time.Minute, false},
		{"off", "", []string{"--warm-start", "0"}, 0, false},
		{"no simulator", "", []string{"--sim=false"}, 0, false},
		{"negative", "", []string{"--warm-start", "-1m"}, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env != "" {
				t.Setenv("TICKCAST_WARM_START", tc.env)
			}
			var f serveFlags
			if err := parse(serveFlagSet(&f), tc.args); err != nil {
				t.Fatal(err)
			}
			cfg, err := f.config()
			if tc.bad {
				if err == nil {
					t.Fatal("accepted")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Market.WarmStart != tc.want {
				t.Fatalf("warm start %v, want %v", cfg.Market.WarmStart, tc.want)
			}
		})
	}
}

// TestAccountIdleTTLFlag: --account-idle-ttl sets the venue's idle TTL,
// default market.DefaultAccountIdleTTL; 0 means never (a negative
// market.Config value); a negative flag is refused.
func TestAccountIdleTTLFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want time.Duration
		bad  bool
	}{
		{nil, market.DefaultAccountIdleTTL, false},
		{[]string{"--account-idle-ttl", "90m"}, 90 * time.Minute, false},
		{[]string{"--account-idle-ttl", "0"}, -1, false},
		{[]string{"--account-idle-ttl", "-1h"}, 0, true},
	} {
		var f serveFlags
		if err := parse(serveFlagSet(&f), tc.args); err != nil {
			t.Fatal(err)
		}
		cfg, err := f.config()
		if tc.bad != (err != nil) {
			t.Fatalf("%v: err %v", tc.args, err)
		}
		if err == nil && cfg.Market.AccountIdleTTL != tc.want {
			t.Fatalf("%v: idle TTL %v, want %v", tc.args, cfg.Market.AccountIdleTTL, tc.want)
		}
	}
}

// TestInflightFlags: --max-inflight-account and --max-inflight-ip (or
// their TICKCAST_ variables) reach the WebSocket server's configuration,
// with the feed's defaults.
func TestInflightFlags(t *testing.T) {
	var f serveFlags
	if err := parse(serveFlagSet(&f), nil); err != nil {
		t.Fatal(err)
	}
	cfg, err := f.config()
	if err != nil {
		t.Fatal(err)
	}
	if w := cfg.Feed.WS; w.MaxInflightAccount != ws.DefaultMaxInflightAccount || w.MaxInflightIP != ws.DefaultMaxInflightIP {
		t.Fatalf("defaults: account %d, address %d", w.MaxInflightAccount, w.MaxInflightIP)
	}
	t.Setenv("TICKCAST_MAX_INFLIGHT_IP", "300")
	f = serveFlags{}
	if err := parse(serveFlagSet(&f), []string{"--max-inflight-account", "32"}); err != nil {
		t.Fatal(err)
	}
	if cfg, err = f.config(); err != nil {
		t.Fatal(err)
	}
	if w := cfg.Feed.WS; w.MaxInflightAccount != 32 || w.MaxInflightIP != 300 {
		t.Fatalf("set: account %d, address %d; want 32, 300", w.MaxInflightAccount, w.MaxInflightIP)
	}
}
