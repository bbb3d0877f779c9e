package sim

import (
	"math"
	"math/rand/v2"
)

// volProcess is the stochastic volatility of one fair value: log σ/σ̄ is
// the sum of a slow and a fast Ornstein–Uhlenbeck factor,
//
//	dh = -h/τ dt + s·sqrt(2/τ) dW   (per factor; stationary h ~ N(0, s²)),
//
// and σ = σ̄·exp(h_slow + h_fast − v) with v = s_slow² + s_fast², so that
// E[σ²] = σ̄² in the stationary state (jumps' kicks add a little).
type volProcess struct {
	slow, fast     float64 // the factors h
	tauSlow        float64 // s
	tauFast        float64 // s
	sdSlow, sdFast float64 // stationary standard deviations
	norm           float64 // v

	// Coefficients for the last dt, cached: steps are usually equal.
	dt                   float64
	aSlow, aFast         float64 // exp(-dt/τ)
	noiseSlow, noiseFast float64 // s·sqrt(1 - a²)
}

func newVolProcess(p *Params) volProcess {
	v := volProcess{
		tauSlow: p.VolSlow,
		tauFast: p.VolFast,
		sdSlow:  p.VolOfVol * math.Sqrt(1-p.FastShare),
		sdFast:  p.VolOfVol * math.Sqrt(p.FastShare),
	}
	v.norm = v.sdSlow*v.sdSlow + v.sdFast*v.sdFast
	return v
}

// draw sets the factors to a draw from their stationary distribution.
func (v *volProcess) draw(rng *rand.Rand) {
	v.slow = v.sdSlow * rng.NormFloat64()
	v.fast = v.sdFast * rng.NormFloat64()
}

// step advances the factors by dt seconds, exactly (the OU transition).
func (v *volProcess) step(rng *rand.Rand, dt float64) {
	if dt != v.dt {
		v.dt = dt
		v.aSlow = math.Exp(-dt / v.tauSlow)
		v.aFast = math.Exp(-dt / v.tauFast)
		v.noiseSlow = v.sdSlow * math.Sqrt(1-v.aSlow*v.aSlow)
		v.noiseFast = v.sdFast * math.Sqrt(1-v.aFast*v.aFast)
	}
	v.slow = v.aSlow*v.slow + v.noiseSlow*rng.NormFloat64()
	v.fast = v.aFast*v.fast + v.noiseFast*rng.NormFloat64()
}

// kick adds d to the fast factor (after a jump).
func (v *volProcess) kick(d float64) { v.fast += d }

// ratio is σ/σ̄ now.
func (v *volProcess) ratio() float64 { return math.Exp(v.slow + v.fast - v.norm) }
