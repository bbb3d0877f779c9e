package cluster

import (
	"errors"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/tickcast/tickcast/internal/testkit"
	"github.com/tickcast/tickcast/market"
)

// FuzzDecodeEntry: a P:events entry of any bytes is refused or decoded,
// never a panic, and never an allocation beyond its size's worth.
func FuzzDecodeEntry(f *testing.F) {
	f.Add("8", testkit.SampleBatch(f))
	f.Add("0", []byte{0x90})
	f.Add("x", []byte{0xdd, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, prev string, b []byte) {
		x, err := decodeEntry(redis.XMessage{ID: "10-0", Values: map[string]any{"p": prev, "b": string(b)}})
		if err == nil && x.hi != 10 {
			t.Fatalf("hi %d", x.hi)
		}
	})
}

// FuzzUnmarshalState: P:state of any bytes is refused or decoded.
func FuzzUnmarshalState(f *testing.F) {
	st, _ := marshal(&market.State{Epoch: "e", Off: 5, Trades: [][]*market.Event{{{Kind: market.KindTrade, Trade: &market.Trade{}}}}})
	f.Add(st)
	f.Fuzz(func(t *testing.T, b []byte) {
		var s market.State
		if err := unmarshal(b, maxStateBytes, &s); err != nil && errors.Is(err, errTooLarge) {
			t.Fatal("small input refused as too large")
		}
	})
}
