package sim

import (
	"math"
	"math/rand/v2"
	"testing"
)

func testParams() Params {
	return Params{
		Vol: 0.6, VolOfVol: 0.5, VolSlow: 7200, VolFast: 600, FastShare: 0.5,
		JumpsPerDay: 6, JumpSize: 4, JumpVol: 0.5, VolHalfLife: 60, MomentumWindow: 30,
	}
}

// TestJumpFrequency runs the price process for 200 simulated days and
// compares the number of jumps with its Poisson
// expectation, for several intensities.
func TestJumpFrequency(t *testing.T) {
	for _, tc := range []struct {
		name    string
		perDay  float64
		stepSec int64
	}{
		{"6 per day", 6, 10},
		{"50 per day", 50, 10},
		{"6 per day, 1-minute steps", 6, 60},
		{"none", 0, 60},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := testParams()
			p.JumpsPerDay = tc.perDay
			rng := rand.New(rand.NewPCG(5, 6))
			f := newFairValue(&p, 1e6, rng, 0)
			const days = 200
			step := tc.stepSec * 1e9
			for now := step; now <= days*86400e9; now += step {
				f.evolve(rng, now, float64(tc.stepSec))
			}
			want := tc.perDay * days
			if d := math.Abs(float64(f.jumps) - want); d > 4*math.Sqrt(want)+0.5 {
				t.Errorf("%d jumps in %d days, want %.0f ± 4 sd", f.jumps, days, want)
			}
		})
	}
}

// TestJumpSize measures jumps alone (no diffusion to speak of): their
// standard deviation is jump_size long-run one-minute standard
// deviations.
func TestJumpSize(t *testing.T) {
	p := testParams()
	p.JumpsPerDay, p.JumpSize, p.VolOfVol = 1000, 4, 0
	rng := rand.New(rand.NewPCG(7, 8))
	f := newFairValue(&p, 1e6, rng, 0)
	f.sigmaBar = 1e-12 // switch the diffusion off, keep the jump scale
	scale := p.Vol / math.Sqrt(secondsPerYear) * math.Sqrt(60) * p.JumpSize
	f.jumpSize = scale / (f.sigmaBar * math.Sqrt(60))
	var sum2 float64
	var n int64
	for now := int64(10e9); now <= 100*86400e9; now += 10e9 {
		prev, jumps := f.logF, f.jumps
		f.evolve(rng, now, 10)
		if f.jumps > jumps {
			d := f.logF - prev
			sum2 += d * d
			n += f.jumps - jumps
		}
	}
	if sd := math.Sqrt(sum2 / float64(n)); math.Abs(sd/scale-1) > 0.05 {
		t.Errorf("jump sd %.3g, want %.3g ± 5%% (%d jumps)", sd, scale, n)
	}
}

// TestFairMartingale: the fair value has no drift, and its one-minute log
// returns have the long-run variance σ̄²·60 on average.
func TestFairMartingale(t *testing.T) {
	p := testParams()
	p.JumpsPerDay = 0
	rng := rand.New(rand.NewPCG(9, 10))
	f := newFairValue(&p, 1e6, rng, 0)
	var sum, sum2 float64
	n := 0
	for now := int64(60e9); now <= 200*86400e9; now += 60e9 { // 200 days
		prev := math.Exp(f.logF)
		f.evolve(rng, now, 60)
		r := math.Exp(f.logF)/prev - 1
		sum += r
		sum2 += r * r
		n++
	}
	m, v := sum/float64(n), sum2/float64(n)
	want := f.sigmaBar * f.sigmaBar * 60
	if math.Abs(v/want-1) > 0.1 {
		t.Errorf("variance of 1-minute returns %.3g, want %.3g ± 10%%", v, want)
	}
	if math.Abs(m) > 4*math.Sqrt(v/float64(n)) {
		t.Errorf("mean 1-minute return %.3g: not a martingale", m)
	}
}

// TestVolEstimate: the agents' EWMA estimate tracks a change of the true
// volatility within a few half-lives.
func TestVolEstimate(t *testing.T) {
	p := testParams()
	p.JumpsPerDay, p.VolOfVol = 0, 0
	rng := rand.New(rand.NewPCG(11, 12))
	f := newFairValue(&p, 1e6, rng, 0)
	now := int64(0)
	stepFor := func(seconds float64) {
		for end := now + int64(seconds*1e9); now < end; {
			now += 250e6
			prev := f.logF
			f.evolve(rng, now, 0.25)
			f.observe(prev, 0.25)
		}
	}
	stepFor(600)
	if r := f.volRatio(); math.Abs(r-1) > 0.2 {
		t.Errorf("estimate at σ̄: ratio %.2f, want 1 ± 0.2", r)
	}
	f.vol.slow = math.Log(3) // volatility triples
	stepFor(5 * p.VolHalfLife)
	if r := f.volRatio(); math.Abs(r-3) > 0.6 {
		t.Errorf("estimate after the change: ratio %.2f, want 3 ± 0.6", r)
	}
}
