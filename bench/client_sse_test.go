package bench

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/client/eventstream"
)

// sseBody is a de-chunked SSE body as the server sends it.
const sseBody = "retry: 2000\n\n" +
	"id: e1:10\nevent: ticker\ndata: {\"t\":\"ticker\",\"ch\":\"ticker\",\"s\":\"BTC-USD\",\"seq\":1,\"off\":10,\"last\":\"1.00\",\"ts\":%d}\n\n" +
	": hb\n\n" +
	"id: e1:12\nevent: ticker\ndata: {\"t\":\"ticker\",\"ch\":\"ticker\",\"s\":\"BTC-USD\",\"seq\":4,\"off\":12,\"last\":\"1.00\",\"ts\":%d}\r\n\r\n" +
	"id: e1:13\nevent: trade\ndata: {\"t\":\"trade\",\"ch\":\"trades\",\"s\":\"BTC-USD\",\"seq\":7,\"off\":13,\"id\":5,\"px\":\"%s\",\"qty\":\"1\",\"side\":\"buy\",\"ts\":%d}\n\n" +
	"event: oops\ndata: not a message\n\n" +
	"id: e1:14\nevent: trade\ndata: {\"t\":\"trade\",\"ch\":\"trades\",\"s\":\"BTC-USD\",\"seq\":9,\"off\":14,\"id\":6,\"px\":\"1.00\",\"qty\":\"1\",\"side\":\"buy\",\"ts\":%d}\n\n"

// TestSSERead: the SSE client records every event, long lines included,
// keeps the last event id for resume, counts what is not a message, and
// finds seq gaps and skips.
func TestSSERead(t *testing.T) {
	ts := time.Now().UnixNano()
	long := "1." + strings.Repeat("0", 3000) // a line longer than the read buffer
	body := fmt.Sprintf(sseBody, ts, ts, long, ts, ts)
	var win window
	win.on.Store(true)
	rec := newRecorder(&win, newLiveHist(), 0)
	var cn conns
	s := newSSEClient(&sseOptions{readBuffer: 256}, rec, &cn, &disconnects{}, netip.Addr{})
	r := eventstream.NewReader(strings.NewReader(body), eventstream.ReaderOptions{BufferSize: 256})
	if err := s.read(r); err != io.EOF {
		t.Fatalf("read: %v", err)
	}
	if rec.delivered != 4 || rec.hist.TotalCount() != 4 || s.malformed != 1 {
		t.Errorf("delivered %d, malformed %d; want 4 and 1", rec.delivered, s.malformed)
	}
	if rec.conflated != 2 || rec.gaps.Load() != 1 {
		t.Errorf("conflated %d gaps %d, want 2 and 1", rec.conflated, rec.gaps.Load())
	}
	if r.LastEventID() != "e1:14" {
		t.Errorf("last id %q", r.LastEventID())
	}
	for err, want := range map[error]string{io.EOF: "eof", io.ErrUnexpectedEOF: "error",
		errors.Join(eventstream.ErrIncomplete, io.EOF): "error", errors.New("reset"): "error"} {
		if got := disconnectCode(err); got != want {
			t.Errorf("disconnectCode(%v) = %q, want %q", err, got, want)
		}
	}
}

// TestSSEOptions: the request names the channels, and the symbols only
// when given.
func TestSSEOptions(t *testing.T) {
	ep := endpoints{Host: "127.0.0.1:1"}
	if o := newSSEOptions(ep, []string{"ticker"}, nil, 512); o.path != "/sse?channels=ticker" {
		t.Errorf("path %q", o.path)
	}
	if o := newSSEOptions(ep, []string{"trades", "quote"}, []string{"BTC-USD"}, 512); o.path != "/sse?channels=trades%2Cquote&symbols=BTC-USD" {
		t.Errorf("path %q", o.path)
	}
}
