package eventstream

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// DialOptions configures Dial; the zero value means the defaults.
type DialOptions struct {
	// Header holds extra request headers: Last-Event-ID, Origin …
	// A Last-Event-ID also becomes the Reader's last event ID, as in an
	// EventSource that reconnects.
	Header http.Header
	// LocalAddr, if set, is the source address (e.g. 127.0.0.2:0).
	LocalAddr net.Addr
	// Timeout bounds connecting and reading the response header; default
	// 10 s. The body has no deadline.
	Timeout time.Duration
	// ReceiveBuffer, if positive, sets the socket's receive buffer
	// (SO_RCVBUF) before connecting: a small one makes a slow viewer
	// quickly.
	ReceiveBuffer int
	// BufferSize is the size of each of the stream's two read buffers
	// (the connection's, which also de-chunks the body, and the
	// Reader's); default 4096.
	BufferSize int
	// MaxEventSize bounds a line and an event's data; default 16 MiB.
	MaxEventSize int
}

// DefaultTimeout is Dial's default for DialOptions.Timeout.
const DefaultTimeout = 10 * time.Second

// Stream is one open response. For a 200 its Reader parses the body; for
// anything else read Body (tickcast answers errors with JSON).
type Stream struct {
	// Conn is the TCP connection; closing it ends the stream.
	Conn net.Conn
	// Resp is the response, header read and body unread.
	Resp *http.Response
	// Body is the response body, de-chunked.
	Body io.Reader
	*Reader
}

// Dial sends GET target (e.g. "/sse?channels=trades") to addr (host:port)
// over a new TCP connection, as HTTP/1.1, and reads the response header.
// A non-200 answer is not an error: look at Resp.StatusCode. Cancelling
// ctx aborts the connect and the header read.
func Dial(ctx context.Context, addr, target string, o DialOptions) (*Stream, error) {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.BufferSize <= 0 {
		o.BufferSize = DefaultBufferSize
	}
	d := net.Dialer{Timeout: o.Timeout, LocalAddr: o.LocalAddr}
	if o.ReceiveBuffer > 0 {
		d.Control = setRcvBuf(o.ReceiveBuffer)
	}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	resp, err := request(ctx, conn, addr, target, o)
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	s := &Stream{Conn: conn, Resp: resp, Body: resp.Body}
	s.Reader = NewReader(resp.Body, ReaderOptions{BufferSize: o.BufferSize, MaxEventSize: o.MaxEventSize})
	for k, v := range o.Header { // keys as given, not canonicalized
		if strings.EqualFold(k, "Last-Event-ID") && len(v) > 0 {
			s.SetLastEventID(v[0])
		}
	}
	return s, nil
}

// request writes the request on conn and reads the response header, both
// within o.Timeout and until ctx is done.
func request(ctx context.Context, conn net.Conn, addr, target string, o DialOptions) (*http.Response, error) {
	_ = conn.SetDeadline(time.Now().Add(o.Timeout))
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	var b strings.Builder
	fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n", target, addr)
	for k, vs := range o.Header {
		for _, v := range vs {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("\r\n")
	var resp *http.Response
	_, err := io.WriteString(conn, b.String())
	if err == nil {
		resp, err = http.ReadResponse(bufio.NewReaderSize(conn, o.BufferSize), nil)
		if err != nil {
			err = fmt.Errorf("eventstream: response header: %w", err)
		}
	}
	if !stop() {
		return nil, context.Cause(ctx)
	}
	if err != nil {
		return nil, err
	}
	_ = conn.SetDeadline(time.Time{})
	return resp, nil
}

// Close closes the connection.
func (s *Stream) Close() error { return s.Conn.Close() }

// NextEvent returns the next event, skipping comments and retry fields.
func (s *Stream) NextEvent() (Record, error) {
	for {
		rec, err := s.Next()
		if err != nil || rec.Kind == KindEvent {
			return rec, err
		}
	}
}
