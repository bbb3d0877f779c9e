package sse

import (
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/client/eventstream"
	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/internal/testkit"
	"github.com/tickcast/tickcast/market"
)

// big is a 4 KiB side of a trade (bigTrade): a few such events fill the
// socket buffers of a viewer that stopped reading. (The decimals are
// market.Decs, at most a few dozen characters.)
var big = strings.Repeat("9", 4096)

// bigTrade returns a trade of sym whose side is big.
func bigTrade(sym string) *market.Event {
	e := trade(sym, "1.00")
	e.Trade.Side = big
	return e
}

// longDec is the longest decimal text a Dec has (61 characters), for
// tickers as large as they come.
var longDec = market.MakeDec(math.MaxInt64, 40).String()

// theViewer returns the only open viewer.
func (f *fakeFeed) theViewer() *viewer {
	f.t.Helper()
	f.SSE.mu.Lock()
	defer f.SSE.mu.Unlock()
	if len(f.SSE.viewers) != 1 {
		f.t.Fatalf("%d viewers, want 1", len(f.SSE.viewers))
	}
	for v := range f.SSE.viewers {
		return v
	}
	return nil
}

// stalled opens a viewer that will not read: small buffers on both sides.
func (f *fakeFeed) stalled(query string) *eventstream.Stream {
	f.t.Helper()
	s := f.dialOpts(query, eventstream.DialOptions{ReceiveBuffer: 4096})
	if s.Resp.StatusCode != http.StatusOK {
		f.t.Fatalf("status %d", s.Resp.StatusCode)
	}
	return s
}

// blockWriter publishes big trades on BTC-USD until the viewer's stream
// writer is blocked in a write: its queue grows and stays put.
func (f *fakeFeed) blockWriter(v *viewer) {
	f.t.Helper()
	for i := 0; ; i++ {
		if i > 5000 {
			f.t.Fatal("the writer never blocked")
		}
		f.publish(bigTrade("BTC-USD"))
		if n := v.sub.Q.Len(); n >= 20 {
			time.Sleep(50 * time.Millisecond)
			if v.sub.Q.Len() == n {
				return
			}
		}
	}
}

// TestSlowViewerConflated: a viewer of conflatable channels that stops
// reading is never cut off: its queue keeps only the newest ticker, and
// when it reads again it gets that newest value, with seq skipping.
func TestSlowViewerConflated(t *testing.T) {
	t.Parallel()
	f := newFeed(t, withSendBuffer(4096))
	s := f.stalled("?channels=ticker&symbols=BTC-USD")
	v := f.theViewer()
	n := 0
	for v.sub.Q.Conflated() < 50 {
		if n++; n > 5000 {
			t.Fatal("no conflation after 5000 tickers")
		}
		f.publish(ticker("BTC-USD", longDec))
	}
	if f.Hub.Subscribers() != 1 || v.sub.Q.Len() > 1 || v.sub.Q.Overflowed() {
		t.Fatalf("subscribers %d, queued %d, overflowed %v: want 1, ≤1, false", f.Hub.Subscribers(), v.sub.Q.Len(), v.sub.Q.Overflowed())
	}
	got := 0
	var last event
	for last.Off != uint64(n) {
		e := next(t, s)
		if e.Off <= last.Off {
			t.Fatalf("off %d after %d", e.Off, last.Off)
		}
		last = e
		got++
	}
	if got >= n || last.Seq != uint64(n) {
		t.Fatalf("read %d of %d tickers, last seq %d: want fewer, ending with the newest", got, n, last.Seq)
	}
	f.publish(ticker("BTC-USD", "1.00"))
	if e := next(t, s); e.Off != uint64(n+1) {
		t.Fatalf("live after catching up: %+v", e)
	}
}

// TestSlowViewerLosslessCut: a viewer of a lossless channel that stops
// reading is taken off the hub once its backlog passes the limit; when it
// reads again it gets everything queued before the cut, contiguous, then
// the end of the stream; resuming from its last id it misses nothing.
func TestSlowViewerLosslessCut(t *testing.T) {
	t.Parallel()
	f := newFeed(t, withSendBuffer(4096), withConfig(func(c *Config) { c.Backlog = hub.Limits{MaxBytes: 64 << 10} }))
	const q = "?channels=trades&symbols=BTC-USD"
	s := f.stalled(q)
	n := 0
	for f.Hub.Subscribers() != 0 {
		if n++; n > 5000 {
			t.Fatal("not cut off after 5000 trades")
		}
		f.publish(bigTrade("BTC-USD"))
	}
	var got []event
	for {
		_ = s.Conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		r, err := s.NextEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("after %d events: %v", len(got), err)
		}
		got = append(got, decode(t, r))
	}
	if len(got) == 0 || len(got) >= n {
		t.Fatalf("read %d of %d before the end", len(got), n)
	}
	for i, e := range got {
		if e.Off != uint64(i+1) {
			t.Fatalf("event %d: off %d", i, e.Off)
		}
	}
	testkit.Eventually(t, 5*time.Second, "the viewer counted out", func() bool { return f.SSE.Viewers() == 0 })
	// Resuming replays the rest, which counts against the same backlog
	// limit (in SSE bytes): a replay larger than it is cut in turn, and
	// the viewer resumes again from its last id. It converges with no gap.
	last := got[len(got)-1]
	for rounds := 1; last.Off < uint64(n); rounds++ {
		if rounds > 20 {
			t.Fatalf("still at off %d of %d after 20 resumes", last.Off, n)
		}
		s2 := f.dial(q, http.Header{"Last-Event-ID": {last.LastID}})
		for last.Off < uint64(n) {
			_ = s2.Conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			r, err := s2.NextEvent()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("resume %d: %v", rounds, err)
			}
			e := decode(t, r)
			if e.Off != last.Off+1 {
				t.Fatalf("resume %d: off %d after %d", rounds, e.Off, last.Off)
			}
			last = e
		}
	}
}

// TestStalledViewerTimesOut: a viewer that stops reading altogether is cut
// WriteTimeout after its writes stopped going through, without a whole-
// response deadline on the server. Its writer never blocked (it stops
// while the bounded send buffer is half full), so the end of the stream
// still fits: once the viewer reads again, it gets the events that went
// out, contiguous, then a clean end, and resumes from there.
func TestStalledViewerTimesOut(t *testing.T) {
	t.Parallel()
	const timeout = 300 * time.Millisecond
	f := newFeed(t, withSendBuffer(4096), withConfig(func(c *Config) { c.WriteTimeout = timeout }))
	s := f.stalled("?channels=trades&symbols=BTC-USD")
	v := f.theViewer()
	f.blockWriter(v)
	t0 := time.Now()
	testkit.Eventually(t, 5*time.Second, "the stalled viewer cut", func() bool { return f.SSE.Viewers() == 0 })
	if d := time.Since(t0); d > timeout+2*time.Second {
		t.Errorf("cut after %v, want about %v", d, timeout)
	}
	f.sync()
	if f.Hub.Subscribers() != 0 {
		t.Fatal("still on the hub")
	}
	if n := f.Hub.Stats().SlowConsumers(hub.SlowWrite); n != 1 {
		t.Errorf("%d write-timeout slow consumers counted, want 1", n)
	}
	_ = s.Conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	var got uint64
	for {
		r, err := s.NextEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("after %d events: %v, want a clean end", got, err)
		}
		if e := decode(t, r); e.Off != got+1 {
			t.Fatalf("event off %d after %d", e.Off, got)
		}
		got++
	}
	if got == 0 {
		t.Fatal("no events before the end")
	}
}

// TestShutdownPrompt: Shutdown ends idle streams cleanly, cuts one blocked
// on a viewer that stopped reading if it does not end within a second,
// returns well within its context and refuses new viewers.
func TestShutdownPrompt(t *testing.T) {
	t.Parallel()
	f := newFeed(t, withSendBuffer(4096))
	stuck := f.stalled("?channels=trades&symbols=BTC-USD")
	v := f.theViewer()
	idle := []*eventstream.Stream{f.dial("", nil), f.dial("?channels=book", nil), f.dial("?channels=quote&symbols=ETH-USD", nil)}
	f.blockWriter(v)
	t0 := time.Now()
	if err := f.SSE.Shutdown(ctxTimeout(t, 5*time.Second)); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if d := time.Since(t0); d > 2*time.Second {
		t.Errorf("Shutdown took %v", d)
	}
	// Whether the cut was needed depends on the kernel: a receiver that
	// does not read still takes a trickle now and then (it compacts its
	// receive queue), which lets the writer see the shutdown itself.
	t.Logf("Shutdown with a blocked viewer took %v (cut: %v)", time.Since(t0), v.kicked.Load())
	if n := f.SSE.Viewers(); n != 0 {
		t.Fatalf("%d viewers after Shutdown", n)
	}
	for i, s := range idle {
		_ = s.Conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		var err error
		for err == nil {
			_, err = s.Next()
		}
		if err != io.EOF {
			t.Errorf("idle viewer %d: %v, want a clean end", i, err)
		}
	}
	_ = stuck
	late := f.dialOpts("", eventstream.DialOptions{})
	if late.Resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("after Shutdown: %d, want 503", late.Resp.StatusCode)
	}
}

// TestIdleThenBigBatch: the write deadline is set before each batch, not
// only before its final flush. A batch bigger than the write buffer goes
// out in several writes, and a deadline left from a flush long ago (an
// idle stream) would fail the first of them.
func TestIdleThenBigBatch(t *testing.T) {
	t.Parallel()
	const timeout = 50 * time.Millisecond
	f := newFeed(t, withConfig(func(c *Config) { c.WriteTimeout = timeout }))
	s := f.dial("?channels=trades&symbols=BTC-USD", nil)
	time.Sleep(4 * timeout) // idle: the deadline of the last flush has passed
	var batch []*market.Event
	for i := 0; i < 20; i++ { // more than the pipe to fasthttp's copy holds
		batch = append(batch, bigTrade("BTC-USD"))
	}
	f.publish(batch...)
	if got := nextN(t, s, 20); got[19].Off != 20 {
		t.Fatalf("got %v", offs(got))
	}
}
