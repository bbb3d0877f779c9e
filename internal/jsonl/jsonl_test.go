package jsonl

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/market"
)

// TestSameBytesAsWire: the hand-written JSON of trades and quotes is byte
// for byte what feed/wire writes, for real-looking messages and for
// strings that need escaping (those go through feed/wire).
func TestSameBytesAsWire(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pick := []string{"", "60000.00", "0.1000", "buy", "BTC-USD", "trades", "x\"y", "a\\b", "\n", "é", "<&>", "\u2028", "\xff"}
	str := func() string { return pick[rng.IntN(len(pick))] }
	meta := func() wire.Meta {
		return wire.Meta{Ch: str(), S: str(), Seq: rng.Uint64() >> rng.IntN(64), Off: rng.Uint64() >> rng.IntN(64), Ts: int64(rng.Uint64()) >> rng.IntN(64)}
	}
	for i := range 20_000 {
		tr := &wire.Trade{Meta: meta(), ID: rng.Uint64() >> rng.IntN(64), Px: str(), Qty: str(), Side: str()}
		if got, want := AppendJSON(nil, tr), tr.AppendJSON(nil); !bytes.Equal(got, want) {
			t.Fatalf("trade %d:\n%s\nwant\n%s", i, got, want)
		}
		q := &wire.Quote{Meta: meta(), Bid: str(), BidQty: str(), Ask: str(), AskQty: str()}
		if got, want := AppendJSON(nil, q), q.AppendJSON(nil); !bytes.Equal(got, want) {
			t.Fatalf("quote %d:\n%s\nwant\n%s", i, got, want)
		}
	}
	tk := &wire.Ticker{Meta: wire.Meta{Ch: "ticker", S: "BTC-USD"}, Last: "1.00"}
	if got := AppendJSON([]byte("prefix"), tk); !bytes.Equal(got, append([]byte("prefix"), tk.AppendJSON(nil)...)) {
		t.Fatalf("other messages: %s", got)
	}
}

var benchTrade = &wire.Trade{Meta: wire.Meta{Ch: "trades", S: "BTC-USD", Seq: 12345, Off: 987654, Ts: 1795477546558424242}, ID: 12345, Px: "60011.31", Qty: "0.0150", Side: "buy"}

func BenchmarkTradeFast(b *testing.B) {
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendJSON(buf[:0], benchTrade)
	}
}

func BenchmarkTradeWire(b *testing.B) {
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = benchTrade.AppendJSON(buf[:0])
	}
}

// TestEventSameBytes: AppendEvent writes AppendJSON(hub.Message(e)) byte
// for byte, for trades and quotes (written by hand from the event) with
// any decimals, empty quote sides and strings that need escaping, and for
// other kinds.
func TestEventSameBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pick := []string{"", "BTC-USD", "buy", "sell", "x\"y", "a\\b", "\n", "é", "<&>", "\xff"}
	str := func() string { return pick[rng.IntN(len(pick))] }
	dec := func() market.Dec {
		if rng.IntN(5) == 0 {
			return market.Dec{}
		}
		return market.MakeDec(int64(rng.Uint64()>>1)>>rng.IntN(63), int32(rng.IntN(13)))
	}
	for i := range 20_000 {
		for _, e := range []*market.Event{
			{Kind: market.KindTrade, Symbol: str(), Seq: rng.Uint64() >> rng.IntN(64), Off: rng.Uint64() >> rng.IntN(64), TS: int64(rng.Uint64()) >> rng.IntN(64),
				Trade: &market.Trade{ID: rng.Uint64() >> rng.IntN(64), Px: dec(), Qty: dec(), Side: str()}},
			{Kind: market.KindQuote, Symbol: str(), Seq: rng.Uint64(), Off: rng.Uint64(), TS: -int64(rng.Uint64() >> 1),
				Quote: &market.Quote{Bid: dec(), BidQty: dec(), Ask: dec(), AskQty: dec()}},
			{Kind: market.KindTicker, Symbol: str(), Ticker: &market.Ticker{Last: dec(), Change: market.MakeDec(-5, 2)}},
		} {
			if got, want := AppendEvent([]byte("x"), e), AppendJSON([]byte("x"), hub.Message(e)); !bytes.Equal(got, want) {
				t.Fatalf("event %d:\n%s\nwant\n%s", i, got, want)
			}
		}
	}
}

var benchTradeEvent = &market.Event{Kind: market.KindTrade, Symbol: "BTC-USD", Seq: 12345, Off: 987654, TS: 1795477546558424242,
	Trade: &market.Trade{ID: 12345, Px: market.MakeDec(6001131, 2), Qty: market.MakeDec(150, 4), Side: "buy"}}

// BenchmarkTradeEvent is a trade's line as `tickcast simulate` writes it:
// straight from the event.
func BenchmarkTradeEvent(b *testing.B) {
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendEvent(buf[:0], benchTradeEvent)
	}
}
