package sim

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"
)

// Errors of the simulator's configuration.
var (
	// ErrConfig reports an invalid Config.
	ErrConfig = errors.New("sim: invalid config")
	// ErrParams reports invalid per-instrument parameters (Instrument.Sim).
	ErrParams = errors.New("sim: invalid instrument parameters")
)

// Defaults of Config.
const (
	DefaultSeed = 1
	DefaultRate = 1.0
	DefaultStep = 250 * time.Millisecond
	// MaxRate bounds Config.Rate.
	MaxRate = 1000.0
)

// Config configures a Market. The zero value of each field means its
// documented default.
type Config struct {
	// Seed seeds every random source; default 1. The same seed, the same
	// instruments and the same clock start give byte-identical events.
	Seed uint64
	// Rate multiplies every agent's arrival and refresh rate and the
	// frequency of fair-value steps (the server's --sim-rate); default 1,
	// at most MaxRate. At Rate 10 the venue publishes roughly ten times as
	// many events per simulated second.
	Rate float64
	// Step is the interval between fair-value updates (and the makers'
	// requotes) at Rate 1; default 250ms. The actual interval is Step/Rate,
	// at least 1ms.
	Step time.Duration
	// Logger reports parameters that fail to decode; default slog.Default().
	Logger *slog.Logger
}

func (c *Config) fill() error {
	if c.Seed == 0 {
		c.Seed = DefaultSeed
	}
	switch {
	case c.Rate == 0:
		c.Rate = DefaultRate
	case math.IsNaN(c.Rate) || c.Rate < 0 || c.Rate > MaxRate:
		return fmt.Errorf("%w: rate %v: want (0, %v]", ErrConfig, c.Rate, MaxRate)
	}
	switch {
	case c.Step == 0:
		c.Step = DefaultStep
	case c.Step < 0:
		return fmt.Errorf("%w: step %v: want > 0", ErrConfig, c.Step)
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return nil
}

// stepNS is the fair-value step at the configured rate, in ns.
func (c *Config) stepNS() int64 {
	return max(int64(float64(c.Step)/c.Rate), int64(time.Millisecond))
}
