package cluster

import (
	"errors"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/tickcast/tickcast/feed/bus"
	"github.com/tickcast/tickcast/market"
)

func sampleBatch(t testing.TB) []byte {
	b, err := bus.MarshalBatch(nil, []*market.Event{
		{Kind: market.KindTrade, Symbol: "BTC-USD", Seq: 3, Off: 9, TS: 1, Epoch: "e1", Trade: &market.Trade{ID: 3, Px: market.MustParseDec("1.00"), Qty: market.MustParseDec("2"), Side: "buy"}},
		{Kind: market.KindBook, Symbol: "BTC-USD", Seq: 4, Off: 10, Epoch: "e1", Book: &market.BookData{Bids: []market.PriceLevel{{market.MustParseDec("1.00"), market.MustParseDec("0")}}, Checksum: 7}},
		{Kind: market.KindError, Direct: true, Origin: market.Origin{Session: 1, ID: 2, HasID: true}, Reply: &market.Reply{Code: "x", Msg: "y"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCheckMsgpack: the check accepts what the codecs write and refuses
// lengths beyond the input, trailing bytes and truncation.
func TestCheckMsgpack(t *testing.T) {
	good := sampleBatch(t)
	st, err := marshal(&market.State{Epoch: "e", Off: 5, Books: []*market.Event{{Kind: market.KindBookSnapshot, Book: &market.BookData{}}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range [][]byte{good, st} {
		if err := checkMsgpack(b); err != nil {
			t.Fatalf("refused a valid document: %v", err)
		}
	}
	for name, b := range map[string][]byte{
		"array32 of 2^32-1":  {0xdd, 0xff, 0xff, 0xff, 0xff, 0x01},
		"map16 beyond input": {0xde, 0x10, 0x00, 0x01, 0x01},
		"str32 beyond input": {0xdb, 0x00, 0x10, 0x00, 0x00, 'a'},
		"trailing":           append(append([]byte(nil), good...), 0x01),
		"truncated":          good[:len(good)-1],
		"never used":         {0xc1},
		"empty":              nil,
	} {
		if err := checkMsgpack(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// FuzzDecodeEntry: a P:events entry of any bytes is refused or decoded,
// never a panic, and never an allocation beyond its size's worth.
func FuzzDecodeEntry(f *testing.F) {
	f.Add("8", sampleBatch(f))
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
