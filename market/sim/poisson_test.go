package sim

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestTakerRate checks the arrival rate's scaling with volatility and with
// Config.Rate.
func TestTakerRate(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		base, rate, ratio, ex float64
		want                  float64
	}{
		{"long-run vol", 1.2, 1, 1, 1, 1.2},
		{"double vol", 1.2, 1, 2, 1, 2.4},
		{"half vol", 1.2, 1, 0.5, 1, 0.6},
		{"rate 10", 1.2, 10, 1, 1, 12},
		{"rate 10, triple vol", 1.2, 10, 3, 1, 36},
		{"square law", 1, 1, 3, 2, 9},
		{"vol-independent", 1, 1, 3, 0, 1},
		{"ratio bounded above", 1, 1, 50, 1, 10},
		{"ratio bounded below", 1, 1, 0.01, 1, 0.1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := takerRate(tc.base, tc.rate, tc.ratio, tc.ex); math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("takerRate = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestPoissonClock drives the clock with a rate that switches between a
// calm and a volatile regime at every step, and counts the arrivals in
// each: both match their integrated rate.
func TestPoissonClock(t *testing.T) {
	for _, tc := range []struct {
		name       string
		calm, hot  float64 // arrivals per s
		stepMillis int64
	}{
		{"vol scaling 1:4", 1, 4, 250},
		{"rate 10", 10, 40, 25},
		{"long steps", 0.5, 2, 10_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(13, 14))
			var c poissonClock
			c.start(rng, 0, tc.calm/1e9)
			step := tc.stepMillis * 1e6
			const total = int64(20_000e9) // 20,000 s in each regime
			var count [2]float64
			regime := 0
			for now := int64(0); now < 2*total; now += step {
				end := now + step
				for c.at <= end {
					count[regime]++
					c.fired(rng, c.at)
				}
				regime = int(end/step) % 2
				c.setRate(end, []float64{tc.calm, tc.hot}[regime]/1e9)
			}
			for i, r := range []float64{tc.calm, tc.hot} {
				want := r * float64(total) / 1e9
				if math.Abs(count[i]-want) > 5*math.Sqrt(want) {
					t.Errorf("regime %d: %v arrivals, want %.0f ± 5 sd", i, count[i], want)
				}
			}
		})
	}
}

// TestPoissonGaps: with a constant rate the gaps are exponential (mean and
// standard deviation both 1/rate).
func TestPoissonGaps(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	var c poissonClock
	c.start(rng, 0, 2/1e9)
	var sum, sum2 float64
	const n = 100_000
	prev := int64(0)
	for range n {
		g := float64(c.at-prev) / 1e9
		sum += g
		sum2 += g * g
		prev = c.at
		c.fired(rng, c.at)
	}
	m := sum / n
	sd := math.Sqrt(sum2/n - m*m)
	if math.Abs(m-0.5) > 0.01 || math.Abs(sd-0.5) > 0.01 {
		t.Errorf("gaps mean %.4f sd %.4f, want 0.5 and 0.5", m, sd)
	}
}
