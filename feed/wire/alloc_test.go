package wire

import "testing"

// Encoding runs once per event, not per subscriber (the hub shares the
// bytes), so the libraries may allocate, a few times per message: msgpack's
// omitempty boxes each optional field to test it, an ID is boxed by both
// libraries, and a JSON book level or balance builds its own bytes. The
// market messages without optional keys do not allocate at all, and no
// sample may allocate more than maxEncodeAllocs times.
const maxEncodeAllocs = 16

var zeroAllocMessages = map[string]bool{
	"trade": true, "trade_bigints": true, "ticker": true, "candle": true, "candle_closed": true,
	"fill": true, "welcome": true, "reset": true,
}

func TestEncodeAllocs(t *testing.T) {
	skipUnderRace(t)
	for _, s := range samples() {
		buf := make([]byte, 0, 4096)
		for _, f := range formats {
			n := testing.AllocsPerRun(100, func() { buf = Append(f, buf[:0], s.msg) })
			if n > maxEncodeAllocs || zeroAllocMessages[s.name] && n != 0 {
				t.Errorf("%s/%v: %.1f allocs per encode", s.name, f, n)
			}
		}
	}
	// A book delta with both sides set, the most frequent message, in
	// msgpack, the default format.
	b := make([]byte, 0, 256)
	if n := testing.AllocsPerRun(100, func() { b = benchDelta.AppendMsgpack(b[:0]) }); n != 0 {
		t.Errorf("book delta: %.1f allocs per msgpack encode", n)
	}
}

func TestOpEncodeAllocs(t *testing.T) {
	skipUnderRace(t)
	for _, c := range opSamples() {
		buf := make([]byte, 0, 4096)
		for _, f := range formats {
			n := testing.AllocsPerRun(100, func() { buf = AppendOp(f, buf[:0], c.op) })
			if n > maxEncodeAllocs {
				t.Errorf("%s/%v: %.1f allocs per encode", c.name, f, n)
			}
		}
	}
}

// DecodeHeader runs once per message in the benchmark client: it must not
// allocate.
func TestDecodeHeaderDoesNotAllocate(t *testing.T) {
	skipUnderRace(t)
	for _, s := range samples() {
		for _, f := range formats {
			data := Append(f, nil, s.msg)
			if _, err := DecodeHeader(f, data); err != nil { // warm the intern table
				t.Fatal(err)
			}
			n := testing.AllocsPerRun(100, func() { _, _ = DecodeHeader(f, data) })
			if n != 0 {
				t.Errorf("%s/%v: %.1f allocs per DecodeHeader", s.name, f, n)
			}
		}
	}
}

// skipUnderRace skips a test that counts allocations of pooled objects.
func skipUnderRace(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
}
