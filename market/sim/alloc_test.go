package sim

import (
	"math/rand/v2"
	"testing"
)

// TestHotPathsDoNotAllocate: what the agents compute per step and per
// arrival allocates nothing (the venue's own event formatting is the
// only allocation of a simulated hour; see BenchmarkSimulateHour).
func TestHotPathsDoNotAllocate(t *testing.T) {
	p := testParams()
	rng := rand.New(rand.NewPCG(17, 18))
	f := newFairValue(&p, 1e6, rng, 0)
	mk, env := testMaker(), testEnv()
	var c poissonClock
	c.start(rng, 0, 1.2/1e9)
	now := int64(0)
	allocs := testing.AllocsPerRun(1000, func() {
		now += 250e6
		prev := f.logF
		f.evolve(rng, now, 0.25)
		f.observe(prev, 0.25)
		env.volRatio = f.volRatio()
		mk.target(&env, true)
		for k := range mk.want[bidSide] {
			mk.keep(&mk.slots[bidSide][k], mk.want[bidSide][k], k, bidSide, mk.want[bidSide][0].px, false)
		}
		c.setRate(now, takerRate(1.2, 1, f.vol.ratio(), 1)/1e9)
		for c.at <= now {
			c.fired(rng, c.at)
		}
		_ = momentumBuyProb(f.momentum(), 1) + logNormal(rng, 0.3, 1)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per step, want 0", allocs)
	}
}
