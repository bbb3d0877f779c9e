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
// (The public messages' decimals come from market.Decs, integers, and
// cannot carry such text: a trade's side is the string tried.)
func TestDataIsOneLine(t *testing.T) {
	t.Parallel()
	f := newFeed(t)
	s := f.dial("?channels=trades&symbols=BTC-USD", nil)
	for _, h := range hostile {
		f.publish(&market.Event{Kind: market.KindTrade, Symbol: "BTC-USD", Trade: &market.Trade{ID: 1, Px: market.MakeDec(100, 2), Qty: market.MakeDec(1, 0), Side: h}})
		lines := s.DataLines()
		e := next(t, s)
		if s.DataLines() != lines+1 {
			t.Fatalf("%s event with %q: %d data lines", e.Type, h, s.DataLines()-lines)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(e.Data), &m); err != nil {
			t.Fatalf("%s event with %q: %v", e.Type, h, err)
		}
		if got := m["side"]; got != h {
			t.Fatalf("%s.side: %q, want %q", e.Type, got, h)
		}
	}
}
