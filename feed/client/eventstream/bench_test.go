package eventstream

import (
	"strings"
	"testing"
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

// BenchmarkRead parses a ticker stream through a 1 KiB buffer (tickbench's
// default), in reads as a socket gives them.
func BenchmarkRead(b *testing.B) {
	r := NewReader(&loop{text: stream, step: 1500}, ReaderOptions{BufferSize: 1024})
	b.ReportAllocs()
	b.SetBytes(int64(len(tickerRecord)))
	events := 0
	for events < b.N {
		k, err := r.Read()
		if err != nil {
			b.Fatal(err)
		}
		if k == KindEvent {
			events++
		}
	}
}
