package sse

import (
	"encoding/json"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/client/eventstream"
	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/internal/testkit"
	"github.com/tickcast/tickcast/market"
)

// TestStreamStart: the headers of protocol.md 7.6 arrive before any event
// exists (immediate header flush), and the body starts with retry.
func TestStreamStart(t *testing.T) {
	t.Parallel()
	f := newFeed(t)
	s := f.dial("", nil) // nothing is ever published: only the header flush can answer
	want := map[string]string{
		"Content-Type":                "text/event-stream",
		"Cache-Control":               "no-cache",
		"X-Accel-Buffering":           "no",
		"Access-Control-Allow-Origin": "*",
	}
	for k, v := range want {
		if got := s.Resp.Header.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	if !s.Resp.Close {
		t.Error("no Connection: close: the connection would outlive the stream")
	}
	r, err := s.Next()
	if err != nil || r.Kind != eventstream.KindRetry || r.Retry != 2000 || s.Lines() != 1 {
		t.Fatalf("first record %+v (line %d), %v; want retry: 2000 on the first line", r, s.Lines(), err)
	}
}

// TestEventFields: each event is id "<epoch>:<off>", event <t>, one data
// line holding the message JSON, and a blank line.
func TestEventFields(t *testing.T) {
	t.Parallel()
	f := newFeed(t)
	s := f.dial("?channels=trades&symbols=BTC-USD", nil)
	f.publish(trade("BTC-USD", "100.00"))
	e := next(t, s)
	if !e.HasID || e.ID != id(1) || e.Type != "trade" || e.Off != 1 || e.Seq != 1 || e.S != "BTC-USD" || e.Ch != "trades" {
		t.Fatalf("got %+v", e)
	}
	var m map[string]any
	_ = json.Unmarshal([]byte(e.Data), &m)
	for _, k := range []string{"t", "ch", "s", "seq", "off", "ts", "id", "px", "qty", "side"} {
		if _, ok := m[k]; !ok {
			t.Errorf("data lacks %q: %s", k, e.Data)
		}
	}
	// retry(1 line + blank) then id, event, data, blank.
	if s.Lines() != 6 || s.DataLines() != 1 {
		t.Errorf("lines %d, data lines %d; want 6 and 1", s.Lines(), s.DataLines())
	}
}

// TestDefaults: no parameters means channels=ticker on every symbol.
func TestDefaults(t *testing.T) {
	t.Parallel()
	f := newFeed(t)
	s := f.dial("", nil)
	f.publish(trade("BTC-USD", "1.00"), ticker("BTC-USD", "1.00"), quote("ETH-USD", "1.00"), ticker("ETH-USD", "2.00"))
	got := nextN(t, s, 2)
	if got[0].Type != "ticker" || got[0].S != "BTC-USD" || got[1].Type != "ticker" || got[1].S != "ETH-USD" {
		t.Fatalf("got %+v", got)
	}
	f.publish(ticker("BTC-USD", "3.00")) // and nothing else came between
	if e := next(t, s); e.Off != 5 {
		t.Fatalf("got %+v, want the ticker at off 5", e)
	}
}

// TestManyStreamsOneConnection: every channel of several symbols on one
// stream, in offset order.
func TestManyStreamsOneConnection(t *testing.T) {
	t.Parallel()
	f := newFeed(t)
	s := f.dial("?channels=trades,book,quote,ticker,candles.1s,candles.1m&symbols=BTC-USD,ETH-USD", nil)
	snaps := nextN(t, s, 2) // a fresh book subscription starts with its snapshot
	for i, sym := range testSymbols {
		if snaps[i].Type != "book_snapshot" || snaps[i].S != sym {
			t.Fatalf("start %d: %+v", i, snaps[i])
		}
	}
	var evs []*market.Event
	for _, sym := range testSymbols {
		evs = append(evs, trade(sym, "1.00"), bookDelta(sym, "1.00", "1.0000"), quote(sym, "1.00"), ticker(sym, "1.00"),
			candle(market.KindCandle1s, sym, 1e9), candle(market.KindCandle1m, sym, 60e9))
	}
	f.publish(evs...)
	got := nextN(t, s, len(evs))
	seen := map[string]bool{}
	for i, e := range got {
		if e.Off != uint64(i+1) {
			t.Fatalf("event %d: off %d", i, e.Off)
		}
		seen[e.Ch+":"+e.S] = true
	}
	if len(seen) != 12 {
		t.Fatalf("streams seen: %v", seen)
	}
}

// TestBadRequests: an unknown channel or symbol, a malformed last event
// id, too many streams and a wrong method are answered with protocol.md 1.1's
// JSON error body, CORS included, and leave nothing behind.
func TestBadRequests(t *testing.T) {
	t.Parallel()
	f := newFeed(t, withHub(func(c *hub.Config) { c.MaxSubscriptions = 3 }))
	cases := []struct {
		name, method, query string
		hdr                 http.Header
		status              int
		code                string
	}{
		{"unknown channel", "GET", "?channels=trades,nope", nil, 400, wire.CodeUnknownChannel},
		{"unknown symbol", "GET", "?channels=trades&symbols=BTC-USD,DOGE-USD", nil, 400, wire.CodeUnknownSymbol},
		{"private channel", "GET", "?channels=orders", nil, 400, wire.CodeUnknownChannel},
		{"too many streams", "GET", "?channels=trades,book&symbols=BTC-USD,ETH-USD", nil, 400, wire.CodeTooManySubscriptions},
		{"id without offset", "GET", "?channels=trades&symbols=BTC-USD", http.Header{"Last-Event-ID": {"ep1"}}, 400, wire.CodeBadRequest},
		{"id with bad offset", "GET", "?channels=trades&symbols=BTC-USD", http.Header{"Last-Event-ID": {"ep1:x"}}, 400, wire.CodeBadRequest},
		{"id with bad epoch", "GET", "?channels=trades&symbols=BTC-USD", http.Header{"Last-Event-ID": {"e p:5"}}, 400, wire.CodeBadRequest},
		{"query id with a newline", "GET", "?channels=trades&symbols=BTC-USD&last_event_id=ep1%0Aevent:x:5", nil, 400, wire.CodeBadRequest},
		{"POST", "POST", "", nil, 405, wire.CodeBadRequest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, "http://"+f.Addr+"/sse"+c.query, nil)
			for k, v := range c.hdr {
				req.Header[k] = v
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct{ Code, Msg string }
			err = json.NewDecoder(resp.Body).Decode(&body)
			if resp.StatusCode != c.status || err != nil || body.Code != c.code || body.Msg == "" {
				t.Fatalf("got %d %+v (%v), want %d %s", resp.StatusCode, body, err, c.status, c.code)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if o := resp.Header.Get("Access-Control-Allow-Origin"); o != "*" {
				t.Errorf("Access-Control-Allow-Origin %q", o)
			}
		})
	}
	f.sync()
	if n, v := f.Hub.Subscribers(), f.SSE.Viewers(); n != 0 || v != 0 {
		t.Fatalf("left behind: %d hub subscribers, %d viewers", n, v)
	}
}

// TestCORS: the configured origin on streams and errors, and a preflight
// that allows Last-Event-ID (fetch-based EventSource clients send it as a
// header, which is not CORS-safelisted).
func TestCORS(t *testing.T) {
	t.Parallel()
	const origin = "https://viewer.example"
	f := newFeed(t, withConfig(func(c *Config) { c.CORSOrigin = origin }))
	s := f.dial("", http.Header{"Origin": {"https://elsewhere.example"}})
	if got := s.Resp.Header.Get("Access-Control-Allow-Origin"); got != origin {
		t.Errorf("stream: %q", got)
	}
	req, _ := http.NewRequest(http.MethodOptions, "http://"+f.Addr+"/sse?channels=trades", nil)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", "GET")
	req.Header.Set("Access-Control-Request-Headers", "last-event-id")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != origin ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "Last-Event-ID") ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "GET") {
		t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	resp, err = http.Get("http://" + f.Addr + "/sse?channels=nope")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 || resp.Header.Get("Access-Control-Allow-Origin") != origin {
		t.Fatalf("error: %d %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
}

// TestHeartbeat: ": hb" comments keep an idle stream alive at the
// configured interval.
func TestHeartbeat(t *testing.T) {
	t.Parallel()
	const every = 40 * time.Millisecond
	f := newFeed(t, withConfig(func(c *Config) { c.Heartbeat = every }))
	s := f.dial("?channels=trades&symbols=BTC-USD", nil)
	_ = s.Conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	var at []time.Time
	for len(at) < 6 {
		r, err := s.Next()
		if err != nil {
			t.Fatal(err)
		}
		switch r.Kind {
		case eventstream.KindComment:
			if r.Comment != "hb" {
				t.Fatalf("comment %q", r.Comment)
			}
			at = append(at, time.Now())
		case eventstream.KindEvent:
			t.Fatalf("event on an idle stream: %+v", r)
		}
	}
	for i := 1; i < len(at); i++ {
		// Generous: under -race on a busy machine a tick can be late, but
		// never by a whole default interval.
		if gap := at[i].Sub(at[i-1]); gap > every+time.Second {
			t.Errorf("heartbeat gap %v", gap)
		}
	}
	if total := at[len(at)-1].Sub(at[0]); total < 4*every {
		t.Errorf("5 heartbeat intervals took %v, want ≥ %v", total, 4*every)
	}
}

// TestViewerLimits: past MaxViewers or MaxViewersPerIP, 503 with a JSON
// body; a viewer leaving frees its place (noticed at the next writes: a
// heartbeat on an idle stream).
func TestViewerLimits(t *testing.T) {
	t.Parallel()
	f := newFeed(t, withConfig(func(c *Config) { c.MaxViewers = 3; c.MaxViewersPerIP = 2; c.Heartbeat = 20 * time.Millisecond }))
	a := f.dial("", nil)
	f.dial("", nil)
	status := func(local string) int {
		o := eventstream.DialOptions{}
		if local != "" {
			o.LocalAddr = mustAddr(t, local)
		}
		s := f.dialOpts("", o)
		defer s.Close()
		if s.Resp.StatusCode != 200 {
			var body struct{ Code string }
			if err := json.NewDecoder(s.Body).Decode(&body); err != nil || body.Code != wire.CodeInternal {
				t.Errorf("503 body: %+v %v", body, err)
			}
		}
		return s.Resp.StatusCode
	}
	if got := status(""); got != 503 {
		t.Fatalf("third viewer from one address: %d, want 503", got)
	}
	c := f.dialOpts("", eventstream.DialOptions{LocalAddr: mustAddr(t, "127.0.0.2:0")})
	if c.Resp.StatusCode != 200 {
		t.Fatalf("viewer from another address: %d", c.Resp.StatusCode)
	}
	if got := status("127.0.0.3:0"); got != 503 {
		t.Fatalf("fourth viewer: %d, want 503", got)
	}
	a.Close()
	testkit.Eventually(t, 5*time.Second, "a place freed", func() bool { return f.SSE.Viewers() == 2 })
	if got := status(""); got != 200 {
		t.Fatalf("after one left: %d", got)
	}
}

// TestPanicRecovered: a panic in a stream writer ends that stream only;
// its viewer is counted out and taken off the hub, and the server goes
// on.
func TestPanicRecovered(t *testing.T) {
	t.Parallel()
	boom := make(chan struct{}, 1)
	f := newFeed(t, withConfig(func(c *Config) {
		c.Sent = func(int, int) {
			select {
			case <-boom:
				panic("boom")
			default:
			}
		}
	}))
	s := f.dial("?channels=trades&symbols=BTC-USD", nil)
	boom <- struct{}{}
	f.publish(trade("BTC-USD", "1.00"))
	next(t, s) // written, then Sent panicked
	_ = s.Conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := s.NextEvent(); err == nil || os.IsTimeout(err) {
		t.Fatalf("after the panic: %v, want the stream's end", err)
	}
	testkit.Eventually(t, 5*time.Second, "the viewer counted out", func() bool { return f.SSE.Viewers() == 0 })
	f.sync()
	if n := f.Hub.Subscribers(); n != 0 {
		t.Fatalf("%d hub subscribers left", n)
	}
	s2 := f.dial("?channels=trades&symbols=BTC-USD", nil)
	f.publish(trade("BTC-USD", "2.00"))
	if e := next(t, s2); e.Off != 2 {
		t.Fatalf("after recovery: %+v", e)
	}
}

func mustAddr(t testing.TB, hostport string) net.Addr {
	t.Helper()
	a, err := net.ResolveTCPAddr("tcp4", hostport)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
