package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"testing"
	"time"

	"github.com/tickcast/tickcast/market"
)

// prepared returns the venue's prepared copies of insts (the scales are
// derived by market.New).
func prepared(t *testing.T, insts []market.Instrument) []*market.Instrument {
	t.Helper()
	v, err := market.New(market.Config{Instruments: insts, Publisher: &counter{}, Seed: 1, TokenKey: []byte("k")})
	if err != nil {
		t.Fatal(err)
	}
	return v.Instruments()
}

// TestDefaultParams pins the defaults derived for the built-in
// instruments: volatility by asset class, level spacing from the
// one-second volatility in ticks.
func TestDefaultParams(t *testing.T) {
	want := map[string]struct{ vol, spacing, jumps float64 }{
		"BTC-USD":  {0.55, 294, 6},
		"ETH-USD":  {0.70, 19, 6},
		"SOL-USD":  {0.90, 1, 6},
		"DOGE-USD": {0.90, 1, 6},
		"EUR-USD":  {0.07, 1, 3},
	}
	for _, in := range prepared(t, market.DefaultInstruments()) {
		t.Run(in.Symbol, func(t *testing.T) {
			p, err := ParamsFor(in)
			if err != nil {
				t.Fatal(err)
			}
			w := want[in.Symbol]
			if p.Vol != w.vol || p.Spacing != w.spacing || p.JumpsPerDay != w.jumps || len(p.Makers) != 4 {
				t.Errorf("vol %v spacing %v jumps %v makers %d, want %+v and 4 makers", p.Vol, p.Spacing, p.JumpsPerDay, len(p.Makers), w)
			}
			if err := p.validate(); err != nil {
				t.Errorf("defaults invalid: %v", err)
			}
		})
	}
}

func TestParamsDecode(t *testing.T) {
	for _, tc := range []struct {
		name  string
		sim   string
		check func(p Params) bool
		err   bool
	}{
		{"absent", ``, func(p Params) bool { return p.Vol == 0.55 }, false},
		{"null", `null`, func(p Params) bool { return p.Vol == 0.55 }, false},
		{"empty", `{}`, func(p Params) bool { return p.Vol == 0.55 && len(p.Makers) == 4 }, false},
		{"override", `{"vol":0.3,"noise_rate":5}`, func(p Params) bool {
			return p.Vol == 0.3 && p.NoiseRate == 5 && p.MomentumRate == 0.3
		}, false},
		{"makers partly", `{"makers":[{"half_spread":2},{}]}`, func(p Params) bool {
			return len(p.Makers) == 2 && p.Makers[0].HalfSpread == 2 && p.Makers[0].Levels == defaultMakers[0].Levels &&
				p.Makers[1] == defaultMakers[1]
		}, false},
		{"more makers than defaults", `{"makers":[{},{},{},{},{"levels":3}]}`, func(p Params) bool {
			return len(p.Makers) == 5 && p.Makers[4].Levels == 3 && p.Makers[4].HalfSpread == defaultMakers[3].HalfSpread
		}, false},
		{"no blocks", `{"block_rate":0}`, func(p Params) bool { return p.BlockRate == 0 && p.BlockSize == 15 }, false},
		{"maker size fields", `{"makers":[{"size_dispersion":0,"revise_rate":0,"size_skew":0,"flow_skew":2}]}`, func(p Params) bool {
			m := p.Makers[0]
			return m.SizeDispersion == 0 && m.ReviseRate == 0 && m.SizeSkew == 0 && m.FlowSkew == 2 && m.Levels == defaultMakers[0].Levels
		}, false},
		{"block near beyond far", `{"block_near":20}`, nil, true},
		{"block pull beyond near", `{"block_pull":5}`, nil, true},
		{"negative revise rate", `{"makers":[{"revise_rate":-1}]}`, nil, true},
		{"no vol of vol", `{"vol_of_vol":0,"jumps_per_day":0}`, func(p Params) bool { return p.VolOfVol == 0 }, false},
		{"unknown field", `{"volatility":0.3}`, nil, true},
		{"unknown maker field", `{"makers":[{"spread":2}]}`, nil, true},
		{"negative vol", `{"vol":-1}`, nil, true},
		{"zero vol", `{"vol":0}`, nil, true},
		{"no makers", `{"makers":[]}`, nil, true},
		{"zero levels", `{"makers":[{"levels":0}]}`, nil, true},
		{"fast share above 1", `{"fast_share":1.5}`, nil, true},
		{"not an object", `[1]`, nil, true},
		{"wrong type", `{"vol":"high"}`, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := market.DefaultInstruments()[0]
			in.Sim = json.RawMessage(tc.sim)
			p, err := ParamsFor(prepared(t, []market.Instrument{in})[0])
			if tc.err {
				if !errors.Is(err, ErrParams) {
					t.Errorf("err %v, want ErrParams", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(p) {
				t.Errorf("decoded %+v", p)
			}
		})
	}
}

// TestDefaultMakersUntouched: decoding never writes through to the
// package's default makers.
func TestDefaultMakersUntouched(t *testing.T) {
	before := append([]Maker(nil), defaultMakers...)
	in := market.DefaultInstruments()[0]
	in.Sim = json.RawMessage(`{"makers":[{"half_spread":9},{"levels":2},{"size":7}]}`)
	if _, err := ParamsFor(prepared(t, []market.Instrument{in})[0]); err != nil {
		t.Fatal(err)
	}
	for i := range before {
		if before[i] != defaultMakers[i] {
			t.Fatalf("default maker %d changed: %+v", i, defaultMakers[i])
		}
	}
}

// TestStartWithBadParams: Start cannot fail; an instrument whose
// parameters are rejected trades with its defaults, and Err and the log
// say so. Validate finds the same error up front.
func TestStartWithBadParams(t *testing.T) {
	insts := market.DefaultInstruments()
	insts[1].Sim = json.RawMessage(`{"vol":"high"}`)
	if err := Validate(prepared(t, insts)); !errors.Is(err, ErrParams) {
		t.Errorf("Validate: %v, want ErrParams", err)
	}
	var log bytes.Buffer
	m := newMarket(t, Config{Logger: slog.New(slog.NewTextHandler(&log, nil))})
	c := &counter{}
	run(t, insts, m, c, time.Minute)
	if errs := m.Err(); len(errs) != 1 || !errors.Is(errs[0], ErrParams) {
		t.Errorf("Err() = %v, want one ErrParams", errs)
	}
	if !bytes.Contains(log.Bytes(), []byte("ETH-USD")) {
		t.Errorf("log %q does not name the instrument", log.String())
	}
	if len(m.Stats()) != 5 || c.trades[c.sym("ETH-USD")] == 0 {
		t.Errorf("ETH-USD not simulated with defaults")
	}
}

func TestNewConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		ok   bool
		step time.Duration
	}{
		{"zero", Config{}, true, DefaultStep},
		{"rate 10", Config{Rate: 10}, true, DefaultStep / 10},
		{"tiny step floors at 1ms", Config{Rate: 1000}, true, time.Millisecond},
		{"custom step", Config{Step: time.Second, Rate: 2}, true, 500 * time.Millisecond},
		{"negative rate", Config{Rate: -1}, false, 0},
		{"huge rate", Config{Rate: 1e6}, false, 0},
		{"NaN rate", Config{Rate: math.NaN()}, false, 0},
		{"negative step", Config{Step: -time.Second}, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := New(tc.cfg)
			if !tc.ok {
				if !errors.Is(err, ErrConfig) {
					t.Errorf("err %v, want ErrConfig", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if time.Duration(m.step) != tc.step || m.cfg.Seed != DefaultSeed && tc.cfg.Seed == 0 {
				t.Errorf("step %v seed %d, want %v and the default seed", time.Duration(m.step), m.cfg.Seed, tc.step)
			}
		})
	}
}
