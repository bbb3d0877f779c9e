package feed_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed"
	"github.com/tickcast/tickcast/feed/bus"
	"github.com/tickcast/tickcast/feed/client"
	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/feed/ws"
	"github.com/tickcast/tickcast/market"
	"github.com/tickcast/tickcast/market/sim"
)

// testServer is the whole system on 127.0.0.1:0: venue (with or without
// the simulated market), bus, hub and the feed server.
type testServer struct {
	t      testing.TB
	Venue  *market.Venue
	Hub    *hub.Hub
	Server *feed.Server
	Addr   string
	gate   *simGate // nil without the simulator
	stop   func()
	once   sync.Once
	// ShutdownTook is how long the feed server's Shutdown ran in Stop.
	ShutdownTook time.Duration
	ShutdownErr  error
}

// harness is what the options of startServer may change before anything
// is built.
type harness struct {
	Feed   feed.Config
	Market market.Config
	Hub    hub.Config
	Sim    sim.Config
	NoSim  bool
	// SendBuffer, when set, is SO_SNDBUF of every accepted connection: a
	// small one makes a client that stops reading block the server's
	// writer quickly.
	SendBuffer int
}

type serverOpt func(*harness)

// withoutSim runs a quiet venue: no simulated market, so books only hold
// what the test puts there.
func withoutSim() serverOpt { return func(h *harness) { h.NoSim = true } }

// withSimRate multiplies the simulator's activity (default 2 here).
func withSimRate(rate float64) serverOpt { return func(h *harness) { h.Sim.Rate = rate } }

// withInstruments replaces the venue's instruments.
func withInstruments(list ...market.Instrument) serverOpt {
	return func(h *harness) { h.Market.Instruments = list }
}

// withWS changes the WebSocket transport's settings (limits, heartbeat,
// backlog …).
func withWS(f func(*ws.Config)) serverOpt { return func(h *harness) { f(&h.Feed.WS) } }

// withBacklog makes the per-session lossless backlog limit small, so that
// a slow consumer is cut quickly.
func withBacklog(bytes int, delay time.Duration) serverOpt {
	return withWS(func(c *ws.Config) { c.Backlog = hub.Limits{MaxBytes: bytes, MaxDelay: delay} })
}

// withHistory makes the hub keep only msgs messages for resume (the age
// floor is made negligible).
func withHistory(msgs int) serverOpt {
	return func(h *harness) { h.Hub.HistoryMessages, h.Hub.HistoryAge = msgs, time.Nanosecond }
}

// withOrigins sets the allowed WebSocket origins.
func withOrigins(list ...string) serverOpt {
	return func(h *harness) { h.Feed.AllowOrigins = list }
}

// withMarket changes the venue's settings (rate limits …).
func withMarket(f func(*market.Config)) serverOpt { return func(h *harness) { f(&h.Market) } }

// withSendBuffer sets SO_SNDBUF on the server's side of every connection.
func withSendBuffer(n int) serverOpt { return func(h *harness) { h.SendBuffer = n } }

// sndBufListener sets SO_SNDBUF on each accepted connection and returns
// the *net.TCPConn itself (a wrapper would hide writev from the writer).
type sndBufListener struct {
	net.Listener
	size int
}

func (l sndBufListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(l.size)
	}
	return c, err
}

// withHub changes the hub's settings.
func withHub(f func(*hub.Config)) serverOpt { return func(h *harness) { f(&h.Hub) } }

// simGate wraps the simulated market so that a test can pause it and get
// a quiescent venue: while paused, the agents do not run.
type simGate struct {
	inner  market.Actor
	paused atomic.Bool
}

func (g *simGate) Start(x *market.Exchange) int64 { return g.inner.Start(x) }

func (g *simGate) Wake(x *market.Exchange, now int64) int64 {
	if g.paused.Load() {
		return now + int64(time.Millisecond)
	}
	return g.inner.Wake(x, now)
}

func startServer(t testing.TB, opts ...serverOpt) *testServer {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	b := bus.NewMemory()
	h := harness{
		Market: market.Config{Publisher: b, Seed: 7, Logger: log},
		Feed:   feed.Config{Logger: log},
		Hub:    hub.Config{Logger: log},
		Sim:    sim.Config{Seed: 7, Rate: 2, Logger: log},
	}
	for _, o := range opts {
		o(&h)
	}
	var gate *simGate
	if !h.NoSim {
		m, err := sim.New(h.Sim)
		if err != nil {
			t.Fatal(err)
		}
		gate = &simGate{inner: m}
		h.Market.Actors = []market.Actor{gate}
	}
	v, err := market.New(h.Market)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range v.Instruments() {
		h.Hub.Symbols = append(h.Hub.Symbols, in.Symbol)
	}
	h.Hub.Epoch = v.Epoch()
	hb := hub.New(h.Hub, b.Subscribe(4096))
	h.Feed.Venue, h.Feed.Hub = v, hb
	srv, err := feed.NewServer(h.Feed, func() bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if h.SendBuffer > 0 {
		ln = sndBufListener{ln, h.SendBuffer}
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); _ = hb.Run(ctx) }()
	go func() { defer wg.Done(); _ = v.Run(ctx) }()
	go func() { defer wg.Done(); _ = srv.Serve(ln) }()
	ts := &testServer{t: t, Venue: v, Hub: hb, Server: srv, Addr: ln.Addr().String(), gate: gate}
	ts.stop = func() {
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		t0 := time.Now()
		ts.ShutdownErr = srv.Shutdown(sctx)
		ts.ShutdownTook = time.Since(t0)
		cancel()
		b.Close()
		wg.Wait()
	}
	t.Cleanup(ts.Stop)
	return ts
}

// Stop shuts the server down (idempotent).
func (ts *testServer) Stop() { ts.once.Do(ts.stop) }

// pauseSim stops the simulated agents; the venue then publishes no more
// book changes (only candle and ticker housekeeping).
func (ts *testServer) pauseSim() {
	ts.t.Helper()
	if ts.gate == nil {
		ts.t.Fatal("pauseSim: no simulator")
	}
	ts.gate.paused.Store(true)
}

func (ts *testServer) URL(path string) string { return "http://" + ts.Addr + path }
func (ts *testServer) WS() string             { return "ws://" + ts.Addr + "/ws" }

// dial connects a client that does not reconnect unless told to.
func (ts *testServer) dial(mod func(*client.Config)) *client.Client {
	ts.t.Helper()
	cfg := client.Config{URL: ts.WS(), Reconnect: client.Reconnect{Disable: true}}
	if mod != nil {
		mod(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, cfg)
	if err != nil {
		ts.t.Fatal(err)
	}
	ts.t.Cleanup(func() { _ = c.Close() })
	return c
}

// account creates a demo account over REST.
func (ts *testServer) account() (id, token string) {
	ts.t.Helper()
	resp, err := http.Post(ts.URL("/api/v1/accounts"), "application/json", nil)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer resp.Body.Close()
	var a struct{ Account, Token string }
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil || resp.StatusCode != http.StatusCreated {
		ts.t.Fatalf("create account: %d %v", resp.StatusCode, err)
	}
	return a.Account, a.Token
}

// restBook fetches GET /api/v1/book/{symbol}.
func (ts *testServer) restBook(symbol string) *wire.BookSnapshot {
	ts.t.Helper()
	resp, err := http.Get(ts.URL("/api/v1/book/" + symbol))
	if err != nil {
		ts.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		ts.t.Fatalf("GET book: %d %v %s", resp.StatusCode, err, body)
	}
	m, err := wire.Decode(wire.JSON, body)
	if err != nil {
		ts.t.Fatalf("GET book: %v: %s", err, body)
	}
	snap, ok := m.(*wire.BookSnapshot)
	if !ok {
		ts.t.Fatalf("GET book: got %T", m)
	}
	return snap
}

// metric reads one unlabelled sample (or the sum over its label values)
// from GET /metrics.
func (ts *testServer) metric(name string) float64 {
	ts.t.Helper()
	resp, err := http.Get(ts.URL("/metrics"))
	if err != nil {
		ts.t.Fatal(err)
	}
	defer resp.Body.Close()
	sum, found := 0.0, false
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name) {
			continue
		}
		rest := line[len(name):]
		if rest == "" || (rest[0] != ' ' && rest[0] != '{') {
			continue
		}
		fields := strings.Fields(line)
		v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
		if err != nil {
			ts.t.Fatalf("metric %s: %q", name, line)
		}
		sum, found = sum+v, true
	}
	if !found {
		ts.t.Fatalf("metric %s not exported", name)
	}
	return sum
}

// eventually polls cond until it holds or the timeout passes.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}
