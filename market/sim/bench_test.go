package sim

import (
	"testing"
	"time"

	"github.com/tickcast/tickcast/market"
)

// BenchmarkSimulateHour simulates one hour of the five default
// instruments; one op is one simulated hour. It reports the events
// published per simulated hour. The venue builds every channel (all),
// what `tickcast simulate` builds by default (trades,quote), or nothing
// (none: the cost of the market itself, as in the warm start).
func BenchmarkSimulateHour(b *testing.B) {
	for _, bc := range []struct {
		name     string
		channels []string
	}{
		{"all", nil},
		{"trades,quote", []string{market.ChanTrades, market.ChanQuote}},
		{"none", []string{}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			events := 0
			for b.Loop() {
				c := &counter{}
				runChannels(b, market.DefaultInstruments(), newMarket(b, Config{}), c, time.Hour, bc.channels)
				events = c.events
			}
			b.ReportMetric(float64(events), "events/hour")
		})
	}
}
