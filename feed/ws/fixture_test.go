package ws

import (
	"bufio"
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/valyala/fasthttp"

	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/internal/testkit"
	"github.com/tickcast/tickcast/market"
)

// fakeVenue is a Venue for transport tests: every token "good-*" is
// account "*", operations are accepted and answered by nothing, and an
// order whose cid is "boom" panics, as a bug in the venue would. Cancels
// are kept (held) for a test to answer.
type fakeVenue struct {
	mu       sync.Mutex
	placed   []string
	detached []string
	held     []*market.Event // the answers of the cancels taken, not sent
	// publish, when set, receives the authed reply Auth makes, as the
	// venue would publish it.
	publish func(*market.Event)
}

var _ Venue = (*fakeVenue)(nil)

func (v *fakeVenue) VerifyToken(token string) (string, bool) {
	acct, ok := strings.CutPrefix(token, "good-")
	return acct, ok && acct != ""
}

func (v *fakeVenue) PlaceOrder(_ market.Origin, _ string, r market.OrderRequest) error {
	if r.CID == "boom" {
		panic("fake venue: boom")
	}
	v.mu.Lock()
	v.placed = append(v.placed, r.CID)
	v.mu.Unlock()
	return nil
}

func (v *fakeVenue) CancelOrder(origin market.Origin, account string, _ market.OrderRef) error {
	v.mu.Lock()
	v.held = append(v.held, &market.Event{Kind: market.KindError, Direct: true, Origin: origin, Account: account,
		Reply: &market.Reply{Code: market.CodeUnknownOrder, Msg: "no such open order"}})
	v.mu.Unlock()
	return nil
}

// taken returns how many cancels the venue holds unanswered.
func (v *fakeVenue) taken() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.held)
}

// answer takes the held cancels' answers, to be published.
func (v *fakeVenue) answer() []*market.Event {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := v.held
	v.held = nil
	return out
}
func (v *fakeVenue) AmendOrder(market.Origin, string, market.OrderRef, market.AmendRequest) error {
	return nil
}
func (v *fakeVenue) CancelAll(market.Origin, string, string) error { return nil }
func (v *fakeVenue) Auth(origin market.Origin, account string, _ bool) error {
	if v.publish != nil {
		v.publish(&market.Event{Kind: market.KindAuthed, Direct: true, Origin: origin, Account: account})
	}
	return nil
}
func (v *fakeVenue) Detach(_ context.Context, _ uint64, account string) error {
	v.mu.Lock()
	v.detached = append(v.detached, account)
	v.mu.Unlock()
	return nil
}

func (v *fakeVenue) detachedAccounts() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]string(nil), v.detached...)
}

// fakeMetrics records close codes.
type fakeMetrics struct {
	mu     sync.Mutex
	closed map[int]int
	conns  int
}

func (m *fakeMetrics) Connected(d int)       { m.mu.Lock(); m.conns += d; m.mu.Unlock() }
func (m *fakeMetrics) Sent(string, int, int) {}
func (m *fakeMetrics) Closed(code int) {
	m.mu.Lock()
	if m.closed == nil {
		m.closed = map[int]int{}
	}
	m.closed[code]++
	m.mu.Unlock()
}
func (m *fakeMetrics) OrderRoundTrip(time.Duration) {}

func (m *fakeMetrics) count(code int) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.closed[code]
}

// logSink is a slog handler that keeps the messages logged at Error.
type logSink struct {
	mu     sync.Mutex
	errors []string
}

func (l *logSink) Enabled(_ context.Context, lv slog.Level) bool { return lv >= slog.LevelWarn }
func (l *logSink) Handle(_ context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError {
		l.mu.Lock()
		l.errors = append(l.errors, r.Message)
		l.mu.Unlock()
	}
	return nil
}
func (l *logSink) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logSink) WithGroup(string) slog.Handler      { return l }

func (l *logSink) logged() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.errors...)
}

// fixture is a ws.Server over a running hub (fed by src) and a fake
// venue, optionally served on 127.0.0.1:0.
type fixture struct {
	srv     *Server
	hub     *hub.Hub
	venue   *fakeVenue
	metrics *fakeMetrics
	log     *logSink
	src     chan []*market.Event
	addr    string
	runHub  func() // starts the hub (once)
}

func newFixture(t testing.TB, listen bool, mod func(*Config)) *fixture {
	t.Helper()
	f := newFixtureIdle(t, listen, mod)
	f.runHub()
	return f
}

// newFixtureIdle is newFixture with the hub not running yet: what is sent
// to it waits in its queues until runHub.
func newFixtureIdle(t testing.TB, listen bool, mod func(*Config)) *fixture {
	t.Helper()
	f := &fixture{venue: &fakeVenue{}, metrics: &fakeMetrics{}, log: &logSink{}, src: make(chan []*market.Event, 16)}
	logger := slog.New(f.log)
	f.hub = hub.New(hub.Config{Symbols: []string{"BTC-USD"}, Epoch: "fixture", Logger: logger}, testkit.ChanBus(f.src))
	ctx, cancel := context.WithCancel(context.Background())
	hubDone := make(chan struct{})
	var once sync.Once
	f.runHub = func() {
		once.Do(func() { go func() { defer close(hubDone); _ = f.hub.Run(ctx) }() })
	}
	cfg := Config{Hub: f.hub, Venue: f.venue, Metrics: f.metrics, Logger: logger}
	if mod != nil {
		mod(&cfg)
	}
	var err error
	if f.srv, err = NewServer(cfg); err != nil {
		t.Fatal(err)
	}
	var httpSrv *fasthttp.Server
	if listen {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		f.addr = ln.Addr().String()
		httpSrv = &fasthttp.Server{Handler: f.srv.Handle, KeepHijackedConns: true}
		go func() { _ = httpSrv.Serve(ln) }()
	}
	t.Cleanup(func() {
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		_ = f.srv.Shutdown(sctx)
		if httpSrv != nil {
			_ = httpSrv.ShutdownWithContext(sctx)
		}
		f.runHub() // so that it can stop
		cancel()
		<-hubDone
	})
	return f
}

// client is a minimal raw WebSocket client for these tests.
type client struct {
	t      testing.TB
	nc     net.Conn
	br     *bufio.Reader
	format wire.Format
}

func (f *fixture) dial(t testing.TB, proto string) *client {
	t.Helper()
	nc, err := net.DialTimeout("tcp", f.addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = nc.Close() })
	req := "GET /ws HTTP/1.1\r\nHost: " + f.addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
	if proto != "" {
		req += "Sec-WebSocket-Protocol: " + proto + "\r\n"
	}
	_ = nc.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := nc.Write([]byte(req + "\r\n")); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %v %v", resp, err)
	}
	c := &client{t: t, nc: nc, br: br, format: wire.MsgPack}
	if proto == "tickcast.v1.json" {
		c.format = wire.JSON
	}
	if _, ok := c.next().(*wire.Welcome); !ok {
		t.Fatal("no welcome")
	}
	return c
}

func (c *client) send(op wire.Op) {
	c.t.Helper()
	op0 := ws.OpBinary
	if c.format == wire.JSON {
		op0 = ws.OpText
	}
	fr := ws.MaskFrameInPlaceWith(ws.NewFrame(op0, true, wire.AppendOp(c.format, nil, op)), ws.NewMask())
	_ = c.nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if err := ws.WriteFrame(c.nc, fr); err != nil {
		c.t.Fatal(err)
	}
}

// next returns the next message; a close frame fails the test.
func (c *client) next() wire.Message {
	c.t.Helper()
	for {
		_ = c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		fr, err := testkit.ReadFrame(c.br)
		if err != nil {
			c.t.Fatal(err)
		}
		switch fr.Header.OpCode {
		case ws.OpPing, ws.OpPong:
			continue
		case ws.OpClose:
			code, reason := ws.ParseCloseFrameData(fr.Payload)
			c.t.Fatalf("closed %d %q", code, reason)
		}
		m, err := wire.Decode(c.format, fr.Payload)
		if err != nil {
			c.t.Fatalf("%v: %q", err, fr.Payload)
		}
		return m
	}
}

// closeCode reads until the close frame and returns its code.
func (c *client) closeCode() (ws.StatusCode, error) {
	for {
		_ = c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		fr, err := testkit.ReadFrame(c.br)
		if err != nil {
			return 0, err
		}
		if fr.Header.OpCode == ws.OpClose {
			code, _ := ws.ParseCloseFrameData(fr.Payload)
			return code, nil
		}
	}
}
