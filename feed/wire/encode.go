package wire

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/vmihailenco/msgpack/v5"
)

// Encoding is left to the libraries: vmihailenco/msgpack with compact
// integers and encoding/json without HTML escaping, both reading the json
// tags, so each type lists its keys once and both formats have them in the
// same order (field order). The type key ("t" or "op") is not a field: the
// struct is encoded as a map without it and the key is spliced in front.

// appendWriter appends what the encoders write (msgpack's encoder writes
// single bytes through WriteByte when the writer has it).
type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }
func (w *appendWriter) WriteByte(c byte) error      { w.b = append(w.b, c); return nil }

// encoder is a pair of library encoders, set up once (msgpack's Reset
// would clear the options) and pooled.
type encoder struct {
	w   appendWriter
	mp  *msgpack.Encoder
	js  *json.Encoder
	buf []byte // the struct's map, before the type key is spliced in
}

var encoders = sync.Pool{New: func() any {
	e := new(encoder)
	e.mp = msgpack.NewEncoder(&e.w)
	e.mp.UseCompactInts(true)
	e.mp.SetCustomStructTag("json")
	e.js = json.NewEncoder(&e.w)
	e.js.SetEscapeHTML(false)
	return e
}}

// maxPooledBuf bounds the buffer a pooled encoder keeps.
const maxPooledBuf = 64 << 10

// appendTyped appends v, a pointer to one of the package's structs, as one
// map in format f whose first entry is key: typ.
func appendTyped(f Format, dst []byte, key, typ string, v any) []byte {
	v = withEmptySlices(v)
	e := encoders.Get().(*encoder)
	e.w.b = e.buf[:0]
	var err error
	if f == JSON {
		err = e.js.Encode(v)
	} else {
		err = e.mp.Encode(v)
	}
	if err != nil { // strings, integers, booleans and infallible custom encoders
		panic(fmt.Sprintf("wire: encoding %T: %v", v, err))
	}
	body := e.w.b
	e.w.b = dst
	if f == JSON {
		e.w.b = append(append(append(e.w.b, `{"`...), key...), `":`...)
		e.quote(typ)
		if obj := body[1 : len(body)-1]; len(obj) > 1 { // body is {…}\n
			e.w.b = append(e.w.b, ',')
			e.w.b = append(e.w.b, obj...)
		} else {
			e.w.b = append(e.w.b, '}')
		}
	} else {
		s := mpScan{b: body}
		n, _ := s.length(mapHeader) // a map the library just wrote
		_ = e.mp.EncodeMapLen(n + 1)
		_ = e.mp.EncodeString(key)
		_ = e.mp.EncodeString(typ)
		e.w.b = append(e.w.b, body[s.p:]...)
	}
	dst = e.w.b
	if cap(body) <= maxPooledBuf {
		e.buf = body[:0]
	}
	e.w.b = nil
	encoders.Put(e)
	return dst
}

// quote appends typ as a JSON string: the protocol's names are copied, as
// boxing one for Encode costs an allocation per message (1 → 0 allocs/op in
// BenchmarkAppendTradeJSON; alloc_test.go), other text (the type of an
// Unknown) is escaped by the library.
func (e *encoder) quote(typ string) {
	for i := 0; i < len(typ); i++ {
		if c := typ[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			_ = e.js.Encode(typ)
			e.w.b = e.w.b[:len(e.w.b)-1] // the newline Encode ends with
			return
		}
	}
	e.w.b = append(append(append(e.w.b, '"'), typ...), '"')
}
