package wire

import "strconv"

// Subscribe subscribes to every stream channel × symbol. For a resume
// (PROTOCOL 5) Epoch is the epoch of the last welcome and Since maps each
// stream ("CHANNEL:SYMBOL") to the last seq processed; both are omitted
// when empty.
type Subscribe struct {
	ID       ID
	Channels []string
	Symbols  []string
	Epoch    string
	Since    map[string]uint64
}

// Unsubscribe removes every stream channel × symbol.
type Unsubscribe struct {
	ID       ID
	Channels []string
	Symbols  []string
}

// OpName returns "subscribe".
func (Subscribe) OpName() string { return OpSubscribe }

// OpID returns the operation id.
func (o Subscribe) OpID() ID { return o.ID }

// OpName returns "unsubscribe".
func (Unsubscribe) OpName() string { return OpUnsubscribe }

// OpID returns the operation id.
func (o Unsubscribe) OpID() ID { return o.ID }

func (o *Subscribe) setID(id ID)   { o.ID = id }
func (o *Unsubscribe) setID(id ID) { o.ID = id }

// mpOpHead starts an operation map with op and the optional id.
func mpOpHead(dst []byte, op string, id ID, extra int) []byte {
	dst = mpMap(dst, 1+b2i(id.Valid)+extra)
	dst = mpKStr(dst, "op", op)
	if id.Valid {
		dst = mpKUint(dst, "id", id.Value)
	}
	return dst
}

// jsOpHead opens an operation object with op and the optional id.
func jsOpHead(dst []byte, op string, id ID) []byte {
	dst = jsOpen(dst, "op", op)
	if id.Valid {
		dst = jsKUint(dst, "id", id.Value)
	}
	return dst
}

// AppendMsgpack appends the operation as a msgpack map.
func (o Subscribe) AppendMsgpack(dst []byte) []byte {
	epoch, since := o.Epoch != "", len(o.Since) > 0
	dst = mpOpHead(dst, OpSubscribe, o.ID, 2+b2i(epoch)+b2i(since))
	dst = mpStrs(mpStr(dst, "channels"), o.Channels)
	dst = mpStrs(mpStr(dst, "symbols"), o.Symbols)
	if epoch {
		dst = mpKStr(dst, "epoch", o.Epoch)
	}
	if since {
		dst = mpMap(mpStr(dst, "since"), len(o.Since))
		for k, v := range o.Since {
			dst = mpUint(mpStr(dst, k), v)
		}
	}
	return dst
}

// AppendJSON appends the operation as a JSON object.
func (o Subscribe) AppendJSON(dst []byte) []byte {
	dst = jsOpHead(dst, OpSubscribe, o.ID)
	dst = jsStrs(jsKey(dst, "channels"), o.Channels)
	dst = jsStrs(jsKey(dst, "symbols"), o.Symbols)
	if o.Epoch != "" {
		dst = jsKStr(dst, "epoch", o.Epoch)
	}
	if len(o.Since) > 0 {
		dst = append(jsKey(dst, "since"), '{')
		first := true
		for k, v := range o.Since {
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = strconv.AppendUint(append(jsStr(dst, k), ':'), v, 10)
		}
		dst = append(dst, '}')
	}
	return append(dst, '}')
}

// AppendMsgpack appends the operation as a msgpack map.
func (o Unsubscribe) AppendMsgpack(dst []byte) []byte {
	dst = mpOpHead(dst, OpUnsubscribe, o.ID, 2)
	dst = mpStrs(mpStr(dst, "channels"), o.Channels)
	return mpStrs(mpStr(dst, "symbols"), o.Symbols)
}

// AppendJSON appends the operation as a JSON object.
func (o Unsubscribe) AppendJSON(dst []byte) []byte {
	dst = jsOpHead(dst, OpUnsubscribe, o.ID)
	dst = jsStrs(jsKey(dst, "channels"), o.Channels)
	dst = jsStrs(jsKey(dst, "symbols"), o.Symbols)
	return append(dst, '}')
}

func (o *Subscribe) decodeField(r reader, k []byte) error {
	switch string(k) {
	case "channels":
		return readStrs(r, MaxChannels, MaxNameLen, &o.Channels)
	case "symbols":
		return readStrs(r, MaxSymbols, MaxNameLen, &o.Symbols)
	case "epoch":
		return readStr(r, MaxEpochLen, &o.Epoch)
	case "since":
		return readSince(r, &o.Since)
	}
	return r.skip()
}

func (o *Unsubscribe) decodeField(r reader, k []byte) error {
	switch string(k) {
	case "channels":
		return readStrs(r, MaxChannels, MaxNameLen, &o.Channels)
	case "symbols":
		return readStrs(r, MaxSymbols, MaxNameLen, &o.Symbols)
	}
	return r.skip()
}

// readSince reads the since map: at most MaxSince streams, each mapped to
// a seq no larger than MaxID.
func readSince(r reader, dst *map[string]uint64) error {
	if err := r.openMap(MaxSince); err != nil {
		return err
	}
	m := map[string]uint64{}
	for {
		ok, err := r.more()
		if err != nil {
			return err
		}
		if !ok {
			*dst = m
			return nil
		}
		k, err := r.key()
		if err != nil {
			return err
		}
		if len(k) > MaxNameLen {
			return errTooLong
		}
		stream := string(k)
		v, err := r.uint()
		if err != nil {
			return err
		}
		if v > MaxID {
			return errBig
		}
		m[stream] = v
	}
}

func (o *Subscribe) validate() *OpError {
	switch {
	case o.Channels == nil:
		return badRequest("missing channels")
	case o.Symbols == nil:
		return badRequest("missing symbols")
	case !nonEmpty(o.Channels):
		return badRequest("invalid channels")
	case !nonEmpty(o.Symbols):
		return badRequest("invalid symbols")
	case o.Epoch != "" && !ValidEpoch(o.Epoch):
		return badRequest("invalid epoch")
	}
	for k := range o.Since {
		if !validStream(k) {
			return badRequest("invalid since")
		}
	}
	return nil
}

func (o *Unsubscribe) validate() *OpError {
	switch {
	case o.Channels == nil:
		return badRequest("missing channels")
	case o.Symbols == nil:
		return badRequest("missing symbols")
	case !nonEmpty(o.Channels):
		return badRequest("invalid channels")
	case !nonEmpty(o.Symbols):
		return badRequest("invalid symbols")
	}
	return nil
}

// validStream reports whether s looks like "CHANNEL:SYMBOL" with both
// parts non-empty.
func validStream(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			return i > 0 && i < len(s)-1
		}
	}
	return false
}
