package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
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

// sseClient is one SSE viewer on a raw TCP connection: one goroutine, two
// small buffers (the socket's and the de-chunked body's), no net/http
// client machinery. It resumes with Last-Event-ID after a disconnect, as a
// browser does.
type sseClient struct {
	o     *sseOptions
	rec   *recorder
	cn    *conns
	disc  *disconnects
	local netip.Addr

	mu     sync.Mutex
	conn   net.Conn
	up     bool
	stop   chan struct{}
	closed bool
	done   chan struct{}

	// Reading state, owned by the client's goroutine.
	lastID []byte
	data   []byte
	line   []byte
}

func newSSEClient(o *sseOptions, rec *recorder, cn *conns, disc *disconnects, local netip.Addr) *sseClient {
	return &sseClient{o: o, rec: rec, cn: cn, disc: disc, local: local, stop: make(chan struct{}), done: make(chan struct{})}
}

// errStatus is a non-200 answer to the SSE request.
type errStatus int

// Error returns "sse: HTTP status N".
func (e errStatus) Error() string { return fmt.Sprintf("sse: HTTP status %d", int(e)) }

// sseHandshakeTimeout bounds connecting and reading the response header.
const sseHandshakeTimeout = 10 * time.Second

// connect opens the stream and returns its de-chunked body.
func (s *sseClient) connect(ctx context.Context) (*bufio.Reader, error) {
	d := net.Dialer{Timeout: sseHandshakeTimeout}
	if s.local.IsValid() {
		d.LocalAddr = &net.TCPAddr{IP: s.local.AsSlice()}
	}
	conn, err := d.DialContext(ctx, "tcp", s.o.host)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = conn.Close()
		return nil, net.ErrClosed
	}
	s.conn = conn
	s.mu.Unlock()
	_ = conn.SetDeadline(time.Now().Add(sseHandshakeTimeout))
	var req bytes.Buffer
	fmt.Fprintf(&req, "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n", s.o.path, s.o.host)
	if len(s.lastID) > 0 {
		fmt.Fprintf(&req, "Last-Event-ID: %s\r\n", s.lastID)
	}
	req.WriteString("\r\n")
	if _, err := conn.Write(req.Bytes()); err != nil {
		_ = conn.Close()
		return nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReaderSize(conn, s.o.readBuffer), nil)
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		_ = conn.Close()
		return nil, errStatus(resp.StatusCode)
	}
	_ = conn.SetDeadline(time.Time{})
	s.setUp()
	return bufio.NewReaderSize(resp.Body, s.o.readBuffer), nil
}

func (s *sseClient) setUp() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.up {
		s.up = true
		s.cn.up.Add(1)
	}
}

// setDown marks the stream ended and counts the disconnect unless the
// bench is closing it.
func (s *sseClient) setDown(code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.up {
		s.up = false
		s.cn.up.Add(-1)
		if !s.closed && !s.cn.stopping.Load() {
			s.disc.add(code)
		}
	}
}

// run reads the stream until close, reconnecting after disconnects with
// backoff and Last-Event-ID.
func (s *sseClient) run(body *bufio.Reader) {
	defer close(s.done)
	for {
		err := s.read(body)
		s.setDown(disconnectCode(err))
		for attempt := 0; ; attempt++ {
			delay := min(5*time.Second, 100*time.Millisecond<<min(attempt, 6))
			t := time.NewTimer(rand.N(delay) + 1)
			select {
			case <-s.stop:
				t.Stop()
				return
			case <-t.C:
			}
			ctx, cancel := context.WithTimeout(context.Background(), sseHandshakeTimeout)
			body, err = s.connect(ctx)
			cancel()
			if err == nil {
				break
			}
		}
	}
}

// disconnectCode names how a stream ended: "eof" when the server ended
// the response (a slow viewer is cut this way), "error" otherwise.
func disconnectCode(err error) string {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "eof"
	}
	return "error"
}

// maxKeptLine is the largest line buffer kept between events (a book
// snapshot may be far larger; its buffer is dropped after use).
const maxKeptLine = 16 << 10

// read parses events (PROTOCOL 7) until the stream fails.
func (s *sseClient) read(body *bufio.Reader) error {
	for {
		line, err := body.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			s.line = append(s.line, line...)
			continue
		}
		if err != nil {
			return err
		}
		if len(s.line) > 0 {
			s.line = append(s.line, line...)
			line = s.line
		}
		s.field(trimEOL(line))
		if cap(s.line) > maxKeptLine {
			s.line = nil
		} else {
			s.line = s.line[:0]
		}
	}
}

// field handles one line of the event stream.
func (s *sseClient) field(line []byte) {
	switch {
	case len(line) == 0: // end of the event
		if len(s.data) > 0 {
			s.dispatch()
			s.data = s.data[:0]
		}
	case bytes.HasPrefix(line, []byte("data:")):
		s.data = append(s.data, trimSpace1(line[5:])...)
	case bytes.HasPrefix(line, []byte("id:")):
		s.lastID = append(s.lastID[:0], trimSpace1(line[3:])...)
	}
}

// dispatch records one event's data: the JSON of the WebSocket messages.
func (s *sseClient) dispatch() {
	h, err := wire.DecodeHeader(wire.JSON, s.data)
	if err != nil {
		return
	}
	s.rec.observe(&h, nowNS())
}

// close ends the stream and waits for the client's goroutine.
func (s *sseClient) close() {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.stop)
		if s.conn != nil {
			_ = s.conn.Close()
		}
	}
	s.mu.Unlock()
	<-s.done
}

// trimEOL drops a trailing "\n" or "\r\n".
func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}

// trimSpace1 drops the one space that may follow a field's colon.
func trimSpace1(b []byte) []byte { return bytes.TrimPrefix(b, []byte(" ")) }
