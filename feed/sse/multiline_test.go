package sse

import (
	"encoding/json"
	"testing"

	"github.com/tickcast/tickcast/market"
)

// hostile strings: line breaks of every kind SSE knows (LF, CR, CRLF),
// text that looks like SSE fields, NUL, a quote, U+2028.
var hostile = []string{"a\nb", "c\rd", "e\r\nf", "\n\ndata: fake\nid: x:1\n\n", "nul\x00", `q"uote\`, "ls\u2028ps\u2029"}

// TestDataIsOneLine: whatever the strings in a message, its event has one
// data line, and that line is JSON giving the strings back. protocol.md 7.6
// sends the same JSON as the WebSocket: the encoder escapes every control
// character, so no raw CR or LF can reach the stream and end a line early.
func TestDataIsOneLine(t *testing.T) {
	t.Parallel()
	f := newFeed(t)
	s := f.dial("?channels=trades,book,quote,ticker,candles.1s&symbols=BTC-USD", nil)
	next(t, s) // the book snapshot
	for _, h := range hostile {
		f.publish(
			&market.Event{Kind: market.KindTrade, Symbol: "BTC-USD", Trade: &market.Trade{ID: 1, Px: h, Qty: h, Side: h}},
			&market.Event{Kind: market.KindBook, Symbol: "BTC-USD", Book: &market.BookData{Bids: []market.PriceLevel{{h, h}}, Asks: []market.PriceLevel{}}},
			&market.Event{Kind: market.KindQuote, Symbol: "BTC-USD", Quote: &market.Quote{Bid: h, BidQty: h, Ask: h, AskQty: h}},
			&market.Event{Kind: market.KindTicker, Symbol: "BTC-USD", Ticker: &market.Ticker{Last: h, Open: h, High: h, Low: h, Vol: h, Change: h}},
			&market.Event{Kind: market.KindCandle1s, Symbol: "BTC-USD", Candle: &market.Candle{Start: 1, O: h, H: h, L: h, C: h, V: h}},
		)
		for _, want := range []string{"px", "bids", "bid", "last", "o"} {
			lines := s.DataLines()
			e := next(t, s)
			if s.DataLines() != lines+1 {
				t.Fatalf("%s event with %q: %d data lines", e.Type, h, s.DataLines()-lines)
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(e.Data), &m); err != nil {
				t.Fatalf("%s event with %q: %v", e.Type, h, err)
			}
			got := m[want]
			if want == "bids" {
				got = m["bids"].([]any)[0].([]any)[0]
			}
			if got != h {
				t.Fatalf("%s.%s: %q, want %q", e.Type, want, got, h)
			}
		}
	}
}
