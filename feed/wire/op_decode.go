package wire

// DecodeOp decodes one client operation. The input is treated as hostile:
// it is refused above MaxMessage bytes, every array, map and string is
// bounded (MaxChannels, MaxSymbols, MaxSince, MaxNameLen, …) and checked
// against the bytes actually present before anything is allocated, and
// every value must have exactly the expected type (an id is a non-negative
// integer no larger than MaxID; booleans are booleans; strings are strings;
// nothing is decoded into interface{}). Unknown keys are ignored.
//
// Errors are *OpError values (see there): code bad_request or unknown_op,
// a message safe to send to the client, and the operation's id when it
// could be read. For an order with an invalid side, type or tif the
// decoded *NewOrder is returned together with an *OpError whose Reason
// names the order reject reason; errors.Is(err, ErrOrderReject) detects it.
//
// Decoding takes two passes over the top-level map: the first finds "op"
// and "id" (so that errors found later still carry the id), the second
// fills the operation.
func DecodeOp(f Format, data []byte) (Op, error) {
	if len(data) > MaxMessage {
		return nil, badRequest("message too large")
	}
	switch f {
	case MsgPack:
		r := getReaderMsgpack(data)
		defer putReaderMsgpack(r)
		return decodeOp(r)
	case JSON:
		r := getReaderJSON(data)
		defer putReaderJSON(r)
		return decodeOp(r)
	}
	return nil, badRequest("invalid format")
}

func decodeOp(r reader) (Op, error) {
	op, id, e := scanOp(r)
	if e != nil {
		return nil, e
	}
	op.setID(id)
	r.rewind()
	if e := fillOp(r, op); e != nil {
		e.ID = id
		return nil, e
	}
	if e := op.validate(); e != nil {
		e.ID = id
		if e.Reason != "" {
			return op, e
		}
		return nil, e
	}
	return op, nil
}

// scanOp is the first pass: it finds op and id and checks that the input
// is one well-formed map. It returns an empty operation of the named kind.
func scanOp(r reader) (op decodableOp, id ID, e *OpError) {
	if err := r.openMap(0); err != nil {
		return nil, id, badRequest("malformed message")
	}
	var badID, badOp, named bool
	for {
		ok, err := r.more()
		if err != nil {
			return nil, id, &OpError{ID: id, Code: CodeBadRequest, Msg: "malformed message"}
		}
		if !ok {
			break
		}
		k, err := r.key()
		if err != nil {
			return nil, id, &OpError{ID: id, Code: CodeBadRequest, Msg: "malformed message"}
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
			err = readID(r, &id)
			switch {
			case err == errBig:
				badID, err = true, nil
			case valueErr(err):
				badID, err = true, r.skip()
			}
		default:
			err = r.skip()
		}
		if err != nil {
			return nil, id, &OpError{ID: id, Code: CodeBadRequest, Msg: "malformed message"}
		}
	}
	switch {
	case r.end() != nil:
		return nil, id, &OpError{ID: id, Code: CodeBadRequest, Msg: "malformed message"}
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

// fillOp is the second pass: it decodes every key into op.
func fillOp(r reader, op decodableOp) *OpError {
	if err := r.openMap(0); err != nil {
		return badRequest("malformed message")
	}
	for {
		ok, err := r.more()
		if err != nil {
			return badRequest("malformed message")
		}
		if !ok {
			return nil
		}
		k, err := r.key()
		if err != nil {
			return badRequest("malformed message")
		}
		switch string(k) {
		case "op", "id":
			err = r.skip()
		default:
			err = op.decodeField(r, k)
		}
		if err != nil {
			return fieldError(string(k), err)
		}
	}
}
