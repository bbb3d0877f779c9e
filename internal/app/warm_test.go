package app

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/client"
	"github.com/tickcast/tickcast/feed/client/eventstream"
	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/internal/testkit"
	"github.com/tickcast/tickcast/market"
	"github.com/tickcast/tickcast/market/sim"
)

// gatedActor holds the simulated market's Start (and so the warm start)
// until the test opens the gate.
type gatedActor struct {
	market.Actor
	gate chan struct{}
}

func (g gatedActor) Start(x *market.Exchange) int64 {
	<-g.gate
	return g.Actor.Start(x)
}

// TestWarmStart: a server started with the default warm start says not
// ready until it is done, then serves from its first request at least 600
// one-minute candles for every symbol, the oldest as old as the warm
// start, a 24-hour ticker whose open is that candle's open (the rolling
// window begins with the warm start), a full page of recent trades and
// books; and a viewer's book (snapshot, then live deltas) checks out
// against every checksum. Under the race detector the market runs at a
// tenth of the rate (the same span, fewer agents' actions) to stay fast.
func TestWarmStart(t *testing.T) {
	rate, deltas := 1.0, 5
	if raceEnabled {
		rate, deltas = 0.1, 2
	}
	gate := make(chan struct{})
	s := newServer(t, func(c *Config) {
		c.Market.WarmStart = DefaultWarmStart
		c.Sim = &sim.Config{Rate: rate}
		c.WrapSim = func(a market.Actor) market.Actor { return gatedActor{a, gate} }
	})
	before := time.Now() // the warm start begins D before the clock reads as Run starts
	s.Start()
	if code, _ := get(t, s.URL()+"/readyz"); code != http.StatusServiceUnavailable || s.Ready() {
		t.Fatalf("readyz during the warm start: %d, want 503", code)
	}
	early := watchBook(t, s.URL(), "BTC-USD") // a viewer from before the end of the warm start
	t0 := time.Now()
	close(gate)
	// The first trade is within seconds of the beginning (at most the idle
	// gap, 40 s at rate 0.1), its candle starts at that minute.
	first, last := before.Add(-DefaultWarmStart-time.Minute).UnixNano(), t0.Add(-DefaultWarmStart+time.Minute).UnixNano()
	testkit.Eventually(t, 3*time.Minute, "the warm start to finish", s.Ready)
	took := time.Since(t0)
	if code, _ := get(t, s.URL()+"/readyz"); code != http.StatusOK {
		t.Fatalf("readyz after the warm start: %d", code)
	}

	var tickers []struct {
		S    string `json:"s"`
		Seq  uint64 `json:"seq"`
		Open string `json:"open"`
	}
	getJSON(t, s.URL()+"/api/v1/ticker", &tickers)
	open := map[string]string{}
	for _, tk := range tickers {
		if tk.Seq == 0 {
			t.Errorf("%s: no ticker from the warm start", tk.S)
		}
		open[tk.S] = tk.Open
	}
	for _, in := range s.Venue.Instruments() {
		sym := in.Symbol
		var candles []struct {
			Start  int64  `json:"start"`
			O      string `json:"o"`
			Closed bool   `json:"closed"`
		}
		getJSON(t, s.URL()+"/api/v1/candles/"+sym+"?interval=1m&limit=1000", &candles)
		if len(candles) < 600 {
			t.Errorf("%s: %d one-minute candles, want >= 600", sym, len(candles))
			continue
		}
		if c := candles[0].Start; c < first || c > last {
			t.Errorf("%s: the oldest candle starts at %v, want within a minute of the warm start's beginning (%v to %v)", sym,
				time.Unix(0, c).UTC(), time.Unix(0, first).UTC(), time.Unix(0, last).UTC())
		}
		if open[sym] != candles[0].O {
			t.Errorf("%s: ticker open %s, want the oldest candle's open %s (the window starts with the warm start)", sym, open[sym], candles[0].O)
		}
		var trades []json.RawMessage
		getJSON(t, s.URL()+"/api/v1/trades/"+sym+"?limit=1000", &trades)
		if len(trades) != 1000 {
			t.Errorf("%s: %d recent trades, want 1000", sym, len(trades))
		}
		var book struct {
			Seq  uint64     `json:"seq"`
			Bids [][]string `json:"bids"`
			Asks [][]string `json:"asks"`
		}
		getJSON(t, s.URL()+"/api/v1/book/"+sym, &book)
		if book.Seq == 0 || len(book.Bids) < 10 || len(book.Asks) < 10 {
			t.Errorf("%s: book seq %d with %d bids and %d asks", sym, book.Seq, len(book.Bids), len(book.Asks))
		}
	}
	checkBook(t, early, deltas)
	checkBook(t, watchBook(t, s.URL(), "ETH-USD"), deltas)
	t.Logf("warm start of %v at rate %v took %v", DefaultWarmStart, rate, took)
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	code, body := get(t, url)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, code, body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// watchBook opens an SSE stream of sym's book.
func watchBook(t *testing.T, base, sym string) *eventstream.Reader {
	t.Helper()
	req, _ := http.NewRequestWithContext(testkit.Context(t, 3*time.Minute), http.MethodGet, base+"/sse?channels=book&symbols="+sym, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("SSE: %s", resp.Status)
	}
	return eventstream.NewReader(resp.Body, eventstream.ReaderOptions{})
}

// checkBook reads a book stream until n deltas have come after a snapshot
// of the warm start's book (seq > 0), each checked against its checksum.
// A snapshot at seq 0 (an empty book, for a viewer from before the end of
// the warm start) is replaced by the seeded one.
func checkBook(t *testing.T, r *eventstream.Reader, n int) {
	t.Helper()
	var b *client.Book
	deltas := 0
	for deltas < n {
		rec, err := r.Next()
		if err != nil {
			t.Fatalf("SSE: %v after %d deltas", err, deltas)
		}
		if rec.Kind != eventstream.KindEvent {
			continue
		}
		m, err := wire.Decode(wire.JSON, []byte(rec.Data))
		if err != nil {
			t.Fatalf("decode %q: %v", rec.Data, err)
		}
		switch m := m.(type) {
		case *wire.BookSnapshot:
			if m.Seq == 0 {
				continue
			}
			if b != nil {
				t.Fatalf("a second snapshot at seq %d", m.Seq)
			}
			b = client.NewBook(m.S)
			err = b.ApplySnapshot(m)
		case *wire.BookDelta:
			if b == nil {
				t.Fatalf("a delta (seq %d) before the warm start's book", m.Seq)
			}
			err = b.ApplyDelta(m)
			deltas++
		default:
			err = fmt.Errorf("unexpected %T", m)
		}
		if err != nil {
			t.Fatalf("book after %d deltas: %v", deltas, err)
		}
	}
}
