package jsonl

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/tickcast/tickcast/feed/wire"
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
