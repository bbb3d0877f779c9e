package ws

import (
	"context"
	"errors"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/bus"
	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/market"
)

// discardConn is an in-memory client connection: writes vanish, reads
// block until it is closed.
type discardConn struct {
	closed chan struct{}
	once   sync.Once
}

func newDiscardConn() *discardConn { return &discardConn{closed: make(chan struct{})} }

func (c *discardConn) Write(p []byte) (int, error) {
	select {
	case <-c.closed:
		return 0, net.ErrClosed
	default:
		return len(p), nil
	}
}

func (c *discardConn) Read([]byte) (int, error) {
	<-c.closed
	return 0, errors.New("closed")
}

// SyscallConn makes the connection pass for a socket (sockopt.Sender):
// vectored writes go to /dev/null, which takes them all, so the writer
// pool's path is the one measured.
func (c *discardConn) SyscallConn() (syscall.RawConn, error) {
	devNullOnce.Do(func() { devNull, devNullErr = os.OpenFile(os.DevNull, os.O_WRONLY, 0) })
	if devNullErr != nil {
		return nil, devNullErr
	}
	return devNull.SyscallConn()
}

var (
	devNullOnce sync.Once
	devNull     *os.File
	devNullErr  error
)

func (c *discardConn) Close() error                     { c.once.Do(func() { close(c.closed) }); return nil }
func (c *discardConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *discardConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *discardConn) SetDeadline(time.Time) error      { return nil }
func (c *discardConn) SetReadDeadline(time.Time) error  { return nil }
func (c *discardConn) SetWriteDeadline(time.Time) error { return nil }

// countingMetrics counts messages written and signals when a target is
// reached, so that the benchmark waits without taking a core from the
// writers.
type countingMetrics struct {
	nopMetrics
	msgs   atomic.Int64
	target atomic.Int64
	done   chan struct{}
}

func (m *countingMetrics) Sent(_ string, msgs, _ int) {
	if n := m.msgs.Add(int64(msgs)); n >= m.target.Load() && n-int64(msgs) < m.target.Load() {
		m.done <- struct{}{}
	}
}

// expect arms the signal for total messages.
func (m *countingMetrics) expect(total int64) { m.target.Store(total) }

// BenchmarkFanout publishes one trade per op to 10,000 sessions subscribed
// to its stream, each with its own writer goroutine writing to a
// discarding connection, and waits until every session has written it.
// ns/delivery is the time per op divided by the sessions; allocs/op counts
// every allocation of the whole fan-out (hub and writers): it must not
// grow with the number of sessions.
// BenchmarkFanout measures the writer pool (writers=pool) and, in the same
// run, a writer goroutine per session (writers=goroutines, Config.Writers
// -1).
func BenchmarkFanout(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		for _, w := range []int{0, -1} {
			name := map[int]string{1_000: "sessions=1k", 10_000: "sessions=10k"}[n] + map[int]string{0: "/writers=pool", -1: "/writers=goroutines"}[w]
			b.Run(name, func(b *testing.B) { benchFanout(b, n, w) })
		}
	}
}

func benchFanout(b *testing.B, n, writers int) {
	bs := bus.NewMemory()
	h := hub.New(hub.Config{Symbols: []string{"BTC-USD"}, Epoch: "bench", BusBuffer: 1024}, bs)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = h.Run(ctx) }()
	metrics := &countingMetrics{done: make(chan struct{}, 1)}
	metrics.expect(1 << 62)
	srv, err := NewServer(Config{Hub: h, Venue: nopVenue{}, Metrics: metrics, Heartbeat: time.Hour, Writers: writers})
	if err != nil {
		b.Fatal(err)
	}
	stream := h.Lookup(wire.ChanTrades, "BTC-USD")
	sessions := make([]*session, n)
	for i := range sessions {
		s := newSession(srv, newDiscardConn(), nil, wire.MsgPack, "127.0.0.1")
		sessions[i] = s
		if err := h.Add(ctx, s.sub); err != nil {
			b.Fatal(err)
		}
		if err := h.Subscribe(ctx, s.sub, hub.Request{Streams: []*hub.Stream{stream}}); err != nil {
			b.Fatal(err)
		}
	}
	// Wait for every subscribed reply to be written.
	for metrics.msgs.Load() < int64(n) {
		time.Sleep(time.Millisecond)
	}
	trade := func(i int) []*market.Event {
		return []*market.Event{{Kind: market.KindTrade, Symbol: "BTC-USD", Seq: uint64(i + 1), Off: uint64(i + 1), TS: time.Now().UnixNano(),
			Trade: &market.Trade{ID: uint64(i + 1), Px: market.MustParseDec("64250.50"), Qty: market.MustParseDec("0.1250"), Side: "buy"}}}
	}
	base := metrics.msgs.Load()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		metrics.expect(base + int64(i+1)*int64(n))
		bs.Publish(trade(i))
		<-metrics.done
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/delivery")
	for _, s := range sessions {
		s.shut(StatusSlowConsumer, "")
	}
	for _, s := range sessions {
		<-s.closed
	}
	bs.Close()
}

// nopVenue is a Venue that accepts everything and answers nothing.
type nopVenue struct{}

func (nopVenue) VerifyToken(string) (string, bool) { return "", false }
func (nopVenue) PlaceOrder(market.Origin, string, market.OrderRequest) error {
	return nil
}
func (nopVenue) CancelOrder(market.Origin, string, market.OrderRef) error { return nil }
func (nopVenue) AmendOrder(market.Origin, string, market.OrderRef, market.AmendRequest) error {
	return nil
}
func (nopVenue) CancelAll(market.Origin, string, string) error { return nil }
func (nopVenue) Auth(market.Origin, string, bool) error        { return nil }
func (nopVenue) Detach(context.Context, uint64, string) error  { return nil }
