package feed_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gobwas/ws"

	"github.com/tickcast/tickcast/feed"
	"github.com/tickcast/tickcast/feed/wire"
	wsfeed "github.com/tickcast/tickcast/feed/ws"
	"github.com/tickcast/tickcast/internal/testkit"
	"github.com/tickcast/tickcast/market"
)

// Attacks found on a running server, one test each: they stay in the
// suite from now on.

// readUntilClose reads messages until the close frame and returns them
// with the close code.
func (rc *rawConn) readUntilClose(d time.Duration) ([]wire.Message, ws.StatusCode) {
	rc.t.Helper()
	var got []wire.Message
	for {
		m, err := rc.tryNext(d)
		var ce *errClosed
		if errors.As(err, &ce) {
			return got, ce.code
		}
		if err != nil {
			rc.t.Fatalf("after %d messages: %v", len(got), err)
		}
		got = append(got, m)
	}
}

// TestE2EPolicyCloseFlushesReplies: eleven malformed messages in one TCP
// write (the budget is ten) get all eleven error replies, then close 1008.
// The close used to go out ahead of what was queued: 0 to 5 replies
// arrived.
func TestE2EPolicyCloseFlushesReplies(t *testing.T) {
	ts := startServer(t, withoutSim())
	for _, proto := range []string{"tickcast.v1.json", "tickcast.v1.msgpack"} {
		t.Run(proto, func(t *testing.T) {
			rc := ts.rawDial(t, proto, rawOpts{})
			var burst bytes.Buffer
			for range 11 {
				f := ws.NewFrame(rc.dataOp(), true, []byte(`{"op":`))
				f = ws.MaskFrameInPlaceWith(f, ws.NewMask())
				must(t, ws.WriteFrame(&burst, f))
			}
			_, err := rc.nc.Write(burst.Bytes())
			must(t, err)
			got, code := rc.readUntilClose(5 * time.Second)
			if code != ws.StatusPolicyViolation {
				t.Fatalf("closed with %d, want 1008", code)
			}
			if len(got) != 11 {
				t.Fatalf("%d replies before the close, want 11", len(got))
			}
			for i, m := range got {
				if e, ok := m.(*wire.Error); !ok || e.Code != wire.CodeBadRequest {
					t.Fatalf("reply %d: %+v", i, m)
				}
			}
		})
	}
}

// TestE2ERateLimitCloseKeepsAcks: a session that keeps ignoring
// rate_limited is closed with 1008, but the acks of the orders the venue
// took before that, resting live on the book, all arrive first.
func TestE2ERateLimitCloseKeepsAcks(t *testing.T) {
	ts := startServer(t, withoutSim(), withMarket(func(c *market.Config) { c.RateLimit, c.RateBurst = 0.001, 20 }),
		withWS(func(c *wsfeed.Config) { c.RateLimitBudget = 3 }))
	id, token := ts.account()
	rc := ts.rawDial(t, "tickcast.v1.json", rawOpts{})
	rc.send(&wire.Auth{ID: wire.SomeID(1), Token: token})
	if a, ok := rc.nextKind(wire.KindAuthed, 5*time.Second).(*wire.Authed); !ok || a.Account != id {
		t.Fatal("auth failed")
	}
	// 20 orders within the burst, then 4 refused: all in one write.
	var burst bytes.Buffer
	for i := range 24 {
		op := &wire.NewOrder{ID: wire.SomeID(uint64(10 + i)), CID: fmt.Sprint("o", i), S: "BTC-USD", Side: "buy", Type: "limit",
			Qty: "0.0010", Px: "59000.00"}
		f := ws.MaskFrameInPlaceWith(ws.NewTextFrame(wire.AppendOp(wire.JSON, nil, op)), ws.NewMask())
		must(t, ws.WriteFrame(&burst, f))
	}
	_, err := rc.nc.Write(burst.Bytes())
	must(t, err)
	got, code := rc.readUntilClose(5 * time.Second)
	if code != ws.StatusPolicyViolation {
		t.Fatalf("closed with %d, want 1008", code)
	}
	acked := map[string]bool{}
	for _, m := range got {
		if o, ok := m.(*wire.Order); ok && o.Status == market.StatusNew {
			acked[o.CID] = true
		}
	}
	if len(acked) != 20 {
		t.Fatalf("%d acks of live orders before the close, want 20", len(acked))
	}
}

// withFeed changes the feed server's settings (REST and account limits …).
func withFeed(f func(*feed.Config)) serverOpt { return func(h *harness) { f(&h.Feed) } }

// fromAddr is an HTTP client whose connections leave from local address ip
// (any 127.0.0.0/8 address works on loopback).
func fromAddr(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}
}

func status(t *testing.T, c *http.Client, method, url string) int {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}

// TestE2ERESTRateLimit: REST requests are limited per client address
// (429 past the burst); another address is not affected.
func TestE2ERESTRateLimit(t *testing.T) {
	ts := startServer(t, withoutSim(), withFeed(func(c *feed.Config) { c.RESTRate, c.RESTBurst = 0.01, 5 }))
	a, b := fromAddr("127.0.0.2"), fromAddr("127.0.0.3")
	for i := range 5 {
		if code := status(t, a, "GET", ts.URL("/api/v1/instruments")); code != http.StatusOK {
			t.Fatalf("request %d within the burst: %d", i, code)
		}
	}
	if code := status(t, a, "GET", ts.URL("/api/v1/ticker")); code != http.StatusTooManyRequests {
		t.Fatalf("past the burst: %d, want 429", code)
	}
	if code := status(t, b, "GET", ts.URL("/api/v1/instruments")); code != http.StatusOK {
		t.Fatalf("another address: %d", code)
	}
}

// TestE2EAccountsPerNetwork: demo account creation is limited per /24:
// two addresses of one /24 share the allowance, one of another /24 does
// not.
func TestE2EAccountsPerNetwork(t *testing.T) {
	ts := startServer(t, withoutSim(), withFeed(func(c *feed.Config) { c.AccountsPerMinute = 2 }))
	url := ts.URL("/api/v1/accounts")
	if code := status(t, fromAddr("127.0.0.2"), "POST", url); code != http.StatusCreated {
		t.Fatalf("first account: %d", code)
	}
	if code := status(t, fromAddr("127.0.0.3"), "POST", url); code != http.StatusCreated {
		t.Fatalf("second account, same /24: %d", code)
	}
	if code := status(t, fromAddr("127.0.0.4"), "POST", url); code != http.StatusTooManyRequests {
		t.Fatalf("third account from the same /24: %d, want 429", code)
	}
	if code := status(t, fromAddr("127.0.1.2"), "POST", url); code != http.StatusCreated {
		t.Fatalf("another /24: %d", code)
	}
}

// TestE2ECloseCodeLabelsBounded: close codes a client chooses do not each
// become a metric series: they count as "other".
func TestE2ECloseCodeLabelsBounded(t *testing.T) {
	ts := startServer(t, withoutSim())
	for i := range 5 {
		rc := ts.rawDial(t, "tickcast.v1.json", rawOpts{})
		must(t, rc.writeFrame(closeFrame(ws.StatusCode(4100+i), "")))
		rc.expectClose(ws.StatusCode(4100+i), 5*time.Second)
	}
	testkit.Eventually(t, 5*time.Second, "five closes counted as other", func() bool {
		return ts.metricWith("tickcast_ws_closes_total", `code="other"`) == 5
	})
	resp, err := http.Get(ts.URL("/metrics"))
	must(t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if strings.Contains(string(body), `code="41`) {
		t.Fatal("a client-chosen close code became a label")
	}
}

// TestE2ENonReadingClientsGet4008: clients that subscribe to a busy feed
// and never read are cut within the backlog budget with close 4008, which
// each finds after the data once it reads (the writer stops while a
// client's bounded send buffer is more than half full, so the close frame
// still fits), and they do not pin memory: the server's heap grows by a
// bounded amount per client. Before, 500 such clients took the RSS from 25
// to 550 MiB and died at 24-28 s with 1006, none with 4008.
func TestE2ENonReadingClientsGet4008(t *testing.T) {
	const clients = 40
	const budget = 3 * time.Second
	ts := startServer(t, withSimRate(60), withBacklog(4<<20, budget))
	syms := ts.Hub.Symbols()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	cutBefore := ts.metricWith("tickcast_slow_consumer_disconnects_total", `reason="backlog"`)
	writeBefore := ts.metricOr0("tickcast_slow_consumer_disconnects_total", `reason="write_timeout"`)
	var conns []*rawConn
	for range clients {
		rc := ts.rawDial(t, "tickcast.v1.msgpack", rawOpts{rcvBuf: 4096})
		rc.send(&wire.Subscribe{ID: wire.SomeID(1), Channels: []string{"trades", "book", "quote", "ticker"}, Symbols: syms})
		conns = append(conns, rc)
	}
	t0 := time.Now()
	// Near the end of the budget their backlogs are at their largest: what
	// they pin is the live heap then, over what it was before them.
	time.Sleep(budget * 3 / 4)
	runtime.GC()
	var during runtime.MemStats
	runtime.ReadMemStats(&during)
	testkit.Eventually(t, 30*time.Second, "every non-reading client cut", func() bool {
		return ts.metricWith("tickcast_slow_consumer_disconnects_total", `reason="backlog"`)-cutBefore >= clients
	})
	cutAfter := time.Since(t0)
	if cutAfter > budget+5*time.Second {
		t.Errorf("cut after %v, budget %v", cutAfter, budget)
	}
	// The live heap, not the RSS, is what this test bounds: the server
	// shares its process with the test's clients and runtime, and the RSS
	// keeps pages the collector has freed, so it would measure the
	// runtime's page retention, not what the backlogs pin. The RSS and the
	// kernel's TCP memory of a server alone, with 1,000 such clients, are
	// measured by tickbench --stalled (BENCHMARKS.md, "Clients that stop
	// reading").
	growth := int64(during.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("%d non-reading clients cut after %v; live heap %d MiB before them, %d MiB with their backlogs (%d KiB a client)",
		clients, cutAfter.Round(time.Millisecond), before.HeapAlloc>>20, during.HeapAlloc>>20, growth/clients>>10)
	// What the limits allow a queue: its ring of at most twice the message
	// limit (dead, conflated entries are compacted away at half) of 64-byte
	// slots, 2 MiB at the default 16,384; the frames are shared with every
	// other subscriber and the history.
	if bound := int64(2*16384*64 + 512<<10); growth/clients > bound {
		t.Errorf("each non-reading client pins %d KiB of heap, over the %d KiB its limits allow", growth/clients>>10, bound>>10)
	}
	got4008 := 0
	for i, rc := range conns {
		for {
			_, _, err := rc.nextRaw(5 * time.Second)
			var ce *errClosed
			if errors.As(err, &ce) {
				if ce.code == wsfeed.StatusSlowConsumer {
					got4008++
				} else {
					t.Errorf("client %d: closed with %d", i, ce.code)
				}
				break
			}
			if err != nil {
				t.Errorf("client %d: %v before any close frame", i, err)
				break
			}
		}
	}
	if got4008 != clients {
		t.Errorf("%d of %d non-reading clients found 4008 after their data", got4008, clients)
	}
	// Each is one slow consumer, counted once: the hub counted it as a
	// backlog, so its stalled writer does not count it again as a write.
	if n := ts.metricOr0("tickcast_slow_consumer_disconnects_total", `reason="write_timeout"`) - writeBefore; n != 0 {
		t.Errorf("%d of the clients cut for their backlog counted again as stalled writes", int(n))
	}
}

// flood sends cancels of orders that do not exist on rc as fast as its
// connection takes them, until the deadline, reading (and dropping)
// whatever comes back.
func flood(t *testing.T, rc *rawConn, until time.Time, sent *atomic.Int64) {
	var burst bytes.Buffer
	for i := range 200 {
		f := ws.NewTextFrame(wire.AppendOp(wire.JSON, nil, &wire.Cancel{ID: wire.SomeID(uint64(i + 10)), OID: wire.SomeID(uint64(1<<40 + i))}))
		if err := ws.WriteFrame(&burst, ws.MaskFrameInPlaceWith(f, ws.NewMask())); err != nil {
			t.Error(err)
			return
		}
	}
	go func() { _, _ = io.Copy(io.Discard, rc.nc) }()
	for time.Now().Before(until) {
		_ = rc.nc.SetWriteDeadline(until)
		n, err := rc.nc.Write(burst.Bytes())
		sent.Add(int64(200 * n / burst.Len()))
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return // the server reads a flooder no faster than its operation rate
		}
		if err != nil {
			t.Errorf("the flooding session was cut: %v", err)
			return
		}
	}
}

// TestE2ECancelFloodFairness: four sessions flooding the server with
// cancels of unknown orders leave another trader's acks fast: the floods
// are refused at their sessions (per-session operation rate, operations in
// flight to the venue capped, cancels per account) and never fill the
// venue's queue. Before, they filled its 65,536 slots: the trader's acks
// went from 1 ms to 450-590 ms and 40% were refused "venue busy".
func TestE2ECancelFloodFairness(t *testing.T) {
	// A budget no flood exhausts: the sessions keep flooding for the whole
	// test instead of being closed with 1008 for ignoring rate_limited.
	ts := startServer(t, withSimRate(5), withWS(func(c *wsfeed.Config) { c.RateLimitBudget = 1 << 30 }))
	var floods []*rawConn
	for range 4 {
		_, token := ts.account()
		rc := ts.rawDial(t, "tickcast.v1.json", rawOpts{})
		rc.send(&wire.Auth{ID: wire.SomeID(1), Token: token})
		rc.nextKind(wire.KindAuthed, 5*time.Second)
		floods = append(floods, rc)
	}
	until := time.Now().Add(4 * time.Second)
	var sent atomic.Int64
	var wg sync.WaitGroup
	for _, rc := range floods {
		wg.Add(1)
		go func() { defer wg.Done(); flood(t, rc, until, &sent) }()
	}
	time.Sleep(500 * time.Millisecond) // the floods under way
	tr := ts.trader(t, wire.MsgPack)
	var acks []time.Duration
	for i := 0; time.Now().Before(until.Add(-200 * time.Millisecond)); i++ {
		time.Sleep(25 * time.Millisecond) // within the trader's own order rate (50/s)
		t0 := time.Now()
		o := tr.place(lim(fmt.Sprint("f", i), "BTC-USD", "buy", "0.0010", "55000.00"))
		acks = append(acks, time.Since(t0))
		if o.Status != "new" {
			t.Fatalf("order %d: %s %s during the flood", i, o.Status, o.Reason)
		}
		if _, err := tr.c.Cancel(ctxT(t), wire.Cancel{OID: wire.SomeID(o.OID)}); err != nil {
			t.Fatalf("cancel %d: %v", i, err)
		}
	}
	wg.Wait()
	slices.Sort(acks)
	p50, p99 := acks[len(acks)/2], acks[len(acks)*99/100]
	t.Logf("%d cancels written by 4 flooding sessions in 4 s; %d orders of another trader acked, p50 %v p99 %v; venue queue depth now %v",
		sent.Load(), len(acks), p50, p99, ts.metric("tickcast_venue_queue_depth"))
	if p50 > 20*time.Millisecond {
		t.Errorf("the trader's ack p50 %v during the flood, want under 20 ms", p50)
	}
}
