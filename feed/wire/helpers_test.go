package wire

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

// jsonToMsgpack converts a JSON text to msgpack with vmihailenco's encoder
// (compact ints), for feeding the same test input in both formats. JSON
// integers become integers, other numbers float64.
func jsonToMsgpack(t testing.TB, s string) []byte {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("jsonToMsgpack(%s): %v", s, err)
	}
	var buf bytes.Buffer
	enc := msgpack.NewEncoder(&buf)
	enc.UseCompactInts(true)
	enc.SetSortMapKeys(true)
	if err := enc.Encode(numbersToInts(v)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func numbersToInts(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		if u, err := parseUint(x.String()); err == nil {
			return u
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = numbersToInts(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = numbersToInts(x[k])
		}
	}
	return v
}

func parseUint(s string) (uint64, error) {
	var u uint64
	err := json.Unmarshal([]byte(s), &u)
	return u, err
}
