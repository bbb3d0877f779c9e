package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// load is what every viewer of one run reports into.
type load struct {
	connect   hist // dial start → "retry:" record read
	latency   hist // receive time − ts, events received in the window
	measuring atomic.Bool
	events    atomic.Uint64 // events received in the window
	badEvents atomic.Uint64 // events without a parsable ts or with a bad shape
	ended     atomic.Int64  // streams that ended before the run stopped them
	cleanEnd  atomic.Int64  // streams that ended with a clean end of body
	stopping  atomic.Bool
}

// viewer is one SSE connection.
type viewer struct {
	conn net.Conn
	br   *bufio.Reader
}

var dataPrefix = []byte("data: ")
var tsKey = []byte(`"ts":`)

// dial connects from local (a loopback address), sends GET target and
// reads up to the retry record.
func dial(ctx context.Context, addr string, local net.IP, target string, l *load) (*viewer, error) {
	t0 := time.Now()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: local}, Timeout: 30 * time.Second}
	conn, err := d.DialContext(ctx, "tcp4", addr)
	if err != nil {
		return nil, err
	}
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n\r\n", target, addr); err != nil {
		conn.Close()
		return nil, err
	}
	br := bufio.NewReaderSize(conn, 4096)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		conn.Close()
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		conn.Close()
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	v := &viewer{conn: conn, br: bufio.NewReaderSize(resp.Body, 4096)}
	line, err := v.br.ReadSlice('\n')
	if err != nil || !bytes.HasPrefix(line, []byte("retry: ")) {
		conn.Close()
		return nil, fmt.Errorf("first line %q: %v", line, err)
	}
	_ = conn.SetDeadline(time.Time{})
	l.connect.add(time.Since(t0))
	return v, nil
}

// run reads events until the connection ends. An event is the lines up to
// a blank line; its data line is one line of JSON (PROTOCOL 7) whose ts
// gives the latency. Comments (": hb") are skipped.
func (v *viewer) run(l *load) {
	var hasID, hasEvent bool
	var ts int64 = -1
	for {
		line, err := v.br.ReadSlice('\n')
		if err != nil {
			if !l.stopping.Load() {
				l.ended.Add(1)
			}
			if errors.Is(err, io.EOF) {
				l.cleanEnd.Add(1)
			}
			return
		}
		now := time.Now()
		line = line[:len(line)-1]
		switch {
		case len(line) == 0: // end of an event (or of the retry record)
			if ts >= 0 || hasID || hasEvent {
				if l.measuring.Load() {
					if ts < 0 || !hasEvent {
						l.badEvents.Add(1)
					} else {
						l.latency.add(now.Sub(time.Unix(0, ts)))
						l.events.Add(1)
					}
				}
			}
			hasID, hasEvent, ts = false, false, -1
		case line[0] == ':':
		case bytes.HasPrefix(line, dataPrefix):
			ts = parseTS(line)
		case bytes.HasPrefix(line, []byte("id: ")):
			hasID = true
		case bytes.HasPrefix(line, []byte("event: ")):
			hasEvent = true
		}
	}
}

// parseTS finds "ts": in a data line and returns its value, or -1.
func parseTS(line []byte) int64 {
	i := bytes.Index(line, tsKey)
	if i < 0 {
		return -1
	}
	var n int64
	digits := 0
	for _, c := range line[i+len(tsKey):] {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int64(c-'0')
		digits++
	}
	if digits == 0 || digits > 19 {
		return -1
	}
	return n
}
