package market

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestChannelsBuildTheSame: a venue that builds only some public channels
// publishes, of those, exactly what a venue building all of them does
// (seq and off included), and its REST queries answer the same.
func TestChannelsBuildTheSame(t *testing.T) {
	type result struct {
		events  map[string][]string // by channel, JSON
		queries string
	}
	run := func(channels []string) result {
		tv := newTestVenue(t, func(c *Config) { c.Channels = channels })
		accts := []string{tv.account(), tv.account()}
		rng := rand.New(rand.NewPCG(3, 4))
		r := result{events: map[string][]string{}}
		for i := range 3000 {
			tv.clock.Advance(time.Duration(rng.IntN(400)) * time.Millisecond)
			sym := []string{"BTC-USD", "EUR-USD"}[rng.IntN(2)]
			px := fmt.Sprintf("%d.00", 59950+rng.IntN(100))
			qty := fmt.Sprintf("0.0%03d", 1+rng.IntN(999))
			if sym == "EUR-USD" {
				px, qty = fmt.Sprintf("1.08%03d", rng.IntN(40)), fmt.Sprint(1+rng.IntN(5000))
			}
			o := OrderRequest{CID: fmt.Sprint(i), Symbol: sym, Side: []string{"buy", "sell"}[rng.IntN(2)], Type: "limit", Qty: qty, Px: px}
			for _, e := range tv.place(accts[rng.IntN(2)], int64(i), o) {
				if ch := e.Kind.Channel(); ch != "" {
					b, _ := json.Marshal(e)
					r.events[ch] = append(r.events[ch], string(b))
				}
			}
		}
		tv.query(func(ctx context.Context) {
			var all []any
			for _, sym := range []string{"BTC-USD", "EUR-USD"} {
				trades, _ := tv.Trades(ctx, sym, 1000)
				c1s, _ := tv.Candles(ctx, sym, "1s", 1000)
				c1m, _ := tv.Candles(ctx, sym, "1m", 1000)
				book, _ := tv.BookSnapshot(ctx, sym)
				all = append(all, trades, c1s, c1m, book)
			}
			tickers, _ := tv.Tickers(ctx)
			b, _ := json.Marshal(append(all, tickers))
			r.queries = string(b)
		})
		return r
	}
	full := run(nil)
	if len(full.events[ChanBook]) < 1000 || len(full.events[ChanTrades]) < 500 || len(full.events[ChanCandles1m]) < 10 {
		t.Fatalf("too quiet a market: %d deltas, %d trades, %d 1m candles", len(full.events[ChanBook]), len(full.events[ChanTrades]), len(full.events[ChanCandles1m]))
	}
	for _, channels := range [][]string{{}, {ChanTrades, ChanQuote}, {ChanBook}, {ChanTicker, ChanCandles1s, ChanCandles1m}} {
		t.Run(fmt.Sprint(channels), func(t *testing.T) {
			got := run(channels)
			for _, ch := range Channels {
				want := full.events[ch]
				if !slices.Contains(channels, ch) {
					want = nil
				}
				if !slices.Equal(got.events[ch], want) {
					t.Errorf("channel %s: %d events differ from the %d of a venue building everything", ch, len(got.events[ch]), len(want))
				}
			}
			if got.queries != full.queries {
				t.Errorf("queries answer differently:\n%.300s\nwant\n%.300s", got.queries, full.queries)
			}
		})
	}
}

func TestChannelsUnknown(t *testing.T) {
	if _, err := New(Config{Publisher: &capture{}, Channels: []string{"trades", "nope"}}); err == nil {
		t.Fatal("an unknown channel was accepted")
	}
}
