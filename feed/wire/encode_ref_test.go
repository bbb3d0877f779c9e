package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

// normalize converts what the reference decoders produce (msgpack's mixed
// int widths, json.Number) to int64 so that values compare with want.
func normalize(v any) any {
	switch x := v.(type) {
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case int64:
		return x
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint64:
		return int64(x)
	case json.Number:
		i, err := x.Int64()
		if err != nil {
			return "bad number " + x.String()
		}
		return i
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = normalize(x[i])
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	}
	return v
}

// refMsgpack decodes data with vmihailenco/msgpack (test only).
func refMsgpack(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	dec := msgpack.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("reference msgpack decode: %v\n% x", err, data)
	}
	if _, err := dec.PeekCode(); err == nil {
		t.Fatalf("trailing bytes after msgpack map")
	}
	return normalize(m).(map[string]any)
}

// refJSON decodes data with encoding/json (test only).
func refJSON(t *testing.T, data []byte) map[string]any {
	t.Helper()
	if !json.Valid(data) {
		t.Fatalf("invalid JSON: %s", data)
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("reference JSON decode: %v\n%s", err, data)
	}
	return normalize(m).(map[string]any)
}

func TestEncodeMatchesReference(t *testing.T) {
	for _, s := range samples() {
		t.Run(s.name, func(t *testing.T) {
			prefix := []byte("prefix")
			mp := s.msg.AppendMsgpack(append([]byte(nil), prefix...))
			if !bytes.HasPrefix(mp, prefix) {
				t.Fatalf("AppendMsgpack clobbered dst")
			}
			if got := refMsgpack(t, mp[len(prefix):]); !reflect.DeepEqual(got, s.want) {
				t.Errorf("msgpack:\n got %v\nwant %v", got, s.want)
			}
			js := s.msg.AppendJSON(append([]byte(nil), prefix...))
			if !bytes.HasPrefix(js, prefix) {
				t.Fatalf("AppendJSON clobbered dst")
			}
			if got := refJSON(t, js[len(prefix):]); !reflect.DeepEqual(got, s.want) {
				t.Errorf("json:\n got %v\nwant %v\n%s", got, s.want, js)
			}
		})
	}
}

// TestCompactInts checks the integers the encoder writes against
// vmihailenco's encoder in compact-ints mode at every size boundary: a
// signed value as a pong's ts, an unsigned one as a canceled_all's count,
// each the last value of its map.
func TestCompactInts(t *testing.T) {
	var vals []int64
	for _, b := range []int64{0, 127, 128, 255, 256, 65535, 65536, 1<<32 - 1, 1 << 32, 1<<63 - 1} {
		vals = append(vals, b, -b, b-1, -b-1, b+1, -b+1)
	}
	vals = append(vals, -32, -33, -128, -129, -32768, -32769, -1<<31, -1<<31-1, -1<<63)
	var buf bytes.Buffer
	enc := msgpack.NewEncoder(&buf)
	enc.UseCompactInts(true)
	for _, v := range vals {
		buf.Reset()
		if err := enc.EncodeInt(v); err != nil {
			t.Fatal(err)
		}
		if got := (&Pong{Ts: v}).AppendMsgpack(nil); !bytes.HasSuffix(got, buf.Bytes()) {
			t.Errorf("int %d: % x, reference % x", v, got, buf.Bytes())
		}
		if v >= 0 {
			buf.Reset()
			_ = enc.EncodeUint(uint64(v))
			if got := (&CanceledAll{Count: uint64(v)}).AppendMsgpack(nil); !bytes.HasSuffix(got, buf.Bytes()) {
				t.Errorf("uint %d: % x, reference % x", v, got, buf.Bytes())
			}
		}
	}
	buf.Reset()
	_ = enc.EncodeUint(1<<64 - 1)
	if got := (&CanceledAll{Count: 1<<64 - 1}).AppendMsgpack(nil); !bytes.HasSuffix(got, buf.Bytes()) {
		t.Errorf("uint max: % x, reference % x", got, buf.Bytes())
	}
}

// TestStringSizes checks str, array and map headers at their boundaries.
func TestStringSizes(t *testing.T) {
	for _, n := range []int{0, 31, 32, 255, 256, 65535, 65536} {
		s := string(bytes.Repeat([]byte("x"), n))
		ss := make([]string, n%1000)
		m := Subscribed{Streams: ss}
		m.Streams = append(m.Streams, s)
		got := refMsgpack(t, m.AppendMsgpack(nil))
		streams := got["streams"].([]any)
		if len(streams) != len(ss)+1 || streams[len(ss)] != s {
			t.Errorf("n=%d: round trip through reference failed", n)
		}
		var ref bytes.Buffer
		_ = msgpack.NewEncoder(&ref).EncodeString(s)
		if got := (&Error{Code: "c", Msg: s}).AppendMsgpack(nil); !bytes.HasSuffix(got, ref.Bytes()) {
			t.Errorf("string of %d bytes: header % x, reference % x", n, got[:min(5, len(got))], ref.Bytes()[:min(5, ref.Len())])
		}
	}
}

// TestJSONStringEscaping checks the strings of the JSON encoder against
// encoding/json for strings with every kind of character that needs care.
func TestJSONStringEscaping(t *testing.T) {
	cases := []string{
		"", "plain", `quote"`, `back\slash`, "nl\n cr\r tab\t", "\x00\x01\x1f\x7f",
		"ü日本🎉", "\u2028\u2029", "bad\xffutf8", "\xc3", "\xed\xa0\x80", "<>&",
	}
	for i, s := range cases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			checkJSONString(t, s)
		})
	}
}

func checkJSONString(t *testing.T, s string) {
	t.Helper()
	enc := (&Error{Code: "c", Msg: s}).AppendJSON(nil)
	if !json.Valid(enc) {
		t.Fatalf("msg %q = %s: invalid JSON", s, enc)
	}
	var got Error
	if err := json.Unmarshal(enc, &got); err != nil {
		t.Fatal(err)
	}
	// encoding/json's own round trip defines the expected value (it
	// replaces each invalid byte with U+FFFD).
	ref, _ := json.Marshal(s)
	var want string
	_ = json.Unmarshal(ref, &want)
	if got.Msg != want {
		t.Errorf("msg %q decodes to %q, want %q", s, got.Msg, want)
	}
}

func FuzzJSONString(f *testing.F) {
	f.Add("a\"b\\c\x00\u2028\xff")
	f.Fuzz(func(t *testing.T, s string) { checkJSONString(t, s) })
}
