package hub

import (
	"slices"
	"testing"

	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/market"
)

// TestChannelNamesAgree pins the channel names that the venue (market)
// and the protocol package (feed/wire) each declare: market may not import
// the feed, and wire does not depend on the server, so this test is where
// the two lists meet.
func TestChannelNamesAgree(t *testing.T) {
	if !slices.Equal(market.Channels, Channels) {
		t.Fatalf("market %v, hub %v", market.Channels, Channels)
	}
	for _, k := range []market.Kind{market.KindTrade, market.KindBook, market.KindQuote, market.KindTicker, market.KindCandle1s, market.KindCandle1m} {
		if !slices.Contains([]string{wire.ChanTrades, wire.ChanBook, wire.ChanQuote, wire.ChanTicker, wire.ChanCandles1s, wire.ChanCandles1m}, k.Channel()) {
			t.Errorf("market kind %v has channel %q unknown to the protocol", k, k.Channel())
		}
	}
	if wire.Lossless(wire.ChanTrades) != true || wire.Lossless(wire.ChanQuote) {
		t.Error("lossless channels changed")
	}
}
