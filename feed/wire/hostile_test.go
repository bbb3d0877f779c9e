package wire

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// Inputs that declare huge lengths in a few bytes. Each must be refused
// without allocating anything near the declared size.
func hostileMsgpack() map[string][]byte {
	fix := func(s string) []byte { return append([]byte{0xa0 | byte(len(s))}, s...) }
	cat := func(parts ...[]byte) []byte {
		var out []byte
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	huge32 := []byte{0xff, 0xff, 0xff, 0xff}
	opPing := cat(fix("op"), fix("ping"))
	opSub := cat(fix("op"), fix("subscribe"))
	deep := append([]byte{0x82}, opPing...)
	deep = append(deep, fix("x")...)
	deep = append(deep, []byte(strings.Repeat("\x91", 60000))...)
	deep = append(deep, 0x01)
	return map[string][]byte{
		"top map32":        cat([]byte{mpMap32}, huge32),
		"channels array32": cat([]byte{0x82}, opSub, fix("channels"), []byte{mpArr32}, huge32),
		"symbols array16":  cat([]byte{0x82}, opSub, fix("symbols"), []byte{mpArr16, 0xff, 0xff}),
		"since map32":      cat([]byte{0x82}, opSub, fix("since"), []byte{mpMap32}, huge32),
		"token str32":      cat([]byte{0x82}, cat(fix("op"), fix("auth")), fix("token"), []byte{mpStr32}, huge32, []byte("abc")),
		"skip str32":       cat([]byte{0x82}, opPing, fix("x"), []byte{mpStr32}, huge32, []byte("abc")),
		"skip bin32":       cat([]byte{0x82}, opPing, fix("x"), []byte{mpBin32}, huge32, []byte("abc")),
		"skip ext32":       cat([]byte{0x82}, opPing, fix("x"), []byte{mpExt32}, huge32, []byte{1, 2, 3}),
		"skip array32":     cat([]byte{0x82}, opPing, fix("x"), []byte{mpArr32}, huge32, []byte{1, 2, 3}),
		"skip map32":       cat([]byte{0x82}, opPing, fix("x"), []byte{mpMap32}, huge32, []byte{1, 2, 3}),
		"key str32":        cat([]byte{0x82}, opPing, []byte{mpStr32}, huge32, []byte{1}),
		"op str32":         cat([]byte{0x81}, fix("op"), []byte{mpStr32}, huge32),
		"deep nesting":     deep,
		"book levels":      cat([]byte{0x82}, fix("t"), fix("book"), fix("bids"), []byte{mpArr32}, huge32, []byte{0x92}),
		"level str32":      cat([]byte{0x82}, fix("t"), fix("book"), fix("bids"), []byte{0x91, 0x92, mpStr32}, huge32),
		"balances map32":   cat([]byte{0x82}, fix("t"), fix("account"), fix("balances"), []byte{mpMap32}, huge32),
		"streams array32":  cat([]byte{0x82}, fix("t"), fix("subscribed"), fix("streams"), []byte{mpArr32}, huge32),
	}
}

func hostileJSON() map[string][]byte {
	return map[string][]byte{
		"deep nesting":  []byte(`{"op":"ping","x":` + strings.Repeat("[", 60000) + strings.Repeat("]", 60000) + `}`),
		"long number":   []byte(`{"op":"ping","id":` + strings.Repeat("9", 60000) + `}`),
		"many channels": []byte(`{"op":"subscribe","channels":[` + strings.Repeat(`"a",`, 10000) + `"a"],"symbols":["A"]}`),
		"many since":    manySince(),
		"escapes":       []byte(`{"op":"auth","token":"` + strings.Repeat(`\u00fc`, 10000) + `"}`),
		"unterminated":  []byte(`{"op":"auth","token":"` + strings.Repeat("a", 60000)),
	}
}

// allocBytes returns the bytes allocated per call of fn.
func allocBytes(fn func()) uint64 {
	fn() // warm pools
	const runs = 20
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range runs {
		fn()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / runs
}

func TestHostileLengthsDoNotAllocate(t *testing.T) {
	const bound = 4096 // bytes per call, far below any declared length
	for name, data := range hostileMsgpack() {
		t.Run("msgpack/"+name, func(t *testing.T) {
			if _, err := DecodeOp(MsgPack, data); err == nil && !strings.HasPrefix(name, "book") {
				t.Errorf("DecodeOp accepted hostile input")
			}
			if n := allocBytes(func() { _, _ = DecodeOp(MsgPack, data) }); n > bound {
				t.Errorf("DecodeOp allocated %d bytes per call", n)
			}
			if n := allocBytes(func() { _, _ = Decode(MsgPack, data) }); n > bound {
				t.Errorf("Decode allocated %d bytes per call", n)
			}
			if n := allocBytes(func() { _, _ = DecodeHeader(MsgPack, data) }); n > bound {
				t.Errorf("DecodeHeader allocated %d bytes per call", n)
			}
		})
	}
	for name, data := range hostileJSON() {
		t.Run("json/"+name, func(t *testing.T) {
			if _, err := DecodeOp(JSON, data); err == nil {
				t.Errorf("DecodeOp accepted hostile input")
			}
			// Real elements cost real memory: the since map holds up to
			// MaxSince keys (about 100 bytes each with the map's own
			// overhead); the limit stops it there.
			limit := uint64(bound)
			if name == "many since" {
				limit += MaxSince * 128
			}
			if n := allocBytes(func() { _, _ = DecodeOp(JSON, data) }); n > limit {
				t.Errorf("DecodeOp allocated %d bytes per call", n)
			}
		})
	}
}

func manySince() []byte {
	var b strings.Builder
	b.WriteString(`{"op":"subscribe","channels":["a"],"symbols":["A"],"since":{`)
	for i := range 3000 {
		fmt.Fprintf(&b, `"t:S%d":1,`, i)
	}
	b.WriteString(`"a:A":1}}`)
	return []byte(b.String())
}

// TestDecodeChecksListsFirst: a list whose elements are not what the type
// needs is refused before the msgpack library allocates the list at its
// declared length (60,000 one-byte elements would make 1.9 MB of levels).
func TestDecodeChecksListsFirst(t *testing.T) {
	fix := func(s string) []byte { return append([]byte{0xa0 | byte(len(s))}, s...) }
	const n = 60000
	for name, list := range map[string][]byte{"bids": fix("book"), "streams": fix("subscribed")} {
		data := append([]byte{0x82, 0xa1, 't'}, list...)
		data = append(append(data, fix(name)...), mpArr16, n>>8, n&0xff)
		data = append(data, make([]byte, n)...) // n zeros: fixints
		if _, err := Decode(MsgPack, data); err == nil {
			t.Fatalf("%s: decoded", name)
		}
		if b := allocBytes(func() { _, _ = Decode(MsgPack, data) }); b > 4096 {
			t.Errorf("%s: Decode allocated %d bytes per call", name, b)
		}
	}
}
