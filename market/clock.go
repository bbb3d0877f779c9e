package market

import (
	"sync/atomic"
	"time"
)

// Clock tells the venue the time, in ns since the Unix epoch. The venue
// reads it once per command; everything it stamps follows from it.
type Clock interface {
	Now() int64
}

// WallClock is the real time.
type WallClock struct{}

// Now returns the current wall-clock time.
func (WallClock) Now() int64 { return time.Now().UnixNano() }

// ManualClock is a clock that moves only when told to: the simulated clock
// of `tickcast simulate` and of tests. It is safe for concurrent use.
type ManualClock struct{ ns atomic.Int64 }

// NewManualClock returns a clock standing at t.
func NewManualClock(t time.Time) *ManualClock {
	c := &ManualClock{}
	c.ns.Store(t.UnixNano())
	return c
}

// Now returns the clock's time.
func (c *ManualClock) Now() int64 { return c.ns.Load() }

// Set moves the clock to ns.
func (c *ManualClock) Set(ns int64) { c.ns.Store(ns) }

// Advance moves the clock forward by d.
func (c *ManualClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }
