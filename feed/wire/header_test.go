package wire

import (
	"errors"
	"testing"
)

// headerOf computes the Header a sample must yield, from the decoded
// message itself.
func headerOf(m Message) Header {
	h := Header{Kind: m.Kind(), T: m.Kind().String()}
	setMeta := func(mt Meta) {
		h.Ch, h.S, h.Seq, h.Off, h.Ts = mt.Ch, mt.S, mt.Seq, mt.Off, mt.Ts
	}
	switch x := m.(type) {
	case *Trade:
		setMeta(x.Meta)
		h.ID = SomeID(x.ID)
	case *BookSnapshot:
		setMeta(x.Meta)
	case *BookDelta:
		setMeta(x.Meta)
	case *Quote:
		setMeta(x.Meta)
	case *Ticker:
		setMeta(x.Meta)
	case *Candle:
		setMeta(x.Meta)
	case *Order:
		h.ID, h.S, h.Seq, h.Ts = x.ID, x.S, x.Seq, x.Ts
	case *Fill:
		h.S, h.Seq, h.Ts = x.S, x.Seq, x.Ts
	case *Account:
		h.Seq, h.Ts = x.Seq, x.Ts
	case *Reset:
		h.Ch, h.S = x.Ch, x.S
	case *Subscribed:
		h.ID = x.ID
	case *Unsubscribed:
		h.ID = x.ID
	case *Authed:
		h.ID = x.ID
	case *CanceledAll:
		h.ID = x.ID
	case *Pong:
		h.ID, h.Ts = x.ID, x.Ts
	case *Error:
		h.ID = x.ID
	}
	return h
}

func TestDecodeHeader(t *testing.T) {
	for _, s := range samples() {
		for _, f := range formats {
			t.Run(s.name+"/"+f.String(), func(t *testing.T) {
				got, err := DecodeHeader(f, Append(f, nil, s.msg))
				if err != nil {
					t.Fatal(err)
				}
				if want := headerOf(s.msg); got != want {
					t.Errorf("\n got %+v\nwant %+v", got, want)
				}
			})
		}
	}
}

func TestDecodeHeaderUnknown(t *testing.T) {
	for _, f := range formats {
		data := (&Unknown{T: "news"}).AppendMsgpack(nil)
		if f == JSON {
			data = []byte(`{"t":"n\u0065ws","ch":"x\"y","s":"A-B"}`)
		}
		h, err := DecodeHeader(f, data)
		if err != nil || h.Kind != KindUnknown || h.T != "news" {
			t.Errorf("%v: %+v %v", f, h, err)
		}
		if f == JSON && (h.Ch != `x"y` || h.S != "A-B") {
			t.Errorf("escaped strings: %+v", h)
		}
	}
}

func TestDecodeHeaderErrors(t *testing.T) {
	for _, in := range []string{``, `{}`, `{"t":1}`, `{"t":"trade","seq":"1"}`, `{"t":"trade"`, `{"t":"trade"}{}`, `nul`} {
		if _, err := DecodeHeader(JSON, []byte(in)); !errors.Is(err, ErrMalformed) {
			t.Errorf("JSON %q: err = %v", in, err)
		}
	}
	for _, in := range [][]byte{nil, {0x80}, {0x81, 0xa1, 't', 0x01}, {0x81, 0xa1, 't'}, {0xdf, 0xff, 0xff, 0xff, 0xff}, {0x81, 0xa1, 't', 0xa1, 'x', 0x00}} {
		if _, err := DecodeHeader(MsgPack, in); !errors.Is(err, ErrMalformed) {
			t.Errorf("msgpack % x: err = %v", in, err)
		}
	}
	if _, err := DecodeHeader(Format(9), []byte(`{}`)); !errors.Is(err, ErrFormat) {
		t.Errorf("bad format: %v", err)
	}
}
