package wire

// Cancel cancels one open order, named by exactly one of OID (the
// server's order id) and CID (the client order id).
type Cancel struct {
	ID  ID
	OID ID
	CID string
}

// Amend changes the quantity and/or price of one open order, named by
// exactly one of OID and CID; Qty and Px are omitted when empty, and at
// least one must be set.
type Amend struct {
	ID  ID
	OID ID
	CID string
	Qty string
	Px  string
}

// CancelAll cancels all the account's open orders, or only those on
// symbol S when set.
type CancelAll struct {
	ID ID
	S  string
}

// OpName returns "cancel".
func (Cancel) OpName() string { return OpCancel }

// OpID returns the operation id.
func (o Cancel) OpID() ID { return o.ID }

// OpName returns "amend".
func (Amend) OpName() string { return OpAmend }

// OpID returns the operation id.
func (o Amend) OpID() ID { return o.ID }

// OpName returns "cancel_all".
func (CancelAll) OpName() string { return OpCancelAll }

// OpID returns the operation id.
func (o CancelAll) OpID() ID { return o.ID }

func (o *Cancel) setID(id ID)    { o.ID = id }
func (o *Amend) setID(id ID)     { o.ID = id }
func (o *CancelAll) setID(id ID) { o.ID = id }

// mpTarget appends oid or cid, whichever is set.
func mpTarget(dst []byte, oid ID, cid string) []byte {
	if oid.Valid {
		dst = mpKUint(dst, "oid", oid.Value)
	}
	if cid != "" {
		dst = mpKStr(dst, "cid", cid)
	}
	return dst
}

func jsTarget(dst []byte, oid ID, cid string) []byte {
	if oid.Valid {
		dst = jsKUint(dst, "oid", oid.Value)
	}
	if cid != "" {
		dst = jsKStr(dst, "cid", cid)
	}
	return dst
}

// AppendMsgpack appends the operation as a msgpack map.
func (o Cancel) AppendMsgpack(dst []byte) []byte {
	dst = mpOpHead(dst, OpCancel, o.ID, b2i(o.OID.Valid)+b2i(o.CID != ""))
	return mpTarget(dst, o.OID, o.CID)
}

// AppendJSON appends the operation as a JSON object.
func (o Cancel) AppendJSON(dst []byte) []byte {
	return append(jsTarget(jsOpHead(dst, OpCancel, o.ID), o.OID, o.CID), '}')
}

// AppendMsgpack appends the operation as a msgpack map.
func (o Amend) AppendMsgpack(dst []byte) []byte {
	n := b2i(o.OID.Valid) + b2i(o.CID != "") + b2i(o.Qty != "") + b2i(o.Px != "")
	dst = mpTarget(mpOpHead(dst, OpAmend, o.ID, n), o.OID, o.CID)
	if o.Qty != "" {
		dst = mpKStr(dst, "qty", o.Qty)
	}
	if o.Px != "" {
		dst = mpKStr(dst, "px", o.Px)
	}
	return dst
}

// AppendJSON appends the operation as a JSON object.
func (o Amend) AppendJSON(dst []byte) []byte {
	dst = jsTarget(jsOpHead(dst, OpAmend, o.ID), o.OID, o.CID)
	if o.Qty != "" {
		dst = jsKStr(dst, "qty", o.Qty)
	}
	if o.Px != "" {
		dst = jsKStr(dst, "px", o.Px)
	}
	return append(dst, '}')
}

// AppendMsgpack appends the operation as a msgpack map.
func (o CancelAll) AppendMsgpack(dst []byte) []byte {
	dst = mpOpHead(dst, OpCancelAll, o.ID, b2i(o.S != ""))
	if o.S != "" {
		dst = mpKStr(dst, "s", o.S)
	}
	return dst
}

// AppendJSON appends the operation as a JSON object.
func (o CancelAll) AppendJSON(dst []byte) []byte {
	dst = jsOpHead(dst, OpCancelAll, o.ID)
	if o.S != "" {
		dst = jsKStr(dst, "s", o.S)
	}
	return append(dst, '}')
}

func (o *Cancel) decodeField(r reader, k []byte) error {
	switch string(k) {
	case "oid":
		return readID(r, &o.OID)
	case "cid":
		return readStr(r, MaxCIDLen, &o.CID)
	}
	return r.skip()
}

func (o *Amend) decodeField(r reader, k []byte) error {
	switch string(k) {
	case "oid":
		return readID(r, &o.OID)
	case "cid":
		return readStr(r, MaxCIDLen, &o.CID)
	case "qty":
		return readStr(r, MaxDecimalLen, &o.Qty)
	case "px":
		return readStr(r, MaxDecimalLen, &o.Px)
	}
	return r.skip()
}

func (o *CancelAll) decodeField(r reader, k []byte) error {
	if string(k) == "s" {
		return readStr(r, MaxNameLen, &o.S)
	}
	return r.skip()
}

// validTarget checks that exactly one of oid and cid names the order.
func validTarget(oid ID, cid string) *OpError {
	switch {
	case oid.Valid == (cid != ""):
		return badRequest("exactly one of oid and cid required")
	case cid != "" && !ValidCID(cid):
		return badRequest("invalid cid")
	}
	return nil
}

func (o *Cancel) validate() *OpError { return validTarget(o.OID, o.CID) }

func (o *Amend) validate() *OpError {
	if e := validTarget(o.OID, o.CID); e != nil {
		return e
	}
	if o.Qty == "" && o.Px == "" {
		return badRequest("missing qty or px")
	}
	return nil
}

func (o *CancelAll) validate() *OpError { return nil }
