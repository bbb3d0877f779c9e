package sim

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestVolStationary runs the log-vol process for a long time and checks
// its stationary moments: std of log σ equals vol_of_vol, E[σ²] = σ̄², and
// the two halves of the run agree (no drift), whatever the step.
func TestVolStationary(t *testing.T) {
	for _, tc := range []struct {
		name string
		dt   float64 // s
	}{
		{"step 0.25s", 0.25},
		{"step 10s", 10},
		{"step 60s", 60},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Params{VolOfVol: 0.5, VolSlow: 7200, VolFast: 600, FastShare: 0.5}
			v := newVolProcess(&p)
			rng := rand.New(rand.NewPCG(1, 2))
			v.draw(rng)
			const days = 400
			n := int(days * 86400 / tc.dt)
			if tc.dt < 1 {
				n /= 40 // 10 days at the venue's step: 120 slow time constants
			}
			var sumH, sumH2, sumS2 float64
			var half [2]float64
			for i := range n {
				v.step(rng, tc.dt)
				h := v.slow + v.fast
				sumH += h
				sumH2 += h * h
				r := v.ratio()
				sumS2 += r * r
				half[i*2/n] += h
			}
			N := float64(n)
			sd := math.Sqrt(sumH2/N - (sumH/N)*(sumH/N))
			if math.Abs(sd-p.VolOfVol) > 0.1*p.VolOfVol {
				t.Errorf("std of log vol %.3f, want %.3f ± 10%%", sd, p.VolOfVol)
			}
			if ms := sumS2 / N; math.Abs(ms-1) > 0.15 {
				t.Errorf("E[(σ/σ̄)²] = %.3f, want 1 ± 0.15", ms)
			}
			if d := math.Abs(half[0]-half[1]) / (N / 2); d > 0.15 {
				t.Errorf("mean log vol differs by %.3f between halves", d)
			}
		})
	}
}

// TestVolClusters checks that volatility is persistent: the log-vol
// factor's autocorrelation after one slow time constant is about 1/e
// of its variance share, and decays with time.
func TestVolClusters(t *testing.T) {
	p := Params{VolOfVol: 0.5, VolSlow: 3600, VolFast: 300, FastShare: 0}
	v := newVolProcess(&p)
	rng := rand.New(rand.NewPCG(3, 4))
	v.draw(rng)
	const dt = 60.0
	n := 200 * 86400 / int(dt)
	xs := make([]float64, n)
	for i := range xs {
		v.step(rng, dt)
		xs[i] = v.slow
	}
	lag := int(p.VolSlow / dt)
	if got := acf(xs, lag); math.Abs(got-math.Exp(-1)) > 0.05 {
		t.Errorf("acf after one time constant %.3f, want e^-1 ± 0.05", got)
	}
}
