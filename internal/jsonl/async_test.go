package jsonl

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/tickcast/tickcast/market"
)

// batches makes n batches of 1–7 trade and quote events (and a private
// event the Writer skips), numbered so that any reordering shows.
func batches(n int) [][]*market.Event {
	var out [][]*market.Event
	seq := uint64(0)
	for i := range n {
		var b []*market.Event
		for k := range 1 + i%7 {
			seq++
			px := market.MakeDec(int64(6000000+seq), 2)
			if k%3 == 2 {
				b = append(b, &market.Event{Kind: market.KindQuote, Symbol: "BTC-USD", Seq: seq, Off: seq, TS: int64(seq), Quote: &market.Quote{Bid: px, BidQty: market.MakeDec(1, 0)}})
				continue
			}
			b = append(b, &market.Event{Kind: market.KindTrade, Symbol: "BTC-USD", Seq: seq, Off: seq, TS: int64(seq), Trade: &market.Trade{ID: seq, Px: px, Qty: market.MakeDec(15, 4), Side: "buy"}})
		}
		b = append(b, &market.Event{Kind: market.KindAccount, Account: "a_1", Seq: seq})
		out = append(out, b)
	}
	return out
}

// TestAsyncSameLines: the Async publisher writes the Writer's lines in
// the Writer's order, for a run shorter than one chunk, one that ends on
// a chunk's edge and one of many chunks.
func TestAsyncSameLines(t *testing.T) {
	for _, n := range []int{0, 1, 3, asyncChunk / 4, 20 * asyncChunk / 4} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			in := batches(n)
			var want, got bytes.Buffer
			w := NewWriter(&want, nil, nil)
			for _, b := range in {
				w.Publish(b)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			a := NewAsync(NewWriter(&got, nil, nil))
			for _, b := range in {
				a.Publish(b)
			}
			if err := a.Flush(); err != nil {
				t.Fatal(err)
			}
			if err := a.Flush(); err != nil { // a second Flush is harmless
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Fatalf("%d bytes, want %d: the lines differ", got.Len(), want.Len())
			}
			if n > 0 && want.Len() == 0 {
				t.Fatal("nothing written")
			}
		})
	}
}

type failWriter struct{ n int }

var errDisk = errors.New("disk full")

func (f *failWriter) Write(p []byte) (int, error) {
	if f.n += len(p); f.n > 100_000 {
		return 0, errDisk
	}
	return len(p), nil
}

// TestAsyncWriteError: a write that fails is Flush's error, and the venue
// is not held up by it (Publish keeps returning).
func TestAsyncWriteError(t *testing.T) {
	a := NewAsync(NewWriter(&failWriter{}, nil, nil))
	for _, b := range batches(10 * asyncChunk / 4) {
		a.Publish(b)
	}
	if err := a.Flush(); !errors.Is(err, errDisk) {
		t.Fatalf("Flush: %v, want the write's error", err)
	}
}
