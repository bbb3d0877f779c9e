package wire

import (
	"errors"
	"fmt"
)

// ErrMalformed is returned (wrapped) by Decode and DecodeHeader for input
// that is not a well-formed message of this protocol.
var ErrMalformed = errors.New("wire: malformed message")

// ErrFormat is returned for a Format value that is neither MsgPack nor JSON.
var ErrFormat = errors.New("wire: invalid format")

// Header is the routing part of a server message, extracted by
// DecodeHeader without decoding the rest.
//
// Strings never alias the input and repeated values do not allocate: T is
// a constant for the types this protocol defines, and Ch, S and any unknown
// T come from a process-wide table bounded at a few thousand names, beyond
// which new names are returned as fresh copies.
type Header struct {
	Kind Kind   // Kind of T; KindUnknown for types this version does not know
	T    string // the "t" key
	Ch   string // channel, public messages only
	S    string // symbol: public messages, order and fill
	Seq  uint64 // stream seq (public) or account seq (private)
	Off  uint64 // feed offset, public messages only
	Ts   int64  // engine timestamp, nanoseconds
	// ID is the "id" key: the operation id on replies, and the trade id on
	// trade messages (which never answer an operation).
	ID ID
}

// Stream returns the stream name "CHANNEL:SYMBOL" (allocates).
func (h *Header) Stream() string { return Stream(h.Ch, h.S) }

// DecodeHeader reads the routing keys of one server message: t, ch, s,
// seq, off, ts and id. It walks the whole top-level map (so a malformed
// message is still reported) but decodes no other value, and it does not
// allocate for messages whose names were seen before.
func DecodeHeader(f Format, data []byte) (Header, error) {
	var h Header
	var err error
	switch f {
	case MsgPack:
		s := mpScan{b: data}
		if err = headerMsgpack(&s, &h); err == nil {
			err = s.end()
		}
	case JSON:
		// validJSON checks the syntax jsScan does not, once jsScan has
		// bounded the nesting.
		s := jsScan{b: data}
		if err = headerJSON(&s, &h); err == nil && (s.end() != nil || !validJSON(data)) {
			err = errSyntax
		}
	default:
		return h, ErrFormat
	}
	if err != nil {
		return h, malformed("", err)
	}
	if h.T == "" {
		return h, fmt.Errorf("%w: missing t", ErrMalformed)
	}
	return h, nil
}

// malformed wraps a reader error as ErrMalformed, naming the key.
func malformed(key string, err error) error {
	if key == "" {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return fmt.Errorf("%w: %q: %v", ErrMalformed, key, err)
}

// setStr stores the string-valued header key k.
func (h *Header) setStr(k, b []byte) {
	switch string(k) {
	case "t":
		if h.Kind = kindByName[string(b)]; h.Kind != KindUnknown {
			h.T = kindNames[h.Kind]
		} else {
			h.T = symbols.get(b)
		}
	case "ch":
		h.Ch = symbols.get(b)
	case "s":
		h.S = symbols.get(b)
	}
}

// setUint stores the unsigned header key k.
func (h *Header) setUint(k []byte, v uint64) {
	switch string(k) {
	case "seq":
		h.Seq = v
	case "off":
		h.Off = v
	case "id":
		h.ID = SomeID(v)
	}
}

// headerMsgpack reads the routing keys of a msgpack map.
func headerMsgpack(s *mpScan, h *Header) error {
	if err := s.openMap(0); err != nil {
		return err
	}
	for {
		ok, err := s.more()
		if err != nil || !ok {
			return err
		}
		k, err := s.key()
		if err != nil {
			return err
		}
		switch string(k) {
		case "t", "ch", "s":
			var b []byte
			if b, err = s.str(0); err == nil {
				h.setStr(k, b)
			}
		case "ts":
			h.Ts, err = s.int()
		case "seq", "off", "id":
			var v uint64
			if v, err = s.uint(); err == nil {
				h.setUint(k, v)
			}
		default:
			err = s.skip()
		}
		if err != nil {
			return err
		}
	}
}

// headerJSON reads the routing keys of a JSON object. It is headerMsgpack
// over the other scanner: a shared version (an interface, or a type
// parameter, whose pointer shape is called through a dictionary) makes the
// scanner escape, and DecodeHeader must not allocate.
func headerJSON(s *jsScan, h *Header) error {
	if err := s.openMap(0); err != nil {
		return err
	}
	for {
		ok, err := s.more()
		if err != nil || !ok {
			return err
		}
		k, err := s.key()
		if err != nil {
			return err
		}
		switch string(k) {
		case "t", "ch", "s":
			var b []byte
			if b, err = s.str(0); err == nil {
				h.setStr(k, b)
			}
		case "ts":
			h.Ts, err = s.int()
		case "seq", "off", "id":
			var v uint64
			if v, err = s.uint(); err == nil {
				h.setUint(k, v)
			}
		default:
			err = s.skip()
		}
		if err != nil {
			return err
		}
	}
}
