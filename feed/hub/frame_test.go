package hub

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/tickcast/tickcast/feed/wire"
)

// TestEncodeBothFramesAsSingle: the two frames that encodeBoth builds in
// one array are the bytes each format's encoding alone frames (Single),
// for a message that fits the array and for a book that outgrows it, and
// appending to the binary frame leaves the text frame alone.
func TestEncodeBothFramesAsSingle(t *testing.T) {
	trade := &wire.Trade{Meta: wire.Meta{Ch: "trades", S: "BTC-USD", Seq: 7, Off: 123456, Ts: 1}, ID: 7, Px: "60000.00", Qty: "0.1000", Side: "buy"}
	book := &wire.BookSnapshot{BookLevels: wire.BookLevels{Meta: wire.Meta{Ch: "book", S: "BTC-USD", Seq: 9, Off: 9, Ts: 1}, CS: 42}}
	for i := range 200 { // about 6 KB in JSON: past the 126-byte and the array's sizes
		book.Bids = append(book.Bids, wire.Level{Px: fmt.Sprintf("%d.50", 60000-i), Qty: "1.25"})
		book.Asks = append(book.Asks, wire.Level{Px: fmt.Sprintf("%d.50", 60001+i), Qty: "0.5"})
	}
	for _, m := range []wire.Message{trade, book} {
		bin, text, jsonAt := encodeBoth(m)
		wantBin, wantText := Single(wire.MsgPack, m), Single(wire.JSON, m)
		if !bytes.Equal(bin, wantBin) || !bytes.Equal(text, wantText) {
			t.Fatalf("%T: frames differ from Single's", m)
		}
		if !bytes.Equal(text[jsonAt:], m.AppendJSON(nil)) {
			t.Fatalf("%T: jsonAt %d is not where the JSON payload starts", m, jsonAt)
		}
		_ = append(bin, 0xff)
		if !bytes.Equal(text, wantText) {
			t.Fatalf("%T: appending to the binary frame wrote into the text frame", m)
		}
	}
	// Both frames of a trade are one allocation (its encoding allocates
	// nothing: feed/wire's TestEncodeAllocs).
	if raceEnabled {
		return
	}
	if n := testing.AllocsPerRun(100, func() { _, _, _ = encodeBoth(trade) }); n != 1 {
		t.Fatalf("encodeBoth allocates %v times for a trade, want 1", n)
	}
}
