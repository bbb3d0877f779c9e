package bench

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/client/eventstream"
	"github.com/tickcast/tickcast/feed/wire"
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

// tickerStream is a viewer's stream as tickcast sends it (docs/sse.md):
// tickers and a heartbeat.
var tickerStream = strings.Repeat("id: emwtzt5ch5hwx:243\nevent: ticker\n"+
	`data: {"t":"ticker","ch":"ticker","s":"ETH-USD","seq":11,"off":243,"ts":1795482313102542703,"last":"3001.42","open":"3000.00","high":"3001.69","low":"3000.00","vol":"20.206","change":"0.05"}`+
	"\n\n", 15) + ": hb\n\n"

// endless reads text over and over, at most step bytes a read, as a
// socket hands them out.
type endless struct {
	text string
	i    int
	step int
}

func (e *endless) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && n < e.step {
		c := copy(p[n:min(len(p), e.step)], e.text[e.i:])
		n += c
		e.i = (e.i + c) % len(e.text)
	}
	return n, nil
}

// BenchmarkSSEParse compares, on the same stream and in the same run,
// the event-stream parser tickbench uses (feed/client/eventstream) with
// the one it had before (legacyParser: LF-only lines from a bufio.Reader,
// no UTF-8 decoding, no event type), each with tickbench's 1 KiB buffer;
// "+header" adds the header decode every event then gets. One op is one
// event.
func BenchmarkSSEParse(b *testing.B) {
	var sink int64
	header := func(data []byte) {
		if h, err := wire.DecodeHeader(wire.JSON, data); err == nil {
			sink += h.Ts
		}
	}
	count := func(data []byte) { sink += int64(len(data)) }
	for _, handle := range []struct {
		name string
		f    func([]byte)
	}{{"", count}, {"+header", header}} {
		b.Run("eventstream"+handle.name, func(b *testing.B) {
			r := eventstream.NewReader(&endless{text: tickerStream, step: 1500}, eventstream.ReaderOptions{BufferSize: 1024})
			b.ReportAllocs()
			for n := 0; n < b.N; {
				k, err := r.Read()
				if err != nil {
					b.Fatal(err)
				}
				if k == eventstream.KindEvent {
					handle.f(r.Data())
					n++
				}
			}
		})
		b.Run("legacy"+handle.name, func(b *testing.B) {
			p := &legacyParser{br: bufio.NewReaderSize(&endless{text: tickerStream, step: 1500}, 1024)}
			b.ReportAllocs()
			for range b.N {
				data, err := p.next()
				if err != nil {
					b.Fatal(err)
				}
				handle.f(data)
			}
		})
	}
	if sink == 0 {
		b.Fatal("nothing read")
	}
}

// legacyParser is tickbench's SSE parser before feed/client/eventstream
// (bench/client_sse.go at 1118386), kept here as the benchmark's
// baseline.
type legacyParser struct {
	br     *bufio.Reader
	lastID []byte
	data   []byte
	line   []byte
}

// next returns the next event's data.
func (s *legacyParser) next() ([]byte, error) {
	for {
		line, err := s.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			s.line = append(s.line, line...)
			continue
		}
		if err != nil {
			return nil, err
		}
		if len(s.line) > 0 {
			s.line = append(s.line, line...)
			line = s.line
		}
		line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
		done := false
		switch {
		case len(line) == 0:
			done = len(s.data) > 0
		case bytes.HasPrefix(line, []byte("data:")):
			s.data = append(s.data, bytes.TrimPrefix(line[5:], []byte(" "))...)
		case bytes.HasPrefix(line, []byte("id:")):
			s.lastID = append(s.lastID[:0], bytes.TrimPrefix(line[3:], []byte(" "))...)
		}
		if cap(s.line) > 16<<10 {
			s.line = nil
		} else {
			s.line = s.line[:0]
		}
		if done {
			data := s.data
			s.data = s.data[:0]
			return data, nil
		}
	}
}
