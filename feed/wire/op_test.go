package wire

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestOpEncodeMatchesReference(t *testing.T) {
	for _, s := range opSamples() {
		t.Run(s.name, func(t *testing.T) {
			if got := refMsgpack(t, AppendOp(MsgPack, nil, s.op)); !reflect.DeepEqual(got, s.want) {
				t.Errorf("msgpack:\n got %v\nwant %v", got, s.want)
			}
			if got := refJSON(t, AppendOp(JSON, nil, s.op)); !reflect.DeepEqual(got, s.want) {
				t.Errorf("json:\n got %v\nwant %v", got, s.want)
			}
		})
	}
}

// TestOpRoundTrip: DecodeOp(Append(op)) == op for every op, both formats.
func TestOpRoundTrip(t *testing.T) {
	for _, s := range opSamples() {
		for _, f := range formats {
			t.Run(s.name+"/"+f.String(), func(t *testing.T) {
				got, err := DecodeOp(f, AppendOp(f, nil, s.op))
				if err != nil {
					t.Fatalf("DecodeOp: %v", err)
				}
				if !reflect.DeepEqual(got, s.op) {
					t.Errorf("\n got %+v\nwant %+v", got, s.op)
				}
			})
		}
	}
}

func TestDecodeOpErrors(t *testing.T) {
	long := strings.Repeat("x", 100)
	cases := []struct {
		name   string
		json   string
		code   string
		msg    string
		id     ID
		reason string
	}{
		{"not a map", `[1,2]`, CodeBadRequest, "malformed message", ID{}, ""},
		{"missing op", `{"id":3}`, CodeBadRequest, "missing op", SomeID(3), ""},
		{"op not string", `{"op":1,"id":3}`, CodeBadRequest, "invalid op", SomeID(3), ""},
		{"unknown op", `{"op":"dance","id":4}`, CodeUnknownOp, "unknown op", SomeID(4), ""},
		{"very long op", `{"op":"` + long + `","id":4}`, CodeUnknownOp, "unknown op", SomeID(4), ""},
		{"id after error", `{"op":"subscribe","channels":5,"id":9}`, CodeBadRequest, "invalid channels", SomeID(9), ""},
		{"negative id", `{"op":"ping","id":-1}`, CodeBadRequest, "invalid id", ID{}, ""},
		{"float id", `{"op":"ping","id":1.5}`, CodeBadRequest, "invalid id", ID{}, ""},
		{"string id", `{"op":"ping","id":"1"}`, CodeBadRequest, "invalid id", ID{}, ""},
		{"id above 2^53", `{"op":"ping","id":9007199254740992}`, CodeBadRequest, "invalid id", ID{}, ""},
		{"id above uint64", `{"op":"ping","id":99999999999999999999999}`, CodeBadRequest, "invalid id", ID{}, ""},
		{"null id", `{"op":"ping","id":null}`, CodeBadRequest, "invalid id", ID{}, ""},
		{"sub missing channels", `{"op":"subscribe","id":1,"symbols":["A"]}`, CodeBadRequest, "missing channels", SomeID(1), ""},
		{"sub missing symbols", `{"op":"subscribe","channels":["trades"]}`, CodeBadRequest, "missing symbols", ID{}, ""},
		{"sub empty channel", `{"op":"subscribe","channels":[""],"symbols":["A"]}`, CodeBadRequest, "invalid channels", ID{}, ""},
		{"sub channel number", `{"op":"subscribe","channels":[1],"symbols":["A"]}`, CodeBadRequest, "invalid channels", ID{}, ""},
		{"sub channel too long", `{"op":"subscribe","channels":["` + long + `"],"symbols":["A"]}`, CodeBadRequest, "channels too long", ID{}, ""},
		{"sub too many channels", `{"op":"subscribe","channels":[` + strings.Repeat(`"a",`, MaxChannels) + `"a"],"symbols":["A"]}`, CodeBadRequest, "too many channels", ID{}, ""},
		{"sub bad epoch", `{"op":"subscribe","channels":["a"],"symbols":["A"],"epoch":"a b"}`, CodeBadRequest, "invalid epoch", ID{}, ""},
		{"sub long epoch", `{"op":"subscribe","channels":["a"],"symbols":["A"],"epoch":"` + long + `"}`, CodeBadRequest, "epoch too long", ID{}, ""},
		{"sub since not map", `{"op":"subscribe","channels":["a"],"symbols":["A"],"since":[]}`, CodeBadRequest, "invalid since", ID{}, ""},
		{"sub since bad stream", `{"op":"subscribe","channels":["a"],"symbols":["A"],"since":{"nocolon":1}}`, CodeBadRequest, "invalid since", ID{}, ""},
		{"sub since negative", `{"op":"subscribe","channels":["a"],"symbols":["A"],"since":{"a:A":-1}}`, CodeBadRequest, "invalid since", ID{}, ""},
		{"sub since string", `{"op":"subscribe","channels":["a"],"symbols":["A"],"since":{"a:A":"1"}}`, CodeBadRequest, "invalid since", ID{}, ""},
		{"auth missing token", `{"op":"auth","id":2}`, CodeBadRequest, "missing token", SomeID(2), ""},
		{"auth cod not bool", `{"op":"auth","token":"t","cancel_on_disconnect":1}`, CodeBadRequest, "invalid cancel_on_disconnect", ID{}, ""},
		{"auth cod string", `{"op":"auth","token":"t","cancel_on_disconnect":"true"}`, CodeBadRequest, "invalid cancel_on_disconnect", ID{}, ""},
		{"auth token number", `{"op":"auth","token":5}`, CodeBadRequest, "invalid token", ID{}, ""},
		{"order missing cid", `{"op":"order","s":"A","side":"buy","type":"limit","qty":"1"}`, CodeBadRequest, "missing cid", ID{}, ""},
		{"order bad cid", `{"op":"order","cid":"a b","s":"A","side":"buy","type":"limit","qty":"1"}`, CodeBadRequest, "invalid cid", ID{}, ""},
		{"order empty cid", `{"op":"order","cid":"","s":"A","side":"buy","type":"limit","qty":"1"}`, CodeBadRequest, "invalid cid", ID{}, ""},
		{"order long cid", `{"op":"order","cid":"` + strings.Repeat("a", 37) + `","s":"A","side":"buy","type":"limit","qty":"1"}`, CodeBadRequest, "invalid cid", ID{}, ""},
		{"order missing s", `{"op":"order","cid":"c","side":"buy","type":"limit","qty":"1"}`, CodeBadRequest, "missing s", ID{}, ""},
		{"order missing side", `{"op":"order","cid":"c","s":"A","type":"limit","qty":"1"}`, CodeBadRequest, "missing side", ID{}, ""},
		{"order missing type", `{"op":"order","cid":"c","s":"A","side":"buy","qty":"1"}`, CodeBadRequest, "missing type", ID{}, ""},
		{"order missing qty", `{"op":"order","cid":"c","s":"A","side":"buy","type":"limit"}`, CodeBadRequest, "missing qty", ID{}, ""},
		{"order side number", `{"op":"order","cid":"c","s":"A","side":1,"type":"limit","qty":"1"}`, CodeBadRequest, "invalid side", ID{}, ""},
		{"order qty number", `{"op":"order","cid":"c","s":"A","side":"buy","type":"limit","qty":1}`, CodeBadRequest, "invalid qty", ID{}, ""},
		{"order post_only string", `{"op":"order","cid":"c","s":"A","side":"buy","type":"limit","qty":"1","post_only":"yes"}`, CodeBadRequest, "invalid post_only", ID{}, ""},
		{"order bad side", `{"op":"order","id":7,"cid":"c","s":"A","side":"short","type":"limit","qty":"1"}`, CodeBadRequest, "invalid side", SomeID(7), ReasonInvalidSide},
		{"order long side", `{"op":"order","cid":"c","s":"A","side":"` + long + `","type":"limit","qty":"1"}`, CodeBadRequest, "invalid side", ID{}, ReasonInvalidSide},
		{"order bad type", `{"op":"order","cid":"c","s":"A","side":"buy","type":"stop","qty":"1"}`, CodeBadRequest, "invalid type", ID{}, ReasonInvalidType},
		{"order bad tif", `{"op":"order","cid":"c","s":"A","side":"buy","type":"limit","qty":"1","tif":"day"}`, CodeBadRequest, "invalid tif", ID{}, ReasonInvalidTIF},
		{"order empty tif", `{"op":"order","cid":"c","s":"A","side":"buy","type":"limit","qty":"1","tif":""}`, CodeBadRequest, "invalid tif", ID{}, ReasonInvalidTIF},
		{"order long qty", `{"op":"order","cid":"c","s":"A","side":"buy","type":"limit","qty":"` + long + `"}`, CodeBadRequest, "invalid qty", ID{}, "invalid_qty"},
		{"order long px", `{"op":"order","cid":"c","s":"A","side":"buy","type":"limit","qty":"1","px":"` + long + `"}`, CodeBadRequest, "invalid price", ID{}, "invalid_price"},
		{"cancel neither", `{"op":"cancel","id":1}`, CodeBadRequest, "exactly one of oid and cid required", SomeID(1), ""},
		{"cancel both", `{"op":"cancel","oid":1,"cid":"c"}`, CodeBadRequest, "exactly one of oid and cid required", ID{}, ""},
		{"cancel bad cid", `{"op":"cancel","cid":"c!"}`, CodeBadRequest, "invalid cid", ID{}, ""},
		{"cancel oid string", `{"op":"cancel","oid":"1"}`, CodeBadRequest, "invalid oid", ID{}, ""},
		{"amend nothing", `{"op":"amend","oid":1}`, CodeBadRequest, "missing qty or px", ID{}, ""},
		{"amend neither", `{"op":"amend","qty":"1"}`, CodeBadRequest, "exactly one of oid and cid required", ID{}, ""},
		{"amend long px", `{"op":"amend","oid":1,"px":"` + long + `"}`, CodeBadRequest, "px too long", ID{}, ""},
		{"cancel_all s number", `{"op":"cancel_all","s":1}`, CodeBadRequest, "invalid s", ID{}, ""},
		{"duplicate keys are fine but trailing data is not", `{"op":"ping"}{}`, CodeBadRequest, "malformed message", ID{}, ""},
		{"unknown key with bad value", `{"op":"ping","x":[1,}`, CodeBadRequest, "malformed message", ID{}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inputs := map[Format][]byte{JSON: []byte(c.json)}
			if !strings.Contains(c.name, "trailing") && !strings.Contains(c.name, "unknown key with bad value") {
				inputs[MsgPack] = jsonToMsgpack(t, c.json)
			}
			for f, data := range inputs {
				op, err := DecodeOp(f, data)
				var oe *OpError
				if !errors.As(err, &oe) {
					t.Fatalf("%v: err = %v, want *OpError", f, err)
				}
				if oe.Code != c.code || oe.Msg != c.msg || oe.ID != c.id || oe.Reason != c.reason {
					t.Errorf("%v: got %+v, want code=%s msg=%q id=%v reason=%q", f, *oe, c.code, c.msg, c.id, c.reason)
				}
				if c.reason != "" {
					if _, ok := op.(*NewOrder); !ok || !errors.Is(err, ErrOrderReject) {
						t.Errorf("%v: reject must return the *NewOrder and wrap ErrOrderReject: %T %v", f, op, err)
					}
				} else if op != nil {
					t.Errorf("%v: op = %+v on error", f, op)
				}
			}
		})
	}
}

func TestDecodeOpSentinels(t *testing.T) {
	_, err := DecodeOp(JSON, []byte(`{"op":"dance"}`))
	if !errors.Is(err, ErrUnknownOp) {
		t.Errorf("unknown op: %v", err)
	}
	_, err = DecodeOp(JSON, []byte(`{"op":"ping","id":-1}`))
	if !errors.Is(err, ErrBadRequest) {
		t.Errorf("bad request: %v", err)
	}
	var oe *OpError
	if errors.As(err, &oe) {
		r := oe.Reply()
		if r.Code != CodeBadRequest || r.ID.Valid {
			t.Errorf("reply %+v", r)
		}
	}
	big := make([]byte, MaxMessage+1)
	if _, err := DecodeOp(MsgPack, big); !errors.As(err, &oe) || oe.Msg != "message too large" {
		t.Errorf("too large: %v", err)
	}
}

// TestDecodeOpLenient checks what must be accepted: unknown keys of any
// shape, whitespace, escapes, key order, op not first.
func TestDecodeOpLenient(t *testing.T) {
	in := ` { "extra" : {"a":[1,2.5e-3,null,true,{"b":"\u00fc\ud83c\udf89"}]}, "symbols":["BTC\u002dUSD"], "id":0,
		"channels":["trades"], "op":"subscribe", "since":{}, "future":false } `
	want := &Subscribe{ID: SomeID(0), Channels: []string{"trades"}, Symbols: []string{"BTC-USD"}, Since: map[string]uint64{}}
	for _, f := range formats {
		data := []byte(in)
		if f == MsgPack {
			data = jsonToMsgpack(t, in)
		}
		got, err := DecodeOp(f, data)
		if err != nil {
			t.Fatalf("%v: %v", f, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%v: got %+v", f, got)
		}
	}
}

// TestDecodeOpKeysAndNulls pins what the checks before the libraries
// exist for: keys match exactly (encoding/json alone would read
// "Channels" as channels), null is a wrong type (both libraries alone
// would read it as the zero value), and a key given twice is decoded
// afresh (a second since replaces the first rather than merging with it).
func TestDecodeOpKeysAndNulls(t *testing.T) {
	cases := []struct {
		name, json string
		want       Op
		msg        string
	}{
		{"case differs", `{"op":"subscribe","Channels":["x"],"channels":["trades"],"CHANNELS":["y"],"symbols":["A"]}`,
			&Subscribe{Channels: []string{"trades"}, Symbols: []string{"A"}}, ""},
		{"only a case variant", `{"op":"subscribe","Channels":["trades"],"symbols":["A"]}`, nil, "missing channels"},
		{"since twice", `{"op":"subscribe","channels":["a"],"symbols":["A"],"since":{"a:A":1},"since":{"b:B":2}}`,
			&Subscribe{Channels: []string{"a"}, Symbols: []string{"A"}, Since: map[string]uint64{"b:B": 2}}, ""},
		{"null token", `{"op":"auth","token":null}`, nil, "invalid token"},
		{"null flag", `{"op":"auth","token":"t","cancel_on_disconnect":null}`, nil, "invalid cancel_on_disconnect"},
		{"null channel", `{"op":"subscribe","channels":[null],"symbols":["A"]}`, nil, "invalid channels"},
		{"null since value", `{"op":"subscribe","channels":["a"],"symbols":["A"],"since":{"a:A":null}}`, nil, "invalid since"},
		{"null oid", `{"op":"cancel","oid":null}`, nil, "invalid oid"},
		{"escaped key", `{"\u006fp":"ping","\u0069d":7}`, &Ping{ID: SomeID(7)}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, f := range formats {
				data := []byte(c.json)
				if f == MsgPack {
					data = jsonToMsgpack(t, c.json)
					if strings.Contains(c.name, "twice") {
						continue // a Go map cannot hold a key twice
					}
				}
				op, err := DecodeOp(f, data)
				if c.msg == "" {
					if err != nil || !reflect.DeepEqual(op, c.want) {
						t.Errorf("%v: got %+v, %v; want %+v", f, op, err, c.want)
					}
					continue
				}
				var oe *OpError
				if !errors.As(err, &oe) || oe.Code != CodeBadRequest || oe.Msg != c.msg {
					t.Errorf("%v: got %v, want bad_request %q", f, err, c.msg)
				}
			}
		})
	}
}

// TestAppendOpValuesAndCustomOps: an operation passed by value encodes
// like a pointer to it, and an Op bringing its own encoders is written by
// them.
func TestAppendOpValuesAndCustomOps(t *testing.T) {
	for _, f := range formats {
		if got, want := AppendOp(f, nil, NewOrder{CID: "c", S: "A", Side: SideBuy, Type: TypeMarket, Qty: "1"}),
			AppendOp(f, nil, &NewOrder{CID: "c", S: "A", Side: SideBuy, Type: TypeMarket, Qty: "1"}); string(got) != string(want) {
			t.Errorf("%v: value %q, pointer %q", f, got, want)
		}
		if got := string(AppendOp(f, nil, rawOp{})); got != "raw "+f.String() {
			t.Errorf("%v: custom op wrote %q", f, got)
		}
	}
}

type rawOp struct{}

func (rawOp) OpName() string                  { return "raw" }
func (rawOp) OpID() ID                        { return ID{} }
func (rawOp) AppendMsgpack(dst []byte) []byte { return append(dst, "raw msgpack"...) }
func (rawOp) AppendJSON(dst []byte) []byte    { return append(dst, "raw json"...) }
