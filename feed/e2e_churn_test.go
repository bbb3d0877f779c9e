package feed_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/shopspring/decimal"
	"github.com/tickcast/tickcast/feed"
	"github.com/tickcast/tickcast/feed/client"
	"github.com/tickcast/tickcast/feed/client/eventstream"
	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/market"
)

// A server that runs for weeks meets every way a client can come and go.
// TestE2EChurnLeavesNothingBehind runs waves of them against one server
// and checks after each wave that the server is back where it was: no
// goroutine, file descriptor, session, subscription, SSE viewer or
// pending handshake left over, every demo account of the wave expired,
// and a live heap that does not grow from wave to wave.
//
// One wave, all at once, spread over 127.0.0.2–127.0.0.9:
//   - readers that subscribe to every channel and symbol, read, and close
//     cleanly;
//   - readers that subscribe and then reset the connection (no close
//     frame);
//   - slow consumers that subscribe to the book and never read (the
//     server must cut them);
//   - traders that create an account, authenticate (half with cancel on
//     disconnect), rest orders, trade, and leave: cleanly after
//     cancel_all, or by a reset;
//   - SSE viewers that read a few events and hang up, or reset;
//   - half handshakes: a request cut in the middle, a request that never
//     ends (the request timeout must close it), an upgrade then half a
//     frame then a reset;
//   - REST reads.
//
// TICKCAST_CHURN_WAVES sets the number of waves (default 6): a longer
// run of the same test is the soak of docs/operations.md.
func TestE2EChurnLeavesNothingBehind(t *testing.T) {
	waves := 6
	if s := os.Getenv("TICKCAST_CHURN_WAVES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 3 {
			t.Fatalf("TICKCAST_CHURN_WAVES=%q: want a number ≥ 3", s)
		}
		waves = n
	}
	// Long enough that an account is not gone between its creation and
	// the Auth that follows (a race-detector build under load is slow).
	const idleTTL = 1500 * time.Millisecond
	ts := startServer(t,
		withSimRate(4),
		withHistory(2000), // the resume history reaches its steady size in the first wave
		// A small send buffer (no autotuning, which let a consumer that
		// stopped reading park megabytes in the kernel for tens of
		// seconds), and a backlog limit that readers keeping up never
		// reach, even when their subscription's snapshots come at once.
		withSendBuffer(64<<10),
		withBacklog(1<<20, 2*time.Second),
		withMarket(func(c *market.Config) {
			c.AccountIdleTTL = idleTTL
			// The venue's bounded histories full within the first wave, so
			// that what they hold does not pass for growth in a long run.
			c.TradeHistory, c.CandleHistory = 50, 3
		}),
		withFeed(func(c *feed.Config) {
			c.AccountsPerMinute = 100_000
			c.RESTRate, c.RESTBurst = 1e6, 1e6
			c.RequestTimeout = time.Second
		}))
	ch := &churn{t: t, ts: ts, syms: ts.Hub.Symbols()}
	// Nothing of the test's own HTTP client lingers between waves.
	ch.http = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}

	type mark struct {
		goroutines, fds int
		heap            uint64
	}
	var marks []mark
	for w := range waves {
		ch.wave(w)
		ch.settle(w)
		g, fds, heap := ch.census()
		marks = append(marks, mark{g, fds, heap})
		t.Logf("after wave %d: %d goroutines, %d fds, live heap %.1f MB, %d accounts expired", w+1, g, fds, float64(heap)/(1<<20), ts.Venue.ExpiredAccounts())
	}
	// The first wave starts what starts once (pools, timers, the resume
	// history filling up); the second is the reference.
	ref, last := marks[1], marks[len(marks)-1]
	if last.goroutines > ref.goroutines+3 {
		_ = pprof.Lookup("goroutine").WriteTo(os.Stderr, 1)
		t.Errorf("goroutines: %d after wave 2, %d after wave %d: something is left behind by every wave (dump above)", ref.goroutines, last.goroutines, waves)
	}
	if last.fds > ref.fds+3 {
		t.Errorf("file descriptors: %d after wave 2, %d after wave %d", ref.fds, last.fds, waves)
	}
	// ~130 connections and 16 accounts a wave: a leak of even a few
	// kilobytes each would pass 2 MB within the waves after the second.
	if grow := int64(last.heap) - int64(ref.heap); grow > 2<<20 {
		t.Errorf("live heap grew by %.1f MB from wave 2 to wave %d", float64(grow)/(1<<20), waves)
	}
}

// churn is one run of TestE2EChurnLeavesNothingBehind.
type churn struct {
	t    *testing.T
	ts   *testServer
	syms []string
	http *http.Client
	// restPx and takePx are this wave's prices for BTC-USD: a bid below
	// the touch (it rests) and a buy limit above the best ask (it trades).
	restPx, takePx string
	// cutBefore is the slow consumers cut before this wave.
	cutBefore float64
	accounts  int // created so far

	mu   sync.Mutex
	errs []error
}

// fail records what went wrong in a client's goroutine.
func (ch *churn) fail(format string, args ...any) {
	ch.mu.Lock()
	ch.errs = append(ch.errs, fmt.Errorf(format, args...))
	ch.mu.Unlock()
}

// src is the i-th client's source address.
func src(i int) string { return "127.0.0." + strconv.Itoa(2+i%8) }

// wave runs one wave of clients to its end.
func (ch *churn) wave(w int) {
	t := ch.t
	book := ch.ts.restBook("BTC-USD")
	for wait := time.Now().Add(10 * time.Second); len(book.Bids) == 0 || len(book.Asks) == 0; book = ch.ts.restBook("BTC-USD") {
		if time.Now().After(wait) {
			t.Fatalf("wave %d: BTC-USD still has an empty side after 10 s", w+1)
		}
		time.Sleep(50 * time.Millisecond)
	}
	bid, _ := decimal.NewFromString(book.Bids[0].Px)
	ask, _ := decimal.NewFromString(book.Asks[0].Px)
	ch.restPx = bid.Mul(decimal.RequireFromString("0.99")).StringFixed(2)
	ch.takePx = ask.Mul(decimal.RequireFromString("1.01")).StringFixed(2)
	cut := ch.ts.metric("tickcast_slow_consumer_disconnects_total")
	ch.cutBefore = cut
	var wg sync.WaitGroup
	run := func(n int, f func(i int)) {
		for i := range n {
			wg.Go(func() { f(w*1000 + i) })
		}
	}
	run(40, ch.reader)
	run(10, ch.resetReader)
	run(4, ch.slowConsumer)
	run(16, ch.trader)
	run(12, ch.viewer)
	run(6, ch.halfHandshake)
	run(10, ch.rest)
	wg.Wait()
	ch.accounts += 16
	if n := ch.ts.metric("tickcast_slow_consumer_disconnects_total") - cut; n < 4 {
		ch.fail("%v slow consumers cut, want the wave's 4", n)
	}
	ch.mu.Lock()
	defer ch.mu.Unlock()
	for _, err := range ch.errs {
		t.Errorf("wave %d: %v", w+1, err)
	}
	if len(ch.errs) > 0 {
		t.FailNow()
	}
}

// dial connects a client package client from source address i.
func (ch *churn) dial(ctx context.Context, i int, mod func(*client.Config)) (*client.Client, error) {
	cfg := client.Config{
		URL:       ch.ts.WS(),
		Reconnect: client.Reconnect{Disable: true},
		LocalAddr: &net.TCPAddr{IP: net.ParseIP(src(i))},
	}
	if mod != nil {
		mod(&cfg)
	}
	return client.Dial(ctx, cfg)
}

// reader subscribes to everything, reads for a while and closes cleanly.
func (ch *churn) reader(i int) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var got atomic.Int64
	c, err := ch.dial(ctx, i, func(c *client.Config) {
		c.OnMessage = func([]byte, wire.Header) { got.Add(1) }
	})
	if err != nil {
		ch.fail("reader %d: %v", i, err)
		return
	}
	defer c.Close()
	if _, err := c.Subscribe(ctx, market.Channels, ch.syms); err != nil {
		ch.fail("reader %d: subscribe: %v", i, err)
		return
	}
	for got.Load() < 20 && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
	}
	if got.Load() < 20 {
		ch.fail("reader %d: %d messages in 15 s", i, got.Load())
	}
}

// rawWS upgrades a plain TCP connection from source address i (with
// receive buffer rcvBuf, if set) and reads the welcome; the caller owns
// the connection.
func (ch *churn) rawWS(i int, rcvBuf int) (*rawConn, error) {
	rc, err := ch.ts.tryRawHandshake(rawOpts{local: src(i), rcvBuf: rcvBuf, header: map[string]string{"Sec-WebSocket-Protocol": "tickcast.v1.json"}})
	if err != nil {
		return nil, err
	}
	if rc.resp.StatusCode != http.StatusSwitchingProtocols {
		_ = rc.nc.Close()
		return nil, fmt.Errorf("upgrade refused: %s", rc.resp.Status)
	}
	if m, err := rc.tryNext(5 * time.Second); err != nil || m.Kind() != wire.KindWelcome {
		_ = rc.nc.Close()
		return nil, fmt.Errorf("no welcome: %v", err)
	}
	return rc, nil
}

// subscribeNoWait sends a subscribe operation without waiting for the answer.
func (rc *rawConn) subscribeNoWait(channels, symbols []string) error {
	op := &wire.Subscribe{ID: wire.SomeID(1), Channels: channels, Symbols: symbols}
	return rc.writeFrame(ws.NewFrame(rc.dataOp(), true, wire.AppendOp(rc.format, nil, op)))
}

// resetReader subscribes, reads a little and resets the connection.
func (ch *churn) resetReader(i int) {
	rc, err := ch.rawWS(i, 0)
	if err != nil {
		ch.fail("reset reader %d: %v", i, err)
		return
	}
	if err := rc.subscribeNoWait([]string{"trades", "book", "quote"}, []string{"BTC-USD", "ETH-USD"}); err != nil {
		ch.fail("reset reader %d: %v", i, err)
	}
	_ = rc.nc.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, _ = io.ReadFull(rc.br, make([]byte, 2048))
	rc.drop()
}

// slowConsumer subscribes to the deepest channel with a small receive
// buffer and never reads: the server must cut it (backlog limit), and
// the test waits for that cut.
func (ch *churn) slowConsumer(i int) {
	rc, err := ch.rawWS(i, 4096)
	if err != nil {
		ch.fail("slow consumer %d: %v", i, err)
		return
	}
	defer rc.nc.Close()
	if err := rc.subscribeNoWait([]string{"book", "trades", "quote", "ticker"}, []string{"BTC-USD", "ETH-USD", "SOL-USD"}); err != nil {
		ch.fail("slow consumer %d: %v", i, err)
		return
	}
	// Not reading: the server's send buffer (64 kB) and this socket's
	// fill within a second, and the backlog's age limit (2 s) cuts it.
	time.Sleep(6 * time.Second)
	// Then drain: the connection must end (EOF or reset) within seconds.
	_ = rc.nc.SetReadDeadline(time.Now().Add(15 * time.Second))
	t0 := time.Now()
	nread, err := io.Copy(io.Discard, rc.br)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		ch.fail("slow consumer %d: the server did not cut a consumer that stopped reading (%d bytes read in %v; %v cut in this wave)",
			i, nread, time.Since(t0).Round(time.Millisecond), ch.ts.metric("tickcast_slow_consumer_disconnects_total")-ch.cutBefore)
	}
}

// trader creates an account, authenticates, rests two orders, sends one
// that trades, and leaves one of four ways.
func (ch *churn) trader(i int) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	c, err := ch.dial(ctx, i, nil)
	if err != nil {
		ch.fail("trader %d: %v", i, err)
		return
	}
	token, err := ch.createAccount(i)
	if err != nil {
		ch.fail("trader %d: %v", i, err)
		_ = c.Close()
		return
	}
	cod := i%2 == 0
	if _, err := c.Auth(ctx, token, cod); err != nil {
		ch.fail("trader %d: auth: %v", i, err)
		_ = c.Close()
		return
	}
	for k := range 2 { // 1% below the touch: they rest
		o := wire.NewOrder{CID: fmt.Sprint("r", k), S: "BTC-USD", Side: "buy", Type: "limit", Qty: "0.0010", Px: ch.restPx}
		if r, err := c.PlaceOrder(ctx, o); err != nil || r.Status != market.StatusNew {
			ch.fail("trader %d: a resting order: %v %+v", i, err, r)
		}
	}
	ioc := wire.NewOrder{CID: "x", S: "BTC-USD", Side: "buy", Type: "limit", TIF: "ioc", Qty: "0.0010", Px: ch.takePx}
	if _, err := c.PlaceOrder(ctx, ioc); err != nil {
		ch.fail("trader %d: ioc: %v", i, err)
	}
	if !cod { // without cancel on disconnect the orders would keep the account
		if _, err := c.CancelAll(ctx, ""); err != nil {
			ch.fail("trader %d: cancel_all: %v", i, err)
		}
	}
	_ = c.Close() // the reset traders are the raw ones below
}

// createAccount makes a demo account over REST and returns its token.
func (ch *churn) createAccount(i int) (string, error) {
	tr := &http.Transport{DisableKeepAlives: true, DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src(i))}}).DialContext}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Post(ch.ts.URL("/api/v1/accounts"), "application/json", nil)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("create account: %s %s", resp.Status, body)
	}
	var a struct{ Token string }
	if err := json.Unmarshal(body, &a); err != nil || a.Token == "" {
		return "", fmt.Errorf("create account: no token in %s", body)
	}
	return a.Token, nil
}

// viewer reads a few SSE events and hangs up, or resets.
func (ch *churn) viewer(i int) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := eventstream.Dial(ctx, ch.ts.Addr, "/sse?channels=ticker,trades", eventstream.DialOptions{})
	if err != nil {
		ch.fail("viewer %d: %v", i, err)
		return
	}
	if s.Resp.StatusCode != http.StatusOK {
		ch.fail("viewer %d: %s", i, s.Resp.Status)
		_ = s.Close()
		return
	}
	for range 3 {
		if _, err := s.NextEvent(); err != nil {
			ch.fail("viewer %d: %v", i, err)
			break
		}
	}
	_ = s.Close()
}

// halfHandshake leaves in the middle: of the request line, of the
// headers (never finished: the request timeout must end it), or of the
// first frame after the upgrade.
func (ch *churn) halfHandshake(i int) {
	d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(src(i))}}
	switch i % 3 {
	case 0:
		nc, err := d.Dial("tcp", ch.ts.Addr)
		if err != nil {
			ch.fail("half handshake %d: %v", i, err)
			return
		}
		_, _ = io.WriteString(nc, "GET /ws HTT")
		_ = nc.(*net.TCPConn).SetLinger(0)
		_ = nc.Close()
	case 1:
		nc, err := d.Dial("tcp", ch.ts.Addr)
		if err != nil {
			ch.fail("half handshake %d: %v", i, err)
			return
		}
		defer nc.Close()
		_, _ = io.WriteString(nc, "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n")
		_ = nc.SetReadDeadline(time.Now().Add(8 * time.Second))
		_, err = io.Copy(io.Discard, nc)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			ch.fail("half handshake %d: an unfinished request was kept open for 8 s (request timeout 1 s)", i)
		}
	case 2:
		rc, err := ch.rawWS(i, 0)
		if err != nil {
			ch.fail("half handshake %d: %v", i, err)
			return
		}
		_, _ = rc.nc.Write([]byte{0x81, 0xfe, 0x01}) // a text frame header cut after one length byte
		time.Sleep(50 * time.Millisecond)
		rc.drop()
	}
}

// rest reads the public REST endpoints.
func (ch *churn) rest(i int) {
	for _, p := range []string{"/api/v1/book/BTC-USD", "/api/v1/trades/ETH-USD", "/api/v1/ticker"} {
		resp, err := ch.http.Get(ch.ts.URL(p))
		if err != nil {
			ch.fail("rest %d %s: %v", i, p, err)
			continue
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			ch.fail("rest %d %s: %s", i, p, resp.Status)
		}
	}
}

// settle waits until the wave has left nothing on the server's books:
// no connection, viewer, subscription or pending handshake, and every
// account created so far expired.
func (ch *churn) settle(w int) {
	t, ts := ch.t, ch.ts
	deadline := time.Now().Add(20 * time.Second)
	var state string
	for {
		conns := ts.metric("tickcast_ws_connections")
		viewers := ts.metric("tickcast_sse_viewers")
		pending := ts.metric("tickcast_http_pending_connections")
		subs := ts.Hub.Subscribers()
		expired := ts.Venue.ExpiredAccounts()
		// The metrics request itself is one pending connection.
		if conns == 0 && viewers == 0 && pending <= 1 && subs == 0 && expired == uint64(ch.accounts) {
			return
		}
		state = fmt.Sprintf("%v WebSocket sessions, %v SSE viewers, %v pending connections, %d subscribers, %d of %d accounts expired",
			conns, viewers, pending, subs, expired, ch.accounts)
		if time.Now().After(deadline) {
			t.Fatalf("wave %d: 20 s after its end the server still holds %s", w+1, state)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// census counts this process's goroutines and open files and its live
// heap after a collection, once the counts have stopped falling
// (goroutines of closed connections finish a moment after the server's
// gauges say so). fasthttp's idle workers are not counted: its pool keeps
// them up to 10 s after their last request, as many as ran at once, so
// that their number follows the last wave's peak, not a leak.
func (ch *churn) census() (goroutines, fds int, heap uint64) {
	prev := -1
	for range 50 {
		runtime.GC()
		goroutines = runtime.NumGoroutine() - idleHTTPWorkers(ch.t)
		if goroutines == prev {
			break
		}
		prev = goroutines
		time.Sleep(100 * time.Millisecond)
	}
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		ch.t.Fatalf("open files: %v", err)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return goroutines, len(ents), ms.HeapAlloc
}

// idleHTTPWorkers counts the goroutines parked in fasthttp's worker pool
// waiting for a connection.
func idleHTTPWorkers(t testing.TB) int {
	var b strings.Builder
	if err := pprof.Lookup("goroutine").WriteTo(&b, 1); err != nil {
		t.Fatal(err)
	}
	n := 0
	// debug=1 groups identical stacks: "<count> @ <pcs>", then the frames,
	// the innermost first; an idle worker's innermost frame is
	// workerFunc's wait on its channel.
	lines := strings.Split(b.String(), "\n")
	for k := 0; k+1 < len(lines); k++ {
		count, _, ok := strings.Cut(lines[k], " @ ")
		if !ok || !strings.Contains(lines[k+1], "fasthttp.(*workerPool).workerFunc") {
			continue
		}
		if c, err := strconv.Atoi(count); err == nil {
			n += c
		}
	}
	return n
}
