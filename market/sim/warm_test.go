package sim

import (
	"cmp"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/tickcast/tickcast/market"
)

// batches is a Publisher that keeps every batch, safe to read once the
// venue is done with it (Run has gone live or returned).
type batches struct{ list [][]*market.Event }

func (b *batches) Publish(batch []*market.Event) { b.list = append(b.list, batch) }

// TestWarmStartState: a venue that warm-starts over d reaches the state a
// venue simulating the same d with every event built reaches, and says so
// with one batch: per symbol the book with the last delta's seq, offset and
// time, then the quote, ticker and candles as new events; nothing else is
// published before it.
// Recent trades, candles and books over REST are the reference's, seq and
// offset included (a REST book's offset and ts are the query's):
// the silent warm start numbers what it does not build.
func TestWarmStartState(t *testing.T) {
	d := time.Hour
	if raceEnabled {
		d = 10 * time.Minute
	}
	insts := market.DefaultInstruments()
	end := testStart.Add(d)
	newVenue := func(pub market.Publisher, clock market.Clock, warm time.Duration) *market.Venue {
		v, err := market.New(market.Config{Instruments: insts, Publisher: pub, Clock: clock, Seed: 7, Epoch: "simtest",
			TokenKey: []byte("k"), Actors: []market.Actor{newMarket(t, Config{})}, WarmStart: warm,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// The reference: simulated from testStart to end, everything built.
	ref := &capture{}
	rv := newVenue(ref, market.NewManualClock(testStart), 0)
	if err := rv.Simulate(end.UnixNano()); err != nil {
		t.Fatal(err)
	}
	// The warm start: a venue whose clock reads end.
	warm := &batches{}
	wv := newVenue(warm, market.NewManualClock(end), d)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = wv.Run(ctx) }()
	select {
	case <-wv.Live():
	case <-time.After(2 * time.Minute):
		t.Fatal("the warm start did not finish")
	}
	qctx := context.Background()
	for _, in := range insts {
		sym := in.Symbol
		got := map[string]any{}
		want := map[string]any{}
		got["trades"], _ = wv.Trades(qctx, sym, 1000)
		got["candles 1s"], _ = wv.Candles(qctx, sym, "1s", 1000)
		got["candles 1m"], _ = wv.Candles(qctx, sym, "1m", 1000)
		got["book"], _ = wv.BookSnapshot(qctx, sym)
		want["trades"] = ref.last(sym, market.KindTrade, 1000)
		want["candles 1s"] = ref.candles(sym, market.KindCandle1s)
		want["candles 1m"] = ref.candles(sym, market.KindCandle1m)
		want["book"] = ref.book(sym)
		if b, ok := got["book"].(*market.Event); ok && b != nil {
			b.Off = ref.events[len(ref.events)-1].Off // the state batch came after: checked below
		}
		want["book"].(*market.Event).TS = end.UnixNano() // a REST book's ts is the query's
		for k := range want {
			g, _ := json.Marshal(got[k])
			w, _ := json.Marshal(want[k])
			if string(g) != string(w) {
				t.Errorf("%s %s after the warm start:\n%.400s\nwant (simulated, all built)\n%.400s", sym, k, g, w)
			}
		}
	}
	cancel()
	<-done
	if len(warm.list) != 1 {
		t.Fatalf("%d batches published by the warm start, want 1 (the state)", len(warm.list))
	}
	batch := warm.list[0]
	kinds := map[string][]market.Kind{}
	for _, e := range batch {
		kinds[e.Symbol] = append(kinds[e.Symbol], e.Kind)
	}
	for _, in := range insts {
		sym := in.Symbol
		k := kinds[sym]
		if len(k) != 5 || k[0] != market.KindBookSnapshot || k[1] != market.KindQuote || k[2] != market.KindTicker || k[3] != market.KindCandle1s || k[4] != market.KindCandle1m {
			t.Errorf("%s: the state batch has %v, want book_snapshot, quote, ticker, 1s and 1m candles", sym, k)
		}
	}
	for _, e := range batch {
		if e.Kind != market.KindBookSnapshot {
			continue
		}
		r := ref.last(e.Symbol, market.KindBook, 1)[0]
		if e.Seq != r.Seq || e.Off != r.Off || e.TS != r.TS || e.Book.Checksum != r.Book.Checksum {
			t.Errorf("%s: state book seq %d off %d ts %d checksum %d, want the last delta's %d, %d, %d, %d", e.Symbol, e.Seq, e.Off, e.TS, e.Book.Checksum, r.Seq, r.Off, r.TS, r.Book.Checksum)
		}
	}
	last := ref.events[len(ref.events)-1].Off
	for i, e := range batch {
		if e.Kind != market.KindBookSnapshot && e.Off <= last {
			t.Errorf("state event %d (%v) at offset %d, not after the history's last %d", i, e.Kind, e.Off, last)
		}
	}
}

// capture is a Publisher that keeps every event.
type capture struct{ events []*market.Event }

func (c *capture) Publish(batch []*market.Event) { c.events = append(c.events, batch...) }

// last returns up to n of the newest events of sym and kind, oldest first.
func (c *capture) last(sym string, k market.Kind, n int) []*market.Event {
	var out []*market.Event
	for i := len(c.events) - 1; i >= 0 && len(out) < n; i-- {
		if e := c.events[i]; e.Symbol == sym && e.Kind == k {
			out = append(out, e)
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// candles returns what REST would answer for sym's candles of kind k, from
// the published events: the newest 1000, each as last published, oldest
// first.
func (c *capture) candles(sym string, k market.Kind) []*market.Candle {
	var out []*market.Candle
	for _, e := range c.events {
		if e.Symbol != sym || e.Kind != k {
			continue
		}
		if n := len(out); n > 0 && out[n-1].Start == e.Candle.Start {
			out[n-1] = e.Candle
		} else {
			out = append(out, e.Candle)
		}
	}
	return out[max(len(out)-1000, 0):]
}

// book rebuilds sym's book from the published deltas, as a snapshot event
// at the last delta's seq and the last offset.
func (c *capture) book(sym string) *market.Event {
	sides := [2]map[string]string{{}, {}}
	var last *market.Event
	for _, e := range c.events {
		if e.Symbol != sym || e.Kind != market.KindBook {
			continue
		}
		for i, levels := range [2][]market.PriceLevel{e.Book.Bids, e.Book.Asks} {
			for _, l := range levels {
				if q, _ := strconv.ParseFloat(l[1].String(), 64); q == 0 {
					delete(sides[i], l[0].String())
				} else {
					sides[i][l[0].String()] = l[1].String()
				}
			}
		}
		last = e
	}
	d := &market.BookData{Checksum: last.Book.Checksum}
	for i, side := range sides {
		var levels []market.PriceLevel
		for px, q := range side {
			levels = append(levels, market.PriceLevel{market.MustParseDec(px), market.MustParseDec(q)})
		}
		slices.SortFunc(levels, func(a, b market.PriceLevel) int {
			x, _ := strconv.ParseFloat(a[0].String(), 64)
			y, _ := strconv.ParseFloat(b[0].String(), 64)
			if i == 0 {
				x, y = y, x // bids descending
			}
			return cmp.Compare(x, y)
		})
		if i == 0 {
			d.Bids = levels
		} else {
			d.Asks = levels
		}
	}
	return &market.Event{Kind: market.KindBookSnapshot, Symbol: sym, Seq: last.Seq, Off: c.events[len(c.events)-1].Off, TS: last.TS, Epoch: last.Epoch, Book: d}
}
