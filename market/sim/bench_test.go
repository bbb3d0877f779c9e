package sim

import (
	"testing"
	"time"

	"github.com/tickcast/tickcast/market"
)

// BenchmarkSimulateHour simulates one hour of the five default
// instruments; one op is one simulated hour. It reports the events
// published per simulated hour.
func BenchmarkSimulateHour(b *testing.B) {
	b.ReportAllocs()
	events := 0
	for b.Loop() {
		c := &counter{}
		run(b, market.DefaultInstruments(), newMarket(b, Config{}), c, time.Hour)
		events = c.events
	}
	b.ReportMetric(float64(events), "events/hour")
}
