package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/tickcast/tickcast/feed/client/eventstream"
	"github.com/tickcast/tickcast/feed/wire"
)

// sseOptions is what every SSE client of a worker shares.
type sseOptions struct {
	host       string // host:port
	path       string // /sse?channels=…&symbols=…
	readBuffer int
}

func newSSEOptions(ep endpoints, channels, symbols []string, readBuffer int) *sseOptions {
	q := url.Values{}
	q.Set("channels", strings.Join(channels, ","))
	if len(symbols) > 0 { // none: the server's default, every symbol
		q.Set("symbols", strings.Join(symbols, ","))
	}
	return &sseOptions{host: ep.Host, path: "/sse?" + q.Encode(), readBuffer: readBuffer}
}

// sseClient is one SSE viewer on a raw TCP connection, read by
// feed/client/eventstream: one goroutine, two small buffers (the socket's,
// which de-chunks the body, and the parser's), no net/http client
// machinery. It resumes with Last-Event-ID after a disconnect, as a
// browser does, except once the server has been told to stop.
type sseClient struct {
	o     *sseOptions
	rec   *recorder
	cn    *conns
	disc  *disconnects
	local netip.Addr
	ctx   context.Context // ends with close: aborts a connect under way
	quit  context.CancelFunc

	mu     sync.Mutex
	conn   net.Conn
	up     bool
	closed bool
	end    streamEnd
	done   chan struct{}

	// Owned by the client's goroutine (read by the worker once done is
	// closed).
	lastID    string
	malformed int64
}

func newSSEClient(o *sseOptions, rec *recorder, cn *conns, disc *disconnects, local netip.Addr) *sseClient {
	ctx, quit := context.WithCancel(context.Background())
	return &sseClient{o: o, rec: rec, cn: cn, disc: disc, local: local, ctx: ctx, quit: quit, done: make(chan struct{})}
}

// errStatus is a non-200 answer to the SSE request.
type errStatus int

// Error returns "sse: HTTP status N".
func (e errStatus) Error() string { return fmt.Sprintf("sse: HTTP status %d", int(e)) }

// sseHandshakeTimeout bounds connecting, reading the response header and
// the stream's first record.
const sseHandshakeTimeout = 10 * time.Second

// connect opens the stream and reads its first record (tickcast's retry
// field, written with the header): once it returns, the stream has
// started.
func (s *sseClient) connect(ctx context.Context) (*eventstream.Reader, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(s.ctx, cancel)
	defer stop()
	o := eventstream.DialOptions{Timeout: sseHandshakeTimeout, BufferSize: s.o.readBuffer}
	if s.local.IsValid() {
		o.LocalAddr = &net.TCPAddr{IP: s.local.AsSlice()}
	}
	if s.lastID != "" {
		o.Header = http.Header{"Last-Event-ID": {s.lastID}}
	}
	st, err := eventstream.Dial(ctx, s.o.host, s.o.path, o)
	if err != nil {
		return nil, err
	}
	if st.Resp.StatusCode != http.StatusOK {
		_ = st.Close()
		return nil, errStatus(st.Resp.StatusCode)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = st.Close()
		return nil, net.ErrClosed
	}
	s.conn = st.Conn
	s.mu.Unlock()
	_ = st.Conn.SetReadDeadline(time.Now().Add(sseHandshakeTimeout))
	k, err := st.Read()
	if err != nil {
		_ = st.Close()
		return nil, fmt.Errorf("sse: the stream's first record: %w", err)
	}
	_ = st.Conn.SetReadDeadline(time.Time{})
	if k == eventstream.KindEvent {
		s.dispatch(st.Data())
	}
	s.setUp()
	return st.Reader, nil
}

func (s *sseClient) setUp() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.up {
		s.up = true
		s.cn.up.Add(1)
	}
}

// setDown marks the stream ended. It counts a disconnect unless the bench
// is closing it, and records the end once the server was told to stop.
func (s *sseClient) setDown(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.up {
		return
	}
	s.up = false
	s.cn.up.Add(-1)
	switch {
	case s.closed || s.cn.stopping.Load():
	case s.cn.armed.Load():
		if s.end.open {
			s.end.at, s.end.clean = nowNS(), err == io.EOF
		}
	default:
		s.disc.add(disconnectCode(err))
	}
}

// run reads the stream until close, reconnecting after disconnects with
// backoff and Last-Event-ID, until the server is told to stop.
func (s *sseClient) run(r *eventstream.Reader) {
	defer close(s.done)
	for {
		err := s.read(r)
		s.lastID = r.LastEventID()
		s.setDown(err)
		for attempt := 0; ; attempt++ {
			if s.cn.armed.Load() {
				return // the server is stopping: a browser would retry, the bench measures the end
			}
			delay := min(5*time.Second, 100*time.Millisecond<<min(attempt, 6))
			t := time.NewTimer(rand.N(delay) + 1)
			select {
			case <-s.ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			ctx, cancel := context.WithTimeout(s.ctx, sseHandshakeTimeout)
			r, err = s.connect(ctx)
			cancel()
			if err == nil {
				break
			}
		}
	}
}

// disconnectCode names how a stream ended: "eof" when the server ended
// the response cleanly (the end of the chunked body, after a complete
// event: a slow viewer is cut this way), "error" otherwise (reset, cut
// inside the body or an event, a line too long).
func disconnectCode(err error) string {
	if err == io.EOF {
		return "eof"
	}
	return "error"
}

// read handles events (protocol.md 7.6) until the stream fails.
func (s *sseClient) read(r *eventstream.Reader) error {
	for {
		k, err := r.Read()
		if err != nil {
			return err
		}
		if k == eventstream.KindEvent {
			s.dispatch(r.Data())
		}
	}
}

// dispatch records one event's data: the JSON of the WebSocket messages.
func (s *sseClient) dispatch(data []byte) {
	h, err := wire.DecodeHeader(wire.JSON, data)
	if err != nil {
		s.malformed++
		return
	}
	s.rec.observe(&h, nowNS())
}

// markOpen notes whether the stream is up as the server is about to be
// told to stop: only such a stream's end is measured.
func (s *sseClient) markOpen() {
	s.mu.Lock()
	s.end.open = s.up
	s.mu.Unlock()
}

// ended returns how the stream ended after the server was told to stop.
func (s *sseClient) ended() streamEnd {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.end
}

// close ends the stream and waits for the client's goroutine.
func (s *sseClient) close() {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		s.quit()
		if s.conn != nil {
			_ = s.conn.Close()
		}
	}
	s.mu.Unlock()
	<-s.done
}
