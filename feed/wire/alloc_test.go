package wire

import "testing"

// The encoders run once per event on the server's hot path and
// DecodeHeader once per message in the benchmark client: neither may
// allocate (beyond growing dst, which these tests pre-size).
func TestEncodersDoNotAllocate(t *testing.T) {
	for _, s := range samples() {
		buf := make([]byte, 0, 4096)
		for _, f := range formats {
			n := testing.AllocsPerRun(100, func() { buf = Append(f, buf[:0], s.msg) })
			if n != 0 {
				t.Errorf("%s/%v: %.1f allocs per encode", s.name, f, n)
			}
		}
	}
}

func TestOpEncodersDoNotAllocate(t *testing.T) {
	for _, c := range opSamples() {
		buf := make([]byte, 0, 4096)
		for _, f := range formats {
			n := testing.AllocsPerRun(100, func() { buf = AppendOp(f, buf[:0], c.op) })
			if n != 0 {
				t.Errorf("%s/%v: %.1f allocs per encode", c.name, f, n)
			}
		}
	}
}

func TestDecodeHeaderDoesNotAllocate(t *testing.T) {
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
