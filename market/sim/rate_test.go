package sim

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/tickcast/tickcast/market"
)

// constantVol returns the default instruments with their volatility held
// at its long-run value (no vol of vol, no jumps), so that the takers'
// arrival rates are exactly noise_rate × Rate and momentum_rate × Rate.
func constantVol() []market.Instrument {
	insts := market.DefaultInstruments()
	for i := range insts {
		insts[i].Sim = json.RawMessage(`{"vol_of_vol":0,"jumps_per_day":0}`)
	}
	return insts
}

// TestRateScalesActivity runs the market at Rate 1 and Rate 4: the taker
// arrivals match noise_rate × Rate and momentum_rate × Rate (per
// instrument, within 5 standard deviations of the Poisson count), and the
// venue publishes roughly Rate times as many events.
func TestRateScalesActivity(t *testing.T) {
	d := 20 * time.Minute
	if raceEnabled {
		d = 5 * time.Minute
	}
	events := map[float64]int{}
	for _, rate := range []float64{1, 4} {
		m := newMarket(t, Config{Rate: rate})
		c := &counter{}
		run(t, constantVol(), m, c, d)
		events[rate] = c.events
		for _, st := range m.Stats() {
			p := DefaultParams(&market.Instrument{}) // taker rates are the same for every asset class
			for _, k := range []struct {
				name string
				got  int64
				base float64
			}{{"noise", st.Noise, p.NoiseRate}, {"momentum", st.Momentum, p.MomentumRate}} {
				want := k.base * rate * d.Seconds()
				if math.Abs(float64(k.got)-want) > 5*math.Sqrt(want) {
					t.Errorf("rate %v, %s: %d %s arrivals, want %.0f ± 5 sd", rate, st.Symbol, k.got, k.name, want)
				}
			}
		}
	}
	r := float64(events[4]) / float64(events[1])
	t.Logf("events: %d at rate 1, %d at rate 4 (%.2f times)", events[1], events[4], r)
	if r < 3 || r > 5 {
		t.Errorf("rate 4 published %.2f times the events of rate 1, want 3 to 5", r)
	}
}
