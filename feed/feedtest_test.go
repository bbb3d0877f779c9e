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
	"github.com/tickcast/tickcast/feed/client"
	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/feed/ws"
	"github.com/tickcast/tickcast/internal/app"
	"github.com/tickcast/tickcast/internal/testkit"
	"github.com/tickcast/tickcast/market"
	"github.com/tickcast/tickcast/market/sim"
)

// testServer is the whole system on 127.0.0.1:0, as app.Server wires it
// for tickcast serve: venue (with or without the simulated market), bus,
// hub and the feed server.
type testServer struct {
	t      testing.TB
	App    *app.Server
	Venue  *market.Venue
	Hub    *hub.Hub
	Server *feed.Server
	Addr   string
	gate   *simGate // nil without the simulator
	once   sync.Once
	// ShutdownTook is how long the server's Shutdown ran in Stop.
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
	// Logger receives the server's logs; default: discarded.
	Logger *slog.Logger
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

// withLogger sends the server's logs to l.
func withLogger(l *slog.Logger) serverOpt { return func(h *harness) { h.Logger = l } }

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
	h := harness{
		Market: market.Config{Seed: 7},
		Sim:    sim.Config{Seed: 7, Rate: 2},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, o := range opts {
		o(&h)
	}
	log := h.Logger
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if h.SendBuffer > 0 {
		ln = testkit.SendBufferListener{Listener: ln, Size: h.SendBuffer}
	}
	cfg := app.Config{Listener: ln, Market: h.Market, Hub: h.Hub, Feed: h.Feed, Logger: log}
	var gate *simGate
	if !h.NoSim {
		cfg.Sim = &h.Sim
		cfg.WrapSim = func(a market.Actor) market.Actor { gate = &simGate{inner: a}; return gate }
	}
	srv, err := app.New(cfg)
	if err != nil {
		_ = ln.Close()
		t.Fatal(err)
	}
	srv.Start()
	ts := &testServer{t: t, App: srv, Venue: srv.Venue, Hub: srv.Hub, Server: srv.Feed, Addr: srv.Addr(), gate: gate}
	t.Cleanup(ts.Stop)
	return ts
}

// Stop shuts the server down (idempotent).
func (ts *testServer) Stop() {
	ts.once.Do(func() {
		t0 := time.Now()
		ts.ShutdownErr = ts.App.Shutdown(context.Background())
		ts.ShutdownTook = time.Since(t0)
	})
}

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
	return ts.metricWith(name, "")
}

// metricWith is metric over the samples whose labels contain label (e.g.
// `reason="backlog"`); "" takes them all.
func (ts *testServer) metricWith(name, label string) float64 {
	ts.t.Helper()
	v, found := ts.metricFound(name, label)
	if !found {
		ts.t.Fatalf("metric %s not exported", name)
	}
	return v
}

// metricOr0 is metricWith for a metric that has no samples until
// something happens (a counter with labels): 0 until then.
func (ts *testServer) metricOr0(name, label string) float64 {
	ts.t.Helper()
	v, _ := ts.metricFound(name, label)
	return v
}

func (ts *testServer) metricFound(name, label string) (float64, bool) {
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
		if rest == "" || (rest[0] != ' ' && rest[0] != '{') || !strings.Contains(rest, label) {
			continue
		}
		fields := strings.Fields(line)
		v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
		if err != nil {
			ts.t.Fatalf("metric %s: %q", name, line)
		}
		sum, found = sum+v, true
	}
	return sum, found
}

func ctxT(t testing.TB) context.Context { return testkit.Context(t, 15*time.Second) }
