package eventstream

import (
	"bufio"
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/tickcast/tickcast/feed/wire"
)

// tickerRecord is one event as tickcast's /sse sends it (docs/sse.md).
const tickerRecord = "id: emwtzt5ch5hwx:243\nevent: ticker\n" +
	`data: {"t":"ticker","ch":"ticker","s":"ETH-USD","seq":11,"off":243,"ts":1795482313102542703,"last":"3001.42","open":"3000.00","high":"3001.69","low":"3000.00","vol":"20.206","change":"0.05"}` +
	"\n\n"

// loop is an endless stream: its text over and over, in reads of at most
// step bytes.
type loop struct {
	text string
	i    int
	step int
}

func (l *loop) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && n < l.step {
		c := copy(p[n:min(len(p), l.step)], l.text[l.i:])
		n += c
		l.i = (l.i + c) % len(l.text)
	}
	return n, nil
}

// stream is a minute of a viewer's stream: events and a heartbeat.
var stream = strings.Repeat(tickerRecord, 15) + ": hb\n\n"

// TestReadAllocs: reading events whose lines fit the buffer allocates
// nothing once the buffers have grown.
func TestReadAllocs(t *testing.T) {
	r := NewReader(&loop{text: stream, step: 1500}, ReaderOptions{BufferSize: 1024})
	for range 100 { // warm up: the buffers reach their size
		if _, err := r.Read(); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	allocs := testing.AllocsPerRun(1000, func() {
		k, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		if k == KindEvent {
			n += len(r.Data())
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per record, want 0", allocs)
	}
	if n == 0 {
		t.Fatal("no event read")
	}
}

// BenchmarkRead compares, on the same stream and in the same run, the
// Reader with the SSE parser tickbench had before it (legacyParser: LF-only
// lines from a bufio.Reader, no UTF-8 decoding, no event type), each with
// tickbench's 1 KiB buffer, in reads as a socket gives them; "+header"
// adds the header decode tickbench then makes of every event. One op is
// one event.
func BenchmarkRead(b *testing.B) {
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
			r := NewReader(&loop{text: stream, step: 1500}, ReaderOptions{BufferSize: 1024})
			b.ReportAllocs()
			b.SetBytes(int64(len(tickerRecord)))
			for n := 0; n < b.N; {
				k, err := r.Read()
				if err != nil {
					b.Fatal(err)
				}
				if k == KindEvent {
					handle.f(r.Data())
					n++
				}
			}
		})
		b.Run("legacy"+handle.name, func(b *testing.B) {
			p := &legacyParser{br: bufio.NewReaderSize(&loop{text: stream, step: 1500}, 1024)}
			b.ReportAllocs()
			b.SetBytes(int64(len(tickerRecord)))
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

// legacyParser is tickbench's SSE parser before this package
// (bench/client_sse.go at 1118386), kept as the benchmark's baseline.
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
