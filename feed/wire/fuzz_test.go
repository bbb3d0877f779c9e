package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

func seedOps(f *testing.F, format Format) {
	for _, s := range opSamples() {
		f.Add(AppendOp(format, nil, s.op))
	}
	var hostile map[string][]byte
	if format == MsgPack {
		hostile = hostileMsgpack()
	} else {
		hostile = hostileJSON()
	}
	for _, h := range hostile {
		if len(h) < 1000 {
			f.Add(h)
		}
	}
}

// checkOp is the property every DecodeOp result must satisfy.
func checkOp(t *testing.T, format Format, data []byte) {
	op, err := DecodeOp(format, data)
	if err != nil {
		var oe *OpError
		if !errors.As(err, &oe) {
			t.Fatalf("error is not an *OpError: %v", err)
		}
		if oe.Msg == "" || (oe.Code != CodeBadRequest && oe.Code != CodeUnknownOp) {
			t.Fatalf("bad OpError %+v", oe)
		}
		if oe.ID.Valid && oe.ID.Value > MaxID {
			t.Fatalf("id out of range: %+v", oe)
		}
		if (oe.Reason != "") != (op != nil) {
			t.Fatalf("op %v returned with error %+v", op, oe)
		}
		return
	}
	if format == JSON && !json.Valid(data) {
		t.Fatalf("accepted invalid JSON %q", data)
	}
	// Re-encoding reaches a fixpoint after one round.
	op2, err := DecodeOp(format, AppendOp(format, nil, op))
	if err != nil {
		t.Fatalf("re-encoded %+v does not decode: %v", op, err)
	}
	op3, err := DecodeOp(format, AppendOp(format, nil, op2))
	if err != nil || !reflect.DeepEqual(op2, op3) {
		t.Fatalf("round trip: %+v != %+v (%v)", op2, op3, err)
	}
}

func FuzzDecodeOpMsgpack(f *testing.F) {
	seedOps(f, MsgPack)
	f.Fuzz(func(t *testing.T, data []byte) { checkOp(t, MsgPack, data) })
}

func FuzzDecodeOpJSON(f *testing.F) {
	seedOps(f, JSON)
	f.Add([]byte(`{"op":"order","cid":"c","s":"A","side":"x","type":"limit","qty":"1"}`))
	f.Add([]byte(`{"op":"subscribe","channels":["a\ud83c\udf89"],"symbols":["\u0041"],"since":{"a:b":1}}`))
	f.Fuzz(func(t *testing.T, data []byte) { checkOp(t, JSON, data) })
}

func seedMessages(f *testing.F) {
	for _, s := range samples() {
		f.Add(byte(MsgPack), s.msg.AppendMsgpack(nil))
		f.Add(byte(JSON), s.msg.AppendJSON(nil))
	}
	for _, g := range goldens {
		f.Add(byte(JSON), []byte(g.json))
	}
	for _, h := range hostileMsgpack() {
		if len(h) < 1000 {
			f.Add(byte(MsgPack), h)
		}
	}
}

// FuzzDecode: Decode never panics; what it accepts DecodeHeader accepts
// with the same kind, and re-encoding is stable.
func FuzzDecode(f *testing.F) {
	seedMessages(f)
	f.Fuzz(func(t *testing.T, fb byte, data []byte) {
		format := Format(fb % 2)
		m, err := Decode(format, data)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		h, err := DecodeHeader(format, data)
		if err != nil || h.Kind != m.Kind() {
			t.Fatalf("DecodeHeader disagrees: %+v %v for %T", h, err, m)
		}
		enc := Append(format, nil, m)
		m2, err := Decode(format, enc)
		if err != nil {
			t.Fatalf("re-encoded %+v does not decode: %v", m, err)
		}
		if enc2 := Append(format, nil, m2); !bytes.Equal(enc, enc2) {
			t.Fatalf("unstable encoding:\n%q\n%q", enc, enc2)
		}
	})
}

// FuzzDecodeHeader: DecodeHeader never panics and only accepts valid JSON.
func FuzzDecodeHeader(f *testing.F) {
	seedMessages(f)
	f.Fuzz(func(t *testing.T, fb byte, data []byte) {
		format := Format(fb % 2)
		h, err := DecodeHeader(format, data)
		if err != nil {
			return
		}
		if h.T == "" || (h.Kind != KindUnknown && h.T != h.Kind.String()) {
			t.Fatalf("inconsistent header %+v", h)
		}
		if format == JSON && !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
	})
}
