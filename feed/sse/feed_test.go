package sse

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/tickcast/tickcast/feed/client/eventstream"
	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/internal/testkit"
	"github.com/tickcast/tickcast/market"
)

// fakeFeed is a hub fed by the test instead of a venue, with the SSE
// endpoint served on 127.0.0.1:0 by a fasthttp server set up like
// feed.Server's (no WriteTimeout). The test decides every event: its
// offsets start at 1 and go up by one, as the venue's do.
type fakeFeed struct {
	t     testing.TB
	src   chan []*market.Event
	Hub   *hub.Hub
	SSE   *Server
	http  *fasthttp.Server
	Addr  string
	probe *hub.Sub
	off   uint64
	seq   map[string]uint64
	stop  func()
	once  sync.Once
}

const testEpoch = "ep1"

var testSymbols = []string{"BTC-USD", "ETH-USD"}

// feedSetup is what the options of newFeed may change.
type feedSetup struct {
	cfg Config
	hub hub.Config
	// sendBuffer, if set, is SO_SNDBUF of every accepted connection: with
	// a small receive buffer on the client, a viewer that stops reading
	// blocks the server's writes after a few KiB.
	sendBuffer int
}

type feedOpt func(*feedSetup)

func withConfig(f func(*Config)) feedOpt { return func(s *feedSetup) { f(&s.cfg) } }

func withHub(f func(*hub.Config)) feedOpt { return func(s *feedSetup) { f(&s.hub) } }

func withSendBuffer(n int) feedOpt { return func(s *feedSetup) { s.sendBuffer = n } }

func newFeed(t testing.TB, opts ...feedOpt) *fakeFeed {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	set := feedSetup{cfg: Config{Logger: log}, hub: hub.Config{Symbols: testSymbols, Epoch: testEpoch, Logger: log}}
	for _, o := range opts {
		o(&set)
	}
	cfg, hcfg := set.cfg, set.hub
	src := make(chan []*market.Event) // unbuffered: a send returns once the hub took the batch
	h := hub.New(hcfg, testkit.ChanBus(src))
	cfg.Hub = h
	s, err := NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := &fasthttp.Server{Handler: s.Handle, ReadTimeout: 30 * time.Second, IdleTimeout: 60 * time.Second,
		ReadBufferSize: 4096, CloseOnShutdown: true, KeepHijackedConns: true}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if set.sendBuffer > 0 {
		ln = testkit.SendBufferListener{Listener: ln, Size: set.sendBuffer}
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _ = h.Run(ctx) }()
	go func() { defer wg.Done(); _ = hs.Serve(ln) }()
	f := &fakeFeed{t: t, src: src, Hub: h, SSE: s, http: hs, Addr: ln.Addr().String(),
		probe: h.NewSub(hub.WSText, hub.Limits{}), seq: map[string]uint64{}}
	f.stop = func() {
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		if err := s.Shutdown(sctx); err != nil {
			t.Errorf("sse shutdown: %v", err)
		}
		_ = hs.ShutdownWithContext(sctx)
		_ = ln.Close() // fasthttp's Shutdown misses a Serve that has not started yet
		cancel()
		wg.Wait()
	}
	t.Cleanup(f.Stop)
	return f
}

// Stop shuts the endpoint, the HTTP server and the hub down (idempotent).
func (f *fakeFeed) Stop() { f.once.Do(f.stop) }

// sync returns once the hub has run every control operation queued before
// (they run in order).
func (f *fakeFeed) sync() {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := f.Hub.Subscribe(ctx, f.probe, hub.Request{}); err != nil {
		f.t.Fatal(err)
	}
	select {
	case <-f.probe.Q.Ready():
	case <-ctx.Done():
		f.t.Fatal("hub did not answer")
	}
	f.probe.Q.Pop(nil, 1<<20)
}

// publish stamps the events with the next seq of their stream and the
// next offsets, hands them to the hub as one batch and waits for it.
func (f *fakeFeed) publish(evs ...*market.Event) {
	f.t.Helper()
	now := time.Now().UnixNano()
	for _, e := range evs {
		name := e.Kind.Channel() + ":" + e.Symbol
		f.seq[name]++
		f.off++
		e.Seq, e.Off, e.TS, e.Epoch = f.seq[name], f.off, now, testEpoch
	}
	f.src <- evs
	// The hub runs the control operations already queued when it takes a
	// batch before publishing it: a first sync may run before the batch,
	// a second one, queued once the first has run, cannot.
	f.sync()
	f.sync()
}

func trade(sym, px string) *market.Event {
	return &market.Event{Kind: market.KindTrade, Symbol: sym, Trade: &market.Trade{ID: 1, Px: market.MustParseDec(px), Qty: market.MustParseDec("1.0000"), Side: "buy"}}
}

func ticker(sym, last string) *market.Event {
	return &market.Event{Kind: market.KindTicker, Symbol: sym,
		Ticker: &market.Ticker{Last: market.MustParseDec(last), Open: market.MustParseDec("1.00"), High: market.MustParseDec("2.00"), Low: market.MustParseDec("0.50"), Vol: market.MustParseDec("10.0000"), Change: market.MustParseDec("0.00")}}
}

func quote(sym, bid string) *market.Event {
	return &market.Event{Kind: market.KindQuote, Symbol: sym, Quote: &market.Quote{Bid: market.MustParseDec(bid), BidQty: market.MustParseDec("1.0000"), Ask: market.MustParseDec("9.00"), AskQty: market.MustParseDec("1.0000")}}
}

func bookDelta(sym, px, qty string) *market.Event {
	return &market.Event{Kind: market.KindBook, Symbol: sym, Book: &market.BookData{Bids: []market.PriceLevel{{market.MustParseDec(px), market.MustParseDec(qty)}}, Asks: []market.PriceLevel{}, Checksum: 1}}
}

func candle(kind market.Kind, sym string, start int64) *market.Event {
	return &market.Event{Kind: kind, Symbol: sym, Candle: &market.Candle{Start: start, O: market.MustParseDec("1.00"), H: market.MustParseDec("1.00"), L: market.MustParseDec("1.00"), C: market.MustParseDec("1.00"), V: market.MustParseDec("1.0000"), N: 1}}
}

// dial opens /sse<query> and checks for 200; the viewer is subscribed on
// the hub when it returns.
func (f *fakeFeed) dial(query string, hdr http.Header) *eventstream.Stream {
	f.t.Helper()
	s := f.dialOpts(query, eventstream.DialOptions{Header: hdr})
	if s.Resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(s.Body)
		f.t.Fatalf("GET /sse%s: %d %s", query, s.Resp.StatusCode, b)
	}
	return s
}

func (f *fakeFeed) dialOpts(query string, o eventstream.DialOptions) *eventstream.Stream {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := eventstream.Dial(ctx, f.Addr, "/sse"+query, o)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { _ = s.Close() })
	f.sync() // the handler queued its subscription before answering
	return s
}

// event is a decoded SSE event of protocol.md 7.6.
type event = testkit.SSEEvent

func decode(t testing.TB, r eventstream.Record) event { return testkit.DecodeSSE(t, r) }

// next reads the next event within 5 s.
func next(t testing.TB, s *eventstream.Stream) event {
	t.Helper()
	_ = s.Conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	defer s.Conn.SetReadDeadline(time.Time{})
	r, err := s.NextEvent()
	if err != nil {
		t.Fatalf("reading an event: %v", err)
	}
	return decode(t, r)
}

// nextN reads n events.
func nextN(t testing.TB, s *eventstream.Stream, n int) []event {
	t.Helper()
	out := make([]event, n)
	for i := range out {
		out[i] = next(t, s)
	}
	return out
}

// offs lists the events' offsets.
func offs(evs []event) []uint64 {
	out := make([]uint64, len(evs))
	for i, e := range evs {
		out[i] = e.Off
	}
	return out
}

func id(off uint64) string { return testEpoch + ":" + strconv.FormatUint(off, 10) }

// ctxTimeout is a context that ends after d or with the test.
func ctxTimeout(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
