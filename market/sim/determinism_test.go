package sim

import (
	"encoding/binary"
	"hash"
	"hash/fnv"
	"testing"
	"time"

	"github.com/tickcast/tickcast/market"
)

// hasher is a Publisher that hashes every field of the public events,
// optionally of one symbol only and without the global offset (which
// depends on the other symbols).
type hasher struct {
	h       hash.Hash64
	symbol  string // "" for all
	noOff   bool
	n       int
	scratch []byte
}

func newHasher() *hasher { return &hasher{h: fnv.New64a()} }

func (hs *hasher) Publish(batch []*market.Event) {
	for _, e := range batch {
		if !e.Kind.Public() || hs.symbol != "" && e.Symbol != hs.symbol {
			continue
		}
		hs.n++
		b := hs.scratch[:0]
		off := e.Off
		if hs.noOff {
			off = 0
		}
		b = append(b, byte(e.Kind))
		b = binary.LittleEndian.AppendUint64(b, e.Seq)
		b = binary.LittleEndian.AppendUint64(b, off)
		b = binary.LittleEndian.AppendUint64(b, uint64(e.TS))
		str := func(s ...string) {
			for _, x := range s {
				b = append(b, x...)
				b = append(b, 0)
			}
		}
		str(e.Symbol, e.Epoch)
		switch {
		case e.Trade != nil:
			b = binary.LittleEndian.AppendUint64(b, e.Trade.ID)
			str(e.Trade.Px.String(), e.Trade.Qty.String(), e.Trade.Side)
		case e.Book != nil:
			for _, l := range e.Book.Bids {
				str("b", l[0].String(), l[1].String())
			}
			for _, l := range e.Book.Asks {
				str("a", l[0].String(), l[1].String())
			}
			b = binary.LittleEndian.AppendUint32(b, e.Book.Checksum)
		case e.Quote != nil:
			str(e.Quote.Bid.String(), e.Quote.BidQty.String(), e.Quote.Ask.String(), e.Quote.AskQty.String())
		case e.Ticker != nil:
			t := e.Ticker
			str(t.Last.String(), t.Open.String(), t.High.String(), t.Low.String(), t.Vol.String(), t.Change.String())
		case e.Candle != nil:
			c := e.Candle
			b = binary.LittleEndian.AppendUint64(b, uint64(c.Start))
			str(c.O.String(), c.H.String(), c.L.String(), c.C.String(), c.V.String())
			b = binary.LittleEndian.AppendUint64(b, uint64(c.N))
			if c.Closed {
				b = append(b, 1)
			}
		}
		hs.h.Write(b)
		hs.scratch = b
	}
}

// TestDeterminism: the same seed gives the same events, field for field;
// another seed or rate gives others.
func TestDeterminism(t *testing.T) {
	const d = 5 * time.Minute
	hashOf := func(cfg Config) (uint64, int) {
		h := newHasher()
		run(t, market.DefaultInstruments(), newMarket(t, cfg), h, d)
		return h.h.Sum64(), h.n
	}
	base, n := hashOf(Config{Seed: 42})
	if n < 20_000 {
		t.Fatalf("only %d public events in %v", n, d)
	}
	for _, tc := range []struct {
		name string
		cfg  Config
		same bool
	}{
		{"same seed", Config{Seed: 42}, true},
		{"same seed, explicit defaults", Config{Seed: 42, Rate: 1, Step: DefaultStep}, true},
		{"other seed", Config{Seed: 43}, false},
		{"other rate", Config{Seed: 42, Rate: 2}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := hashOf(tc.cfg)
			if (got == base) != tc.same {
				t.Errorf("hash %x vs %x: want same=%v", got, base, tc.same)
			}
		})
	}
}

// TestInstrumentsIndependent: an instrument's market is the same whether
// it trades alone or beside the others (its random streams derive from its
// symbol, and agents of different instruments never meet), which is what
// lets TestStylizedFacts run each instrument in a venue of its own.
func TestInstrumentsIndependent(t *testing.T) {
	const d = 5 * time.Minute
	for _, sym := range []string{"BTC-USD", "EUR-USD"} {
		t.Run(sym, func(t *testing.T) {
			all := &hasher{h: fnv.New64a(), symbol: sym, noOff: true}
			run(t, market.DefaultInstruments(), newMarket(t, Config{}), all, d)
			alone := &hasher{h: fnv.New64a(), symbol: sym, noOff: true}
			run(t, only(sym), newMarket(t, Config{}), alone, d)
			if all.n != alone.n || all.h.Sum64() != alone.h.Sum64() {
				t.Errorf("%s: %d events (hash %x) beside the others, %d (hash %x) alone", sym, all.n, all.h.Sum64(), alone.n, alone.h.Sum64())
			}
		})
	}
}
