package feed_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/client/eventstream"
	"github.com/tickcast/tickcast/feed/sse"
	"github.com/tickcast/tickcast/internal/testkit"
)

// Harness pieces of the SSE end-to-end tests (e2e_sse_*_test.go).

// withSSE changes the SSE endpoint's settings (heartbeat, limits …).
func withSSE(f func(*sse.Config)) serverOpt { return func(h *harness) { f(&h.Feed.SSE) } }

// withCORSOrigin sets Access-Control-Allow-Origin of the public endpoints.
func withCORSOrigin(o string) serverOpt { return func(h *harness) { h.Feed.CORSOrigin = o } }

// sseDialAt opens GET target on addr (the server, or a proxy in front of
// it) and reads the response header.
func sseDialAt(t testing.TB, addr, target string, hdr http.Header) *eventstream.Stream {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := eventstream.Dial(ctx, addr, target, eventstream.DialOptions{Header: hdr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// sseDial opens /sse<query> on the test server and checks for 200.
func (ts *testServer) sseDial(query string, hdr http.Header) *eventstream.Stream {
	ts.t.Helper()
	s := sseDialAt(ts.t, ts.Addr, "/sse"+query, hdr)
	if s.Resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(s.Body)
		ts.t.Fatalf("GET /sse%s: %d %s", query, s.Resp.StatusCode, b)
	}
	return s
}

// sseEvent is one event of protocol.md 7.6 with the fields the tests look
// at.
type sseEvent = testkit.SSEEvent

func sseDecode(t testing.TB, r eventstream.Record) sseEvent { return testkit.DecodeSSE(t, r) }

// sseCollector reads a stream in the background and keeps its events.
type sseCollector struct {
	t        testing.TB
	s        *eventstream.Stream
	mu       sync.Mutex
	evs      []sseEvent
	comments []time.Time
	err      error
	done     chan struct{}
}

func sseCollect(t testing.TB, s *eventstream.Stream) *sseCollector {
	c := &sseCollector{t: t, s: s, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		for {
			r, err := s.Next()
			c.mu.Lock()
			switch {
			case err != nil:
				c.err = err
			case r.Kind == eventstream.KindEvent:
				c.evs = append(c.evs, sseDecode(t, r))
			case r.Kind == eventstream.KindComment:
				c.comments = append(c.comments, time.Now())
			}
			c.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { _ = s.Close(); <-c.done })
	return c
}

// events returns a copy of what was read so far.
func (c *sseCollector) events() []sseEvent {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.evs)
}

// waitFor polls until cond holds on the events read so far.
func (c *sseCollector) waitFor(timeout time.Duration, what string, cond func([]sseEvent) bool) []sseEvent {
	c.t.Helper()
	var evs []sseEvent
	testkit.Eventually(c.t, timeout, what, func() bool {
		evs = c.events()
		return cond(evs)
	})
	return evs
}

// end waits for the stream's end and returns its error (io.EOF: clean).
func (c *sseCollector) end(timeout time.Duration) error {
	c.t.Helper()
	select {
	case <-c.done:
	case <-time.After(timeout):
		c.t.Fatalf("stream still open after %v", timeout)
	}
	return c.err
}

// sseCheckLossless checks a viewer's events of lossless streams: offsets
// strictly increasing (no duplicate) and, per stream, seq up by one from
// the first event on (no gap).
func sseCheckLossless(t testing.TB, evs []sseEvent) {
	t.Helper()
	last := map[string]uint64{}
	var off uint64
	for i, e := range evs {
		if e.Off <= off && i > 0 {
			t.Fatalf("event %d (%s %s): off %d after %d", i, e.Type, e.Stream(), e.Off, off)
		}
		off = e.Off
		if l, ok := last[e.Stream()]; ok && e.Seq != l+1 {
			t.Fatalf("event %d: %s seq %d after %d", i, e.Stream(), e.Seq, l)
		}
		last[e.Stream()] = e.Seq
	}
}

// cutProxy forwards TCP connections to a target and can cut them all, as
// a server or network does when it drops a connection.
type cutProxy struct {
	t      testing.TB
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup
}

func newCutProxy(t testing.TB, target string) *cutProxy {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{t: t, ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(func() { _ = ln.Close(); p.cut(); p.wg.Wait() })
	return p
}

func (p *cutProxy) Addr() string { return p.ln.Addr().String() }

func (p *cutProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		u, err := net.Dial("tcp4", p.target)
		if err != nil {
			_ = c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[u] = struct{}{}, struct{}{}
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(c, u)
		go p.pipe(u, c)
	}
}

func (p *cutProxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	_, _ = io.Copy(dst, src)
	_ = dst.Close()
	_ = src.Close()
	p.mu.Lock()
	delete(p.conns, dst)
	delete(p.conns, src)
	p.mu.Unlock()
}

// cut closes every open connection (both sides) and returns how many
// client connections there were.
func (p *cutProxy) cut() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.conns) / 2
	for c := range p.conns {
		_ = c.Close()
	}
	return n
}
