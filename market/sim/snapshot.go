package sim

import (
	"log/slog"
	"math/rand/v2"
	"reflect"

	"github.com/tickcast/tickcast/internal/deepstate"
	"github.com/tickcast/tickcast/market"
)

var _ market.StateSaver = (*Market)(nil)

// marketState says what of a Market a snapshot keeps: everything but its
// configuration (rebuilt from the same flags) and the errors of Start.
var marketState = deepstate.Options{
	Keep: func(t reflect.Type, f reflect.StructField) bool {
		if f.Type == reflect.TypeFor[*slog.Logger]() {
			return true
		}
		return t == reflect.TypeFor[Market]() && (f.Name == "cfg" || f.Name == "errs")
	},
	Interfaces: []reflect.Type{reflect.TypeFor[*rand.PCG]()},
}

// MarshalState returns the simulated market's state: every instrument's
// fair value, agents, timers, counters and random generators (a durable
// venue's snapshot keeps it).
func (m *Market) MarshalState() ([]byte, error) {
	return deepstate.Encode(nil, m, marketState)
}

// UnmarshalState restores what MarshalState returned into a Market made by
// New with the same Config; the venue then wakes it as if it had never
// stopped (Start is not called again).
func (m *Market) UnmarshalState(b []byte) error {
	return deepstate.Decode(b, m, marketState)
}
