package wire

import "reflect"

// DecodeOp decodes one client operation. The input is hostile: it is
// refused above MaxMessage bytes, every string, array and map is bounded
// (MaxChannels, MaxNameLen, …) before anything is allocated, and every value
// must have exactly the expected type; unknown keys are ignored, and of a
// key given twice the last counts (fields.go has the details).
//
// Errors are *OpError values: code bad_request or unknown_op, a message safe
// to send to the client, and the operation's id when it could be read. An
// order with an invalid side, type or tif (or too long a qty or px) is
// returned together with an *OpError whose Reason names the order reject
// reason; errors.Is(err, ErrOrderReject) detects it.
//
// A first pass finds "op" and "id", so that later errors carry the id, and
// checks the input is well-formed; a second fills the operation.
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
	op, id, e := scanOp(scan, func() bool { return f != JSON || validJSON(data) })
	if e != nil {
		return nil, e
	}
	d := newLibDecoder(f, data)
	rv := reflect.ValueOf(op).Elem()
	tb := tableOf(rv.Type())
	_, isOrder := op.(*NewOrder)
	seen, long, k, err := tb.fill(walk, d, rv, isOrder)
	if v, ok := op.(validator); ok && err == nil {
		e = v.validate(keys{tb, seen, long})
	} else {
		e = fieldError(k, err)
	}
	if e == nil {
		return op, nil
	}
	e.ID = id
	if e.Reason != "" { // an order rejected with a reason is returned too
		return op, e
	}
	return nil, e
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
// is one well-formed map; valid adds validJSON for JSON, called only once
// the walk has bounded the nesting (encoding/json's scanner allocates per
// level). It returns an empty operation of the named kind.
func scanOp(r reader, valid func() bool) (op Op, id ID, e *OpError) {
	malformed := func() (Op, ID, *OpError) {
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
	e = &OpError{ID: id, Code: CodeBadRequest}
	switch {
	case r.end() != nil || !valid():
		e.Msg = "malformed message"
	case badID:
		e.ID, e.Msg = ID{}, "invalid id"
	case badOp:
		e.Msg = "invalid op"
	case !named:
		e.Msg = "missing op"
	case op == nil:
		e.Code, e.Msg = CodeUnknownOp, "unknown op"
	default:
		return op, id, nil
	}
	return nil, id, e
}
