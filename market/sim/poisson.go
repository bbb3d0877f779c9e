package sim

import (
	"math"
	"math/rand/v2"
)

// poissonClock schedules the arrivals of a Poisson process whose rate is
// piecewise constant (it changes at fair-value steps). It is exact: the
// arrival comes when the integrated rate since the previous one reaches an
// Exp(1) draw (the time-change construction), whatever the rate path.
type poissonClock struct {
	rate  float64 // arrivals per ns now
	left  float64 // integrated rate still to go before the next arrival
	since int64   // when left was last brought up to date
	at    int64   // next arrival; math.MaxInt64 while the rate is zero
}

// start begins the process at now with the given rate.
func (c *poissonClock) start(rng *rand.Rand, now int64, rate float64) {
	c.left, c.since, c.rate = rng.ExpFloat64(), now, rate
	c.schedule()
}

// setRate changes the rate from now on.
func (c *poissonClock) setRate(now int64, rate float64) {
	if now > c.since {
		c.left = max(c.left-c.rate*float64(now-c.since), 0)
		c.since = now
	}
	c.rate = rate
	c.schedule()
}

// fired draws the next arrival after the one due at c.at; from is when to
// count it from (c.at, or now when the venue woke too late to catch up).
func (c *poissonClock) fired(rng *rand.Rand, from int64) {
	c.left, c.since = rng.ExpFloat64(), from
	c.schedule()
}

func (c *poissonClock) schedule() {
	if c.rate <= 0 {
		c.at = math.MaxInt64
		return
	}
	d := c.left / c.rate
	if d > 1e18 {
		c.at = math.MaxInt64
		return
	}
	c.at = c.since + max(int64(d), 1)
}
