package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"

	"github.com/tickcast/tickcast/market"
)

// Params are one instrument's simulator parameters: the JSON object in
// Instrument.Sim. Absent fields take defaults derived from the instrument
// (DefaultParams); docs/simulator.md explains each one.
type Params struct {
	// Price process.
	Vol         float64 `json:"vol"`           // long-run annualized volatility of the fair value (RMS)
	VolOfVol    float64 `json:"vol_of_vol"`    // stationary std of log volatility (both factors)
	VolSlow     float64 `json:"vol_slow_s"`    // mean-reversion time of the slow log-vol factor, s
	VolFast     float64 `json:"vol_fast_s"`    // mean-reversion time of the fast log-vol factor, s
	FastShare   float64 `json:"fast_share"`    // share of log-vol variance in the fast factor
	JumpsPerDay float64 `json:"jumps_per_day"` // mean number of jumps per simulated day
	JumpSize    float64 `json:"jump_size"`     // jump std, in long-run 1-minute standard deviations
	JumpVol     float64 `json:"jump_vol"`      // log-vol kick per jump, added to the fast factor
	Impact      float64 `json:"impact"`        // fair move for one size unit of users' net flow, in long-run 1-minute stds; grows as its square root

	// Agents' shared view.
	VolHalfLife   float64 `json:"vol_halflife_s"`   // half-life of the EWMA volatility estimate, s
	Notional      float64 `json:"notional"`         // quote-currency value of one size unit
	Spacing       float64 `json:"spacing"`          // ticks between a maker's levels per unit of its spacing
	HedgeHalfLife float64 `json:"hedge_halflife_s"` // half-life of the makers' off-venue hedging, s
	FlowHalfLife  float64 `json:"flow_halflife_s"`  // half-life of the makers' estimate of the order-flow imbalance, s

	// Makers; absent means four default makers. A listed maker's absent
	// fields take the defaults of the maker at the same position (the
	// last default maker beyond the fourth).
	Makers []Maker `json:"makers"`

	// Block orders: occasional large resting orders a few levels from the
	// touch.
	BlockRate       float64 `json:"block_rate"`       // arrivals per s at Rate 1
	BlockSize       float64 `json:"block_size"`       // median size, size units
	BlockDispersion float64 `json:"block_dispersion"` // std of log block size
	BlockLife       float64 `json:"block_life_s"`     // mean lifetime at Rate 1, s
	BlockNear       float64 `json:"block_near"`       // nearest placement, spacings from the fair value
	BlockFar        float64 `json:"block_far"`        // farthest placement, spacings from the fair value
	BlockPull       float64 `json:"block_pull"`       // pulled when the fair value comes this many spacings near

	// Takers.
	NoiseRate      float64 `json:"noise_rate"`        // noise taker arrivals per s at Rate 1 and long-run vol
	NoiseSize      float64 `json:"noise_size"`        // median noise order, size units
	SizeDispersion float64 `json:"size_dispersion"`   // std of log order size
	MomentumRate   float64 `json:"momentum_rate"`     // momentum taker arrivals per s at Rate 1 and long-run vol
	MomentumSize   float64 `json:"momentum_size"`     // median momentum order, size units
	MomentumWindow float64 `json:"momentum_window_s"` // time constant of the trend the momentum takers follow, s
	MomentumGain   float64 `json:"momentum_gain"`     // how strongly the trend decides their side
	RateVolExp     float64 `json:"rate_vol_exp"`      // taker rates scale as (σ/σ̄)^rate_vol_exp
	MaxIdle        float64 `json:"max_idle_s"`        // longest time without a taker order at Rate 1, s
}

// Maker is one market maker's parameters.
type Maker struct {
	HalfSpread     float64 `json:"half_spread"`     // inner half-spread in ticks at long-run vol
	Levels         int     `json:"levels"`          // price levels per side
	Spacing        float64 `json:"spacing"`         // level spacing, in multiples of Params.Spacing
	Size           float64 `json:"size"`            // inner level size, in size units
	SizeGrowth     float64 `json:"size_growth"`     // level k holds Size x (1 + SizeGrowth x k)
	SizeDispersion float64 `json:"size_dispersion"` // std of the log of each order's size multiplier
	Refresh        float64 `json:"refresh_s"`       // mean time between full requotes with new sizes at Rate 1, s
	ReviseRate     float64 `json:"revise_rate"`     // single-order size revisions per s at Rate 1
	Skew           float64 `json:"skew"`            // centre shift per Size of inventory, in half-spreads
	SizeSkew       float64 `json:"size_skew"`       // log size ratio of the sides at max_inventory
	FlowSkew       float64 `json:"flow_skew"`       // log size ratio of the sides at a one-sided order flow
	MaxInventory   float64 `json:"max_inventory"`   // unhedged inventory (in Size) beyond which a side is pulled
	InnerLag       float64 `json:"inner_lag"`       // spacings an inner order may lag its target (while behind the fair value)
}

// defaultMakers are the four makers of an instrument without "makers":
// a tight one at the touch, two middle ones and a deep one, each with
// its own spacing and size.
var defaultMakers = []Maker{
	{HalfSpread: 1, Levels: 6, Spacing: 1, Size: 1, SizeGrowth: 0.3, SizeDispersion: 0.35, Refresh: 8, ReviseRate: 3, Skew: 0.5, SizeSkew: 1, FlowSkew: 0.4, MaxInventory: 40, InnerLag: 0},
	{HalfSpread: 1.5, Levels: 12, Spacing: 1.3, Size: 1.5, SizeGrowth: 0.3, SizeDispersion: 0.35, Refresh: 20, ReviseRate: 2.5, Skew: 0.5, SizeSkew: 1, FlowSkew: 0.4, MaxInventory: 60, InnerLag: 0},
	{HalfSpread: 3, Levels: 20, Spacing: 2.1, Size: 3, SizeGrowth: 0.3, SizeDispersion: 0.35, Refresh: 45, ReviseRate: 2, Skew: 0.5, SizeSkew: 1, FlowSkew: 0.3, MaxInventory: 100, InnerLag: 0.5},
	{HalfSpread: 5, Levels: 40, Spacing: 3.3, Size: 5, SizeGrowth: 0.2, SizeDispersion: 0.35, Refresh: 90, ReviseRate: 1.5, Skew: 0.5, SizeSkew: 1, FlowSkew: 0.2, MaxInventory: 150, InnerLag: 1},
}

// Asset classes choose the default volatility and jump intensity.
const (
	classFX = iota
	classBTC
	classETH
	classCrypto
)

var fiat = map[string]bool{
	"USD": true, "EUR": true, "JPY": true, "GBP": true, "CHF": true, "AUD": true, "CAD": true,
	"NZD": true, "SEK": true, "NOK": true, "DKK": true, "HKD": true, "SGD": true, "CNH": true,
	"CNY": true, "MXN": true, "ZAR": true, "TRY": true, "PLN": true, "CZK": true, "HUF": true,
}

func assetClass(in *market.Instrument) int {
	switch {
	case fiat[in.Base] && fiat[in.Quote]:
		return classFX
	case in.Base == "BTC":
		return classBTC
	case in.Base == "ETH":
		return classETH
	}
	return classCrypto
}

// secondsPerYear annualizes volatility: the simulated markets trade around
// the clock.
const secondsPerYear = 365.25 * 86400

// DefaultParams returns the parameters of an instrument with no "sim"
// object: volatility and jump intensity by asset class (FX pairs of two
// fiat currencies, BTC, ETH, other crypto), level spacing from the
// one-second volatility in ticks, and everything else common.
func DefaultParams(in *market.Instrument) Params {
	p := Params{
		VolOfVol: 0.5, VolSlow: 7200, VolFast: 600, FastShare: 0.5,
		JumpsPerDay: 6, JumpSize: 4, JumpVol: 0.5, Impact: 0.1,
		VolHalfLife: 60, Notional: 10000, HedgeHalfLife: 600, FlowHalfLife: 30,
		BlockRate: 0.01, BlockSize: 15, BlockDispersion: 0.5, BlockLife: 300, BlockNear: 4, BlockFar: 16, BlockPull: 2,
		NoiseRate: 1.2, NoiseSize: 0.3, SizeDispersion: 1, MomentumRate: 0.3, MomentumSize: 0.5,
		MomentumWindow: 30, MomentumGain: 1, RateVolExp: 1, MaxIdle: 4,
	}
	switch assetClass(in) {
	case classFX:
		p.Vol, p.JumpsPerDay, p.JumpSize = 0.07, 3, 3
	case classBTC:
		p.Vol = 0.55
	case classETH:
		p.Vol = 0.70
	default:
		p.Vol = 0.90
	}
	p.Spacing = defaultSpacing(in, p.Vol)
	p.Makers = append([]Maker(nil), defaultMakers...)
	return p
}

// defaultSpacing is half the one-second standard deviation of the price
// in ticks at the reference price (about one step's), at least one tick:
// levels are dense where the tick is coarse, and sticky (a step rarely
// moves the deeper ones) where it is fine.
func defaultSpacing(in *market.Instrument, vol float64) float64 {
	sd1s := vol / math.Sqrt(secondsPerYear) * float64(in.RefTicks())
	return max(1, math.Round(sd1s/2))
}

// ParamsFor returns instrument in's parameters: DefaultParams overlaid
// with the JSON object in.Sim. Unknown fields are an error.
func ParamsFor(in *market.Instrument) (Params, error) {
	p := DefaultParams(in)
	if len(bytes.TrimSpace(in.Sim)) == 0 || string(bytes.TrimSpace(in.Sim)) == "null" {
		return p, nil
	}
	var raw struct {
		Makers []json.RawMessage `json:"makers"`
	}
	if err := strictUnmarshal(in.Sim, &raw, false); err != nil {
		return p, fmt.Errorf("%w: %s: %v", ErrParams, in.Symbol, err)
	}
	if err := strictUnmarshal(in.Sim, &p, true); err != nil {
		return p, fmt.Errorf("%w: %s: %v", ErrParams, in.Symbol, err)
	}
	if raw.Makers != nil {
		p.Makers = make([]Maker, len(raw.Makers))
		for i, m := range raw.Makers {
			p.Makers[i] = defaultMakers[min(i, len(defaultMakers)-1)]
			if err := strictUnmarshal(m, &p.Makers[i], true); err != nil {
				return p, fmt.Errorf("%w: %s: makers[%d]: %v", ErrParams, in.Symbol, i, err)
			}
		}
	}
	if err := p.validate(); err != nil {
		return p, fmt.Errorf("%w: %s: %v", ErrParams, in.Symbol, err)
	}
	return p, nil
}

func strictUnmarshal(b []byte, v any, strict bool) error {
	d := json.NewDecoder(bytes.NewReader(b))
	if strict {
		d.DisallowUnknownFields()
	}
	return d.Decode(v)
}

// Validate checks the parameters of every instrument, as Start will
// decode them; it is for configuration loading (Start cannot fail, and
// falls back to defaults for an instrument whose parameters are invalid).
func Validate(insts []*market.Instrument) error {
	for _, in := range insts {
		if _, err := ParamsFor(in); err != nil {
			return err
		}
	}
	return nil
}

// validate checks ranges; the bounds keep every derived quantity finite.
func (p *Params) validate() error {
	checks := []struct {
		name   string
		v      float64
		lo, hi float64
		open   bool // lo excluded
	}{
		{"vol", p.Vol, 0, 20, true},
		{"vol_of_vol", p.VolOfVol, 0, 2, false},
		{"vol_slow_s", p.VolSlow, 0, 1e8, true},
		{"vol_fast_s", p.VolFast, 0, 1e8, true},
		{"fast_share", p.FastShare, 0, 1, false},
		{"jumps_per_day", p.JumpsPerDay, 0, 1e5, false},
		{"jump_size", p.JumpSize, 0, 100, false},
		{"jump_vol", p.JumpVol, 0, 5, false},
		{"impact", p.Impact, 0, 10, false},
		{"vol_halflife_s", p.VolHalfLife, 0, 1e6, true},
		{"notional", p.Notional, 0, 1e12, true},
		{"spacing", p.Spacing, 0, 1e12, true},
		{"hedge_halflife_s", p.HedgeHalfLife, 0, 1e8, true},
		{"flow_halflife_s", p.FlowHalfLife, 0, 1e8, true},
		{"block_rate", p.BlockRate, 0, 100, false},
		{"block_size", p.BlockSize, 0, 1e6, true},
		{"block_dispersion", p.BlockDispersion, 0, 5, false},
		{"block_life_s", p.BlockLife, 0, 1e8, true},
		{"block_near", p.BlockNear, 0, 1e4, false},
		{"block_far", p.BlockFar, 0, 1e4, false},
		{"block_pull", p.BlockPull, 0, 1e4, false},
		{"noise_rate", p.NoiseRate, 0, 1e4, false},
		{"noise_size", p.NoiseSize, 0, 1e6, true},
		{"size_dispersion", p.SizeDispersion, 0, 5, false},
		{"momentum_rate", p.MomentumRate, 0, 1e4, false},
		{"momentum_size", p.MomentumSize, 0, 1e6, true},
		{"momentum_window_s", p.MomentumWindow, 0, 1e6, true},
		{"momentum_gain", p.MomentumGain, 0, 100, false},
		{"rate_vol_exp", p.RateVolExp, 0, 4, false},
		{"max_idle_s", p.MaxIdle, 0, 1e6, true},
	}
	for _, c := range checks {
		if !inRange(c.v, c.lo, c.hi, c.open) {
			return fmt.Errorf("%s %v out of range", c.name, c.v)
		}
	}
	if p.BlockFar < p.BlockNear || p.BlockNear < p.BlockPull {
		return fmt.Errorf("block_pull %v, block_near %v, block_far %v: want pull <= near <= far", p.BlockPull, p.BlockNear, p.BlockFar)
	}
	if len(p.Makers) == 0 || len(p.Makers) > 16 {
		return fmt.Errorf("makers: want 1 to 16, have %d", len(p.Makers))
	}
	for i, m := range p.Makers {
		if err := m.validate(); err != nil {
			return fmt.Errorf("makers[%d]: %v", i, err)
		}
	}
	return nil
}

func (m *Maker) validate() error {
	checks := []struct {
		name   string
		v      float64
		lo, hi float64
		open   bool
	}{
		{"half_spread", m.HalfSpread, 0, 1e9, true},
		{"levels", float64(m.Levels), 1, 100, false},
		{"spacing", m.Spacing, 0, 1e6, true},
		{"size", m.Size, 0, 1e6, true},
		{"size_growth", m.SizeGrowth, 0, 100, false},
		{"size_dispersion", m.SizeDispersion, 0, 2, false},
		{"refresh_s", m.Refresh, 0, 1e6, true},
		{"revise_rate", m.ReviseRate, 0, 1e4, false},
		{"skew", m.Skew, 0, 100, false},
		{"size_skew", m.SizeSkew, 0, 5, false},
		{"flow_skew", m.FlowSkew, 0, 5, false},
		{"inner_lag", m.InnerLag, 0, 100, false},
		{"max_inventory", m.MaxInventory, 0, 1e9, true},
	}
	for _, c := range checks {
		if !inRange(c.v, c.lo, c.hi, c.open) {
			return fmt.Errorf("%s %v out of range", c.name, c.v)
		}
	}
	return nil
}

func inRange(v, lo, hi float64, open bool) bool {
	if math.IsNaN(v) || v > hi || v < lo {
		return false
	}
	return !open || v > lo
}
