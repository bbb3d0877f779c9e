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
// Strings never alias the input and repeated values do not allocate: T and
// Ch are constants for the names this protocol defines, and S (and any
// unknown T or Ch) comes from a process-wide table bounded at a few thousand
// names, beyond which new names are returned as fresh copies.
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
		err = headerMsgpack(data, &h)
	case JSON:
		err = headerJSON(data, &h)
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

// hkey names the header keys, so that both scanners share one key switch
// without going through an interface (which would make them escape).
type hkey uint8

const (
	hNone hkey = iota
	hT
	hCh
	hS
	hSeq
	hOff
	hTs
	hID
)

func headerKey(k []byte) hkey {
	switch string(k) {
	case "t":
		return hT
	case "ch":
		return hCh
	case "s":
		return hS
	case "seq":
		return hSeq
	case "off":
		return hOff
	case "ts":
		return hTs
	case "id":
		return hID
	}
	return hNone
}

// setStr stores a string-valued header key.
func (h *Header) setStr(k hkey, b []byte) {
	switch k {
	case hT:
		h.Kind = kindOfBytes(b)
		if h.Kind != KindUnknown {
			h.T = kindNames[h.Kind]
		} else {
			h.T = symbols.get(b)
		}
	case hCh:
		h.Ch = channel(b)
	case hS:
		h.S = symbols.get(b)
	}
}

// setUint stores an unsigned header key.
func (h *Header) setUint(k hkey, v uint64) {
	switch k {
	case hSeq:
		h.Seq = v
	case hOff:
		h.Off = v
	case hID:
		h.ID = SomeID(v)
	}
}

// channel returns the constant for a known channel name.
func channel(b []byte) string {
	switch string(b) {
	case ChanTrades:
		return ChanTrades
	case ChanBook:
		return ChanBook
	case ChanQuote:
		return ChanQuote
	case ChanTicker:
		return ChanTicker
	case ChanCandles1s:
		return ChanCandles1s
	case ChanCandles1m:
		return ChanCandles1m
	}
	return symbols.get(b)
}

// headerMsgpack scans a msgpack map with mpScan.
func headerMsgpack(data []byte, h *Header) error {
	s := mpScan{b: data}
	n, err := s.mapLen()
	if err != nil {
		return err
	}
	for range n {
		k, err := s.str(0)
		if err != nil {
			return errSyntax
		}
		switch key := headerKey(k); key {
		case hNone:
			err = s.skip(0)
		case hT, hCh, hS:
			var b []byte
			if b, err = s.str(0); err == nil {
				h.setStr(key, b)
			}
		case hTs:
			h.Ts, err = s.int()
		default:
			var v uint64
			if v, err = s.uint(); err == nil {
				h.setUint(key, v)
			}
		}
		if err != nil {
			return err
		}
	}
	if s.p != len(data) {
		return errSyntax
	}
	return nil
}

// headerJSON scans a JSON object with a stack-allocated readerJSON.
func headerJSON(data []byte, h *Header) error {
	var r readerJSON
	r.reset(data)
	if err := r.openMap(0); err != nil {
		return err
	}
	for {
		ok, err := r.more()
		if err != nil {
			return err
		}
		if !ok {
			return r.end()
		}
		k, err := r.key()
		if err != nil {
			return err
		}
		switch key := headerKey(k); key {
		case hNone:
			err = r.skip()
		case hT, hCh, hS:
			var b []byte
			if b, err = r.str(0); err == nil {
				h.setStr(key, b)
			}
		case hTs:
			h.Ts, err = r.int()
		default:
			var v uint64
			if v, err = r.uint(); err == nil {
				h.setUint(key, v)
			}
		}
		if err != nil {
			return err
		}
	}
}
