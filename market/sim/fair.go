package sim

import (
	"math"
	"math/rand/v2"
)

// fairValue is the latent fair value of one instrument, in log ticks:
//
//	d log F = −σ²/2 dt + σ dW + J dN,
//
// σ from volProcess; N a Poisson process of rate λ_J whose jumps J are
// normal with standard deviation jump_size long-run one-minute stds
// (σ̄·√60), each kicking the fast log-vol factor up by jump_vol. Impact and the
// shifts log F from outside (shift).
//
// It also keeps what the agents estimate from F's path: an EWMA of its
// per-second variance (the makers' spreads) and an EMA of log F (the
// momentum takers' trend).
type fairValue struct {
	logF     float64 // log of the fair value in ticks
	sigmaBar float64 // long-run σ per sqrt(second)
	vol      volProcess
	jumpRate float64 // per ns; 0 for none
	nextJump int64   // ns
	jumpSize float64 // in one-minute stds
	jumpVol  float64
	jumps    int64

	est     float64 // EWMA of (Δ log F)²/dt, per second
	estHL   float64 // half-life of est, s
	trend   float64 // EMA of log F
	trendTC float64 // time constant of trend, s

	// Coefficients for the last dt, cached.
	dt           float64
	estW, trendW float64
}

func newFairValue(p *Params, refTicks int64, rng *rand.Rand, now int64) fairValue {
	f := fairValue{
		logF:     math.Log(float64(refTicks)),
		sigmaBar: p.Vol / math.Sqrt(secondsPerYear),
		vol:      newVolProcess(p),
		jumpRate: p.JumpsPerDay / 86400e9,
		nextJump: math.MaxInt64,
		jumpSize: p.JumpSize,
		jumpVol:  p.JumpVol,
		estHL:    p.VolHalfLife,
		trendTC:  p.MomentumWindow,
	}
	f.vol.draw(rng)
	s := f.sigma()
	f.est = s * s
	f.trend = f.logF
	f.scheduleJump(rng, now)
	return f
}

func (f *fairValue) scheduleJump(rng *rand.Rand, from int64) {
	if f.jumpRate <= 0 {
		f.nextJump = math.MaxInt64
		return
	}
	f.nextJump = from + max(int64(rng.ExpFloat64()/f.jumpRate), 1)
}

// sigma is the current σ per sqrt(second).
func (f *fairValue) sigma() float64 { return f.sigmaBar * f.vol.ratio() }

// evolve advances the process by dt seconds to now: volatility, diffusion,
// then the jumps due by now.
func (f *fairValue) evolve(rng *rand.Rand, now int64, dt float64) {
	f.vol.step(rng, dt)
	s := f.sigma()
	f.logF += -0.5*s*s*dt + s*math.Sqrt(dt)*rng.NormFloat64()
	for f.nextJump <= now {
		f.logF += f.jumpSize * f.sigmaBar * math.Sqrt(60) * rng.NormFloat64()
		f.vol.kick(f.jumpVol)
		f.jumps++
		f.scheduleJump(rng, f.nextJump)
	}
}

// shift moves log F by d (impact).
func (f *fairValue) shift(d float64) { f.logF += d }

// observe updates the agents' estimates after a step of dt seconds that
// took log F from prev to its current value.
func (f *fairValue) observe(prev, dt float64) {
	if dt <= 0 {
		return
	}
	if dt != f.dt {
		f.dt = dt
		f.estW = math.Exp2(-dt / f.estHL)
		f.trendW = math.Exp(-dt / f.trendTC)
	}
	d := f.logF - prev
	f.est = f.estW*f.est + (1-f.estW)*d*d/dt
	f.trend = f.trendW*f.trend + (1-f.trendW)*f.logF
}

// volRatio is the agents' estimate of σ/σ̄, bounded to [0.25, 8].
func (f *fairValue) volRatio() float64 {
	return min(max(math.Sqrt(f.est)/f.sigmaBar, 0.25), 8)
}

// ticks is the fair value in ticks.
func (f *fairValue) ticks() float64 { return math.Exp(f.logF) }

// momentum is the trend signal: log F above its EMA, in standard
// deviations of a move over the EMA's time constant.
func (f *fairValue) momentum() float64 {
	return (f.logF - f.trend) / (math.Sqrt(f.est*f.trendTC) + 1e-12)
}
