package ssetest

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

// Options of Dial.
type Options struct {
	// Header holds extra request headers: Last-Event-ID, Origin …
	Header http.Header
	// LocalAddr, if set, is the source address (e.g. 127.0.0.2:0).
	LocalAddr net.Addr
	// Timeout bounds connecting and reading the response header; default
	// 10 s. The body has no deadline.
	Timeout time.Duration
	// ReadBuffer, if positive, sets the socket's receive buffer before
	// connecting (a small one makes a slow viewer quickly).
	ReadBuffer int
}

// Stream is one open response. For a 200 the Reader parses its body; for
// anything else read Body.
type Stream struct {
	Conn net.Conn
	Resp *http.Response
	Body io.Reader
	*Reader
}

// Dial sends GET target (e.g. "/sse?channels=trades") to addr over a new
// TCP connection and reads the response header. A non-200 answer is not an
// error: look at Resp.StatusCode.
func Dial(ctx context.Context, addr, target string, o Options) (*Stream, error) {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	d := net.Dialer{Timeout: o.Timeout, LocalAddr: o.LocalAddr}
	if o.ReadBuffer > 0 {
		d.Control = setRcvBuf(o.ReadBuffer)
	}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	_ = conn.SetDeadline(time.Now().Add(o.Timeout))
	var b strings.Builder
	fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n", target, addr)
	for k, vs := range o.Header {
		for _, v := range vs {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("\r\n")
	if _, err := io.WriteString(conn, b.String()); err != nil {
		conn.Close()
		return nil, err
	}
	br := bufio.NewReaderSize(conn, 16<<10)
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+target, nil)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("ssetest: response header: %w", err)
	}
	_ = conn.SetDeadline(time.Time{})
	s := &Stream{Conn: conn, Resp: resp, Body: resp.Body}
	s.Reader = NewReader(resp.Body)
	// Like an EventSource that reconnects: its last event ID is the one it
	// sent until an event with an id changes it.
	for k, v := range o.Header { // keys as given, not canonicalized
		if strings.EqualFold(k, "Last-Event-ID") && len(v) > 0 {
			s.LastID = v[0]
		}
	}
	return s, nil
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
