package wire

import (
	"encoding/json"
	"reflect"
)

// DecodeOp decodes one client operation. The input is treated as hostile:
// it is refused above MaxMessage bytes, every array, map and string is
// bounded (MaxChannels, MaxSymbols, MaxSince, MaxNameLen, …) and checked
// against the bytes actually present before anything is allocated, and
// every value must have exactly the expected type (an id is a non-negative
// integer no larger than MaxID; booleans are booleans; strings are strings;
// nothing is decoded into interface{}). Unknown keys are ignored; of a key
// given twice, the last counts.
//
// Errors are *OpError values (see there): code bad_request or unknown_op,
// a message safe to send to the client, and the operation's id when it
// could be read. For an order with an invalid side, type or tif the
// decoded *NewOrder is returned together with an *OpError whose Reason
// names the order reject reason; errors.Is(err, ErrOrderReject) detects it.
//
// Decoding takes two passes over the top-level map: the first finds "op"
// and "id" (so that errors found later still carry the id) and checks that
// the input is well-formed, the second checks each known key's value and
// has the library decode it (see fields.go).
func DecodeOp(f Format, data []byte) (Op, error) {
	if len(data) > MaxMessage {
		return nil, badRequest("message too large")
	}
	switch f {
	case MsgPack:
		return decodeOp(f, data, &mpScan{b: data}, &mpScan{b: data})
	case JSON:
		return decodeOp(f, data, &jsScan{b: data}, &jsScan{b: data})
	}
	return nil, badRequest("invalid format")
}

func decodeOp(f Format, data []byte, scan, walk reader) (Op, error) {
	op, id, e := scanOp(scan, func() bool { return f != JSON || json.Valid(data) })
	if e != nil {
		return nil, e
	}
	d := newLibDecoder(f, data)
	rv := reflect.ValueOf(op).Elem()
	tb := tableOf(rv.Type())
	_, isOrder := op.(*NewOrder)
	seen, long, k, err := tb.fill(walk, d, rv, isOrder)
	if err != nil {
		e := fieldError(k, err)
		e.ID = id
		return nil, e
	}
	if e := op.validate(keys{tb, seen, long}); e != nil {
		e.ID = id
		if e.Reason != "" {
			return op, e
		}
		return nil, e
	}
	return op, nil
}

// keys tells validate which keys of an operation were present, and which
// were too long to read (and left empty).
type keys struct {
	tb         *table
	seen, long uint64
}

func (k keys) has(name string) bool     { return k.seen&k.tb.byName[name].bit != 0 }
func (k keys) tooLong(name string) bool { return k.long&k.tb.byName[name].bit != 0 }

// scanOp is the first pass: it finds op and id and checks that the input
// is one well-formed map; valid adds json.Valid for JSON, called only once
// the walk has bounded the nesting (encoding/json's scanner allocates per
// level). It returns an empty operation of the named kind.
func scanOp(r reader, valid func() bool) (op decodableOp, id ID, e *OpError) {
	malformed := func() (decodableOp, ID, *OpError) {
		return nil, id, &OpError{ID: id, Code: CodeBadRequest, Msg: "malformed message"}
	}
	if err := r.openMap(0); err != nil {
		return nil, id, badRequest("malformed message")
	}
	var badID, badOp, named bool
	for {
		ok, err := r.more()
		if err != nil {
			return malformed()
		}
		if !ok {
			break
		}
		k, err := r.key()
		if err != nil {
			return malformed()
		}
		switch string(k) {
		case "op":
			var name []byte
			name, err = r.str(MaxWordLen)
			switch {
			case err == nil:
				op, named = newOp(name), true
			case err == errTooLong: // no operation has so long a name
				op, named, err = nil, true, r.skip()
			case valueErr(err):
				badOp, err = true, r.skip()
			}
		case "id":
			var v uint64
			v, err = r.uint()
			switch {
			case err == nil && v <= MaxID:
				id = SomeID(v)
			case err == nil:
				badID = true
			case valueErr(err):
				badID, err = true, r.skip()
			}
		default:
			err = r.skip()
		}
		if err != nil {
			return malformed()
		}
	}
	switch {
	case r.end() != nil || !valid():
		return malformed()
	case badID:
		return nil, ID{}, badRequest("invalid id")
	case badOp:
		return nil, id, &OpError{ID: id, Code: CodeBadRequest, Msg: "invalid op"}
	case !named:
		return nil, id, &OpError{ID: id, Code: CodeBadRequest, Msg: "missing op"}
	case op == nil:
		return nil, id, &OpError{ID: id, Code: CodeUnknownOp, Msg: "unknown op"}
	}
	return op, id, nil
}
