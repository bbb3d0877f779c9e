package market

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tickcast/tickcast/orders"
)

func eventsOf(evs []*Event, k Kind) []*Event {
	var out []*Event
	for _, e := range evs {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

// TestChecksumExample is protocol.md 6.2's example: asks 101.00x1.0000 and
// 102.00x2.0000, bids 100.00x3.0000 give 2060812089.
func TestChecksumExample(t *testing.T) {
	tv := newTestVenue(t, func(c *Config) { c.Instruments = testInstruments() })
	a := tv.account()
	tv.place(a, 1, limit("CS-USD", "sell", "1.0000", "101.00"))
	r := limit("CS-USD", "sell", "2.0000", "102.00")
	r.CID = "c2"
	tv.place(a, 2, r)
	r = limit("CS-USD", "buy", "3.0000", "100.00")
	r.CID = "c3"
	deltas := eventsOf(tv.place(a, 3, r), KindBook)
	if len(deltas) != 1 {
		t.Fatalf("%d deltas", len(deltas))
	}
	if got := deltas[0].Book.Checksum; got != 2060812089 {
		t.Fatalf("checksum %d, want 2060812089", got)
	}
	if d := deltas[0].Book; !slices.Equal(d.Bids, []PriceLevel{{MustParseDec("100.00"), MustParseDec("3.0000")}}) || len(d.Asks) != 0 {
		t.Fatalf("delta %+v", d)
	}
}

// l2 is a client-side book built from snapshot and deltas.
type l2 map[string]string

func (b l2) apply(levels []PriceLevel) {
	for _, l := range levels {
		if strings.Trim(l[1].String(), "0.") == "" {
			delete(b, l[0].String())
		} else {
			b[l[0].String()] = l[1].String()
		}
	}
}

// TestDeltasRebuildTheBook replays random trading and requires that a
// client applying the deltas has, after each, the book of a fresh snapshot,
// with consecutive seqs and matching checksums.
func TestDeltasRebuildTheBook(t *testing.T) {
	tv := newTestVenue(t, func(c *Config) { c.RateLimit, c.RateBurst = 1e9, 1e9 })
	accts := []string{tv.account(), tv.account(), tv.account()}
	bids, asks := l2{}, l2{}
	var seq uint64
	rng := rand.New(rand.NewPCG(3, 4))
	quotes := 0
	for i := range 3000 {
		side := []string{"buy", "sell"}[rng.IntN(2)]
		px := fmt.Sprintf("%d.00", 59950+rng.IntN(100))
		r := OrderRequest{CID: fmt.Sprint(i), Symbol: "BTC-USD", Side: side, Type: "limit", Qty: fmt.Sprintf("0.0%03d", 1+rng.IntN(999)), Px: px}
		acct := accts[rng.IntN(3)]
		if rng.IntN(3) == 0 {
			_ = tv.CancelAll(Origin{}, acct, "BTC-USD")
			tv.do()
		}
		evs := tv.place(acct, int64(i), r)
		quotes += len(eventsOf(evs, KindQuote))
		for _, d := range eventsOf(evs, KindBook) {
			if d.Seq != seq+1 {
				t.Fatalf("book seq %d after %d", d.Seq, seq)
			}
			seq = d.Seq
			bids.apply(d.Book.Bids)
			asks.apply(d.Book.Asks)
		}
		var snap *Event
		tv.query(func(ctx context.Context) { snap, _ = tv.BookSnapshot(ctx, "BTC-USD") })
		if snap.Seq != seq {
			t.Fatalf("snapshot seq %d, last delta %d", snap.Seq, seq)
		}
		want := l2{}
		want.apply(snap.Book.Bids)
		if fmt.Sprint(map[string]string(bids)) != fmt.Sprint(map[string]string(want)) {
			t.Fatalf("step %d: rebuilt bids differ from the snapshot", i)
		}
		want = l2{}
		want.apply(snap.Book.Asks)
		if fmt.Sprint(map[string]string(asks)) != fmt.Sprint(map[string]string(want)) {
			t.Fatalf("step %d: rebuilt asks differ from the snapshot", i)
		}
	}
	if quotes < 100 {
		t.Fatalf("only %d quotes", quotes)
	}
}

// TestCandles follows trades through the 1s and 1m candles: updates while
// open, a closed candle when the interval ends, none for empty intervals.
func TestCandles(t *testing.T) {
	tv := newTestVenue(t, nil)
	maker, taker := tv.account(), tv.account()
	trade := func(px, qty string) []*Event {
		r := limit("BTC-USD", "sell", qty, px)
		r.CID = "m" + px
		tv.place(maker, 1, r)
		b := limit("BTC-USD", "buy", qty, px)
		b.CID = "t" + px
		return tv.place(taker, 2, b)
	}
	start := tv.clock.Now()
	tv.clock.Advance(100 * time.Millisecond)
	evs := trade("60000.00", "0.0100")
	tv.clock.Advance(300 * time.Millisecond)
	evs = append(evs, trade("60100.00", "0.0200")...)
	tv.clock.Advance(300 * time.Millisecond)
	evs = append(evs, trade("59900.00", "0.0300")...)
	c1s := eventsOf(evs, KindCandle1s)
	if len(c1s) != 3 {
		t.Fatalf("%d 1s candle updates, want 3", len(c1s))
	}
	want := Candle{Start: start, O: MustParseDec("60000.00"), H: MustParseDec("60100.00"), L: MustParseDec("59900.00"), C: MustParseDec("59900.00"), V: MustParseDec("0.0600"), N: 3}
	if got := *c1s[2].Candle; got != want {
		t.Fatalf("1s candle %+v, want %+v", got, want)
	}
	// Cross into the next second: the open 1s candle closes at the timer.
	tv.clock.Advance(400 * time.Millisecond)
	tv.advance()
	closed := eventsOf(tv.pub.take(), KindCandle1s)
	want.Closed = true
	if len(closed) != 1 || *closed[0].Candle != want {
		t.Fatalf("closing: %+v", closed)
	}
	// 5 s without trades: no candles; then one trade opens a new candle.
	tv.clock.Advance(5 * time.Second)
	tv.advance()
	if n := len(eventsOf(tv.pub.take(), KindCandle1s)); n != 0 {
		t.Fatalf("%d candles for empty seconds", n)
	}
	evs = trade("60050.00", "0.0100")
	c := eventsOf(evs, KindCandle1s)[0].Candle
	if c.Start != start+6e9 || c.N != 1 || c.Closed {
		t.Fatalf("new candle %+v", c)
	}
	m := eventsOf(evs, KindCandle1m)[0].Candle
	if m.Start != start || m.N != 4 || m.V.String() != "0.0700" || m.H.String() != "60100.00" {
		t.Fatalf("1m candle %+v", m)
	}
	var recent []*Candle
	tv.query(func(ctx context.Context) { recent, _ = tv.Candles(ctx, "BTC-USD", "1s", 10) })
	if len(recent) != 2 || !recent[0].Closed || recent[1].Closed {
		t.Fatalf("recent candles %+v", recent)
	}
}

// TestTicker checks the rolling 24-hour window: trades older than a day
// fall out of open, high, low and volume.
func TestTicker(t *testing.T) {
	tv := newTestVenue(t, func(c *Config) { c.Instruments = testInstruments() })
	maker, taker := tv.account(), tv.account()
	trade := func(px, qty string) *Ticker {
		r := limit("CS-USD", "sell", qty, px)
		tv.place(maker, 1, r)
		tk := eventsOf(tv.place(taker, 2, limit("CS-USD", "buy", qty, px)), KindTicker)
		if len(tk) != 1 {
			t.Fatalf("%d tickers after a trade", len(tk))
		}
		return tk[0].Ticker
	}
	trade("100.00", "1.0000")
	tv.clock.Advance(time.Hour)
	trade("120.00", "2.0000")
	tv.clock.Advance(time.Hour)
	got := trade("110.00", "0.5000")
	want := Ticker{Last: MustParseDec("110.00"), Open: MustParseDec("100.00"), High: MustParseDec("120.00"), Low: MustParseDec("100.00"), Vol: MustParseDec("3.5000"), Change: MustParseDec("10.00")}
	if *got != want {
		t.Fatalf("ticker %+v, want %+v", *got, want)
	}
	tv.clock.Advance(22*time.Hour + 30*time.Minute) // the first trade is now 24.5 h old
	got = trade("99.00", "1.0000")
	want = Ticker{Last: MustParseDec("99.00"), Open: MustParseDec("120.00"), High: MustParseDec("120.00"), Low: MustParseDec("99.00"), Vol: MustParseDec("3.5000"), Change: MustParseDec("-17.50")}
	if *got != want {
		t.Fatalf("ticker a day later %+v, want %+v", *got, want)
	}
	for _, c := range []struct {
		last, open int64
		want       string
	}{{110, 100, "10.00"}, {1, 3, "-66.67"}, {2, 3, "-33.33"}, {100, 100, "0.00"}, {100005, 100000, "0.01"}, {99995, 100000, "-0.01"}} {
		if got := changePct(c.last, c.open); got.String() != c.want {
			t.Errorf("changePct(%d, %d) = %s, want %s", c.last, c.open, got, c.want)
		}
	}
}

// TestDeterminism runs the same random command stream twice, with the same
// seed and account nonce (what a recovery restores), and requires
// byte-identical events; a different seed changes them.
func TestDeterminism(t *testing.T) {
	run := func(seed uint64) [32]byte {
		tv := newTestVenue(t, func(c *Config) { c.Seed, c.AccountNonce = seed, 7 })
		accts := []string{tv.account(), tv.account()}
		rng := rand.New(rand.NewPCG(9, 9))
		h := sha256.New()
		for i := range 2000 {
			tv.clock.Advance(time.Duration(rng.IntN(300)) * time.Millisecond)
			r := OrderRequest{CID: fmt.Sprint(i), Symbol: "BTC-USD", Side: []string{"buy", "sell"}[rng.IntN(2)], Type: "limit", Qty: fmt.Sprintf("0.0%03d", 1+rng.IntN(999)), Px: fmt.Sprintf("%d.00", 59950+rng.IntN(100))}
			for _, e := range tv.place(accts[rng.IntN(2)], int64(i), r) {
				b, _ := json.Marshal(e)
				h.Write(b)
			}
		}
		return [32]byte(h.Sum(nil))
	}
	a, b, c := run(1), run(1), run(2)
	if a != b {
		t.Fatal("same seed and commands gave different events")
	}
	if a == c {
		t.Fatal("a different seed gave the same events")
	}
}

// TestQuoteAndTradeData: the quote and the trade, whose strings are
// formatted into one buffer, carry each value formatted on its own, and
// empty strings for an empty side.
func TestQuoteAndTradeData(t *testing.T) {
	tv := newTestVenue(t, nil)
	bs := tv.bySym["BTC-USD"]
	in := bs.inst
	for _, q := range []quoteState{
		{},
		{bid: orders.Level{Price: 5999912, Qty: 1234}, hasBid: true},
		{ask: orders.Level{Price: 6000001, Qty: 7}, hasAsk: true},
		{bid: orders.Level{Price: 1, Qty: 1}, hasBid: true, ask: orders.Level{Price: orders.MaxPrice, Qty: 1_000_000}, hasAsk: true},
	} {
		bs.quote = q
		want := Quote{}
		if q.hasBid {
			want.Bid, want.BidQty = in.price.Dec(q.bid.Price), in.qty.Dec(q.bid.Qty)
		}
		if q.hasAsk {
			want.Ask, want.AskQty = in.price.Dec(q.ask.Price), in.qty.Dec(q.ask.Qty)
		}
		bs.emitQuote()
		batch := tv.takeBatch()
		if got := *batch[len(batch)-1].Quote; got != want {
			t.Errorf("quote %+v: %+v, want %+v", q, got, want)
		}
	}
	r := tradeRec{id: 3, px: 6000012, qty: 42, side: orders.Sell}
	want := Trade{ID: 3, Px: MustParseDec("60000.12"), Qty: MustParseDec("0.0042"), Side: "sell"}
	if got := *bs.tradeData(&r, &Trade{}); got != want {
		t.Errorf("trade %+v, want %+v", got, want)
	}
}
