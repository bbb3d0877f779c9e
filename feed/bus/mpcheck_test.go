package bus_test

import (
	"bytes"
	"errors"
	"runtime"
	"testing"

	"github.com/tickcast/tickcast/feed/bus"
	"github.com/tickcast/tickcast/internal/testkit"
)

// TestCheckMsgpack: the check accepts what the codec writes and refuses
// lengths beyond the input, trailing bytes and truncation.
func TestCheckMsgpack(t *testing.T) {
	good := testkit.SampleBatch(t)
	if err := bus.CheckMsgpack(good); err != nil {
		t.Fatalf("refused a valid document: %v", err)
	}
	for name, b := range map[string][]byte{
		"array32 of 2^32-1":  {0xdd, 0xff, 0xff, 0xff, 0xff, 0x01},
		"map16 beyond input": {0xde, 0x10, 0x00, 0x01, 0x01},
		"str32 beyond input": {0xdb, 0x00, 0x10, 0x00, 0x00, 'a'},
		"trailing":           append(append([]byte(nil), good...), 0x01),
		"truncated":          good[:len(good)-1],
		"never used":         {0xc1},
		"empty":              nil,
	} {
		if err := bus.CheckMsgpack(b); !errors.Is(err, bus.ErrBadMsgpack) {
			t.Errorf("%s: %v, want ErrBadMsgpack", name, err)
		}
	}
}

// TestUnmarshalBatchDeclaredLengths: a few bytes that declare a huge
// array, at the top or inside an event, are refused before the msgpack
// library allocates what they declare. Before UnmarshalBatch checked its
// input itself, the first of these made it allocate 32 GiB (it relied on
// its one caller, the cluster's edge, to check first).
func TestUnmarshalBatchDeclaredLengths(t *testing.T) {
	for name, b := range map[string][]byte{
		"2^31-1 events":             {0xdd, 0x7f, 0xff, 0xff, 0xff},
		"2^20 events":               {0xdd, 0x00, 0x10, 0x00, 0x00},
		"2^20 balances in an event": append([]byte{0x91, 0x81, 0xa8}, append([]byte("Balances"), 0xdd, 0x00, 0x10, 0x00, 0x00)...),
		"2^20 bids in a book":       append([]byte{0x91, 0x81, 0xa4}, append([]byte("Book"), 0x81, 0xa4, 'B', 'i', 'd', 's', 0xdd, 0x00, 0x10, 0x00, 0x00)...),
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := bus.UnmarshalBatch(b)
		runtime.ReadMemStats(&after)
		if !errors.Is(err, bus.ErrBadMsgpack) {
			t.Errorf("%s: %v, want ErrBadMsgpack", name, err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 64<<10 {
			t.Errorf("%s: %d bytes allocated for a %d-byte input", name, n, len(b))
		}
	}
}

// FuzzUnmarshalBatch: any bytes are refused or decoded, never a panic;
// what decodes encodes again to bytes that decode to the same encoding;
// and decoding allocates at most a bounded multiple of the input.
func FuzzUnmarshalBatch(f *testing.F) {
	f.Add(testkit.SampleBatch(f))
	f.Add([]byte{0x90})
	f.Add([]byte{0x91, 0xc0})
	f.Add([]byte{0xdd, 0x7f, 0xff, 0xff, 0xff})
	f.Add(append([]byte{0x91, 0x81, 0xa8}, append([]byte("Balances"), 0xdc, 0x00, 0x03, 0xc0, 0xc0, 0xc0)...))
	f.Fuzz(func(t *testing.T, b []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		batch, err := bus.UnmarshalBatch(b)
		runtime.ReadMemStats(&after)
		// The library's own overhead (decoder, reflection caches) plus
		// the largest element a byte can stand for (a Balance, 48 bytes).
		if n := after.TotalAlloc - before.TotalAlloc; n > 256<<10+64*uint64(len(b)) {
			t.Fatalf("%d bytes allocated decoding %d bytes", n, len(b))
		}
		if err != nil {
			return
		}
		again, err := bus.MarshalBatch(nil, batch)
		if err != nil {
			return // a decoded value the encoder refuses (a nil payload of a kind) is not the codec's output
		}
		back, err := bus.UnmarshalBatch(again)
		if err != nil {
			t.Fatalf("re-encoded batch refused: %v", err)
		}
		third, err := bus.MarshalBatch(nil, back)
		if err != nil || !bytes.Equal(third, again) {
			t.Fatalf("encode(decode(x)) is not stable: %v", err)
		}
	})
}
