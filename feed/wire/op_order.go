package wire

// NewOrder places an order (op "order"; named NewOrder here because Order
// is the server's order message). Px is for limit orders; TIF "" means the
// default "gtc"; Px, TIF and a false PostOnly are omitted on the wire.
type NewOrder struct {
	ID       ID
	CID      string
	S        string
	Side     string
	Type     string
	Qty      string
	Px       string
	TIF      string
	PostOnly bool

	seen    fieldSet // keys present in the decoded input
	tooLong fieldSet // keys whose value was longer than allowed
}

// fieldSet records per-field facts while decoding an order.
type fieldSet uint8

const (
	fCID fieldSet = 1 << iota
	fS
	fSide
	fType
	fQty
	fPx
	fTIF
)

// OpName returns "order".
func (NewOrder) OpName() string { return OpOrder }

// OpID returns the operation id.
func (o NewOrder) OpID() ID { return o.ID }

func (o *NewOrder) setID(id ID) { o.ID = id }

// AppendMsgpack appends the operation as a msgpack map.
func (o NewOrder) AppendMsgpack(dst []byte) []byte {
	px, tif := o.Px != "", o.TIF != ""
	dst = mpOpHead(dst, OpOrder, o.ID, 5+b2i(px)+b2i(tif)+b2i(o.PostOnly))
	dst = mpKStr(dst, "cid", o.CID)
	dst = mpKStr(dst, "s", o.S)
	dst = mpKStr(dst, "side", o.Side)
	dst = mpKStr(dst, "type", o.Type)
	dst = mpKStr(dst, "qty", o.Qty)
	if px {
		dst = mpKStr(dst, "px", o.Px)
	}
	if tif {
		dst = mpKStr(dst, "tif", o.TIF)
	}
	if o.PostOnly {
		dst = mpKBool(dst, "post_only", true)
	}
	return dst
}

// AppendJSON appends the operation as a JSON object.
func (o NewOrder) AppendJSON(dst []byte) []byte {
	dst = jsOpHead(dst, OpOrder, o.ID)
	dst = jsKStr(dst, "cid", o.CID)
	dst = jsKStr(dst, "s", o.S)
	dst = jsKStr(dst, "side", o.Side)
	dst = jsKStr(dst, "type", o.Type)
	dst = jsKStr(dst, "qty", o.Qty)
	if o.Px != "" {
		dst = jsKStr(dst, "px", o.Px)
	}
	if o.TIF != "" {
		dst = jsKStr(dst, "tif", o.TIF)
	}
	if o.PostOnly {
		dst = jsKBool(dst, "post_only", true)
	}
	return append(dst, '}')
}

func (o *NewOrder) decodeField(r reader, k []byte) error {
	switch string(k) {
	case "cid":
		return o.str(r, fCID, MaxCIDLen, &o.CID)
	case "s":
		return o.str(r, fS, MaxNameLen, &o.S)
	case "side":
		return o.str(r, fSide, MaxWordLen, &o.Side)
	case "type":
		return o.str(r, fType, MaxWordLen, &o.Type)
	case "qty":
		return o.str(r, fQty, MaxDecimalLen, &o.Qty)
	case "px":
		return o.str(r, fPx, MaxDecimalLen, &o.Px)
	case "tif":
		return o.str(r, fTIF, MaxWordLen, &o.TIF)
	case "post_only":
		return readBool(r, &o.PostOnly)
	}
	return r.skip()
}

// str reads field f, noting presence, and notes a value that is too long
// instead of failing so that validate can choose the answer.
func (o *NewOrder) str(r reader, f fieldSet, max int, dst *string) error {
	b, err := r.str(max)
	switch err {
	case nil:
		*dst = word(b)
	case errTooLong:
		o.tooLong |= f
		err = r.skip()
	default:
		return err
	}
	o.seen |= f
	return err
}

func (o *NewOrder) validate() *OpError {
	seen, long := o.seen, o.tooLong
	o.seen, o.tooLong = 0, 0
	switch {
	case seen&fCID == 0:
		return badRequest("missing cid")
	case !ValidCID(o.CID):
		return badRequest("invalid cid")
	case seen&fS == 0 || o.S == "":
		return badRequest("missing s")
	case long&fS != 0:
		return badRequest("s too long")
	case seen&fSide == 0:
		return badRequest("missing side")
	case seen&fType == 0:
		return badRequest("missing type")
	case seen&fQty == 0:
		return badRequest("missing qty")
	case long&fSide != 0 || (o.Side != SideBuy && o.Side != SideSell):
		return reject(ReasonInvalidSide, "invalid side")
	case long&fType != 0 || (o.Type != TypeLimit && o.Type != TypeMarket):
		return reject(ReasonInvalidType, "invalid type")
	case seen&fTIF != 0 && (long&fTIF != 0 || (o.TIF != TIFGTC && o.TIF != TIFIOC && o.TIF != TIFFOK)):
		return reject(ReasonInvalidTIF, "invalid tif")
	case long&fQty != 0:
		return reject("invalid_qty", "invalid qty")
	case long&fPx != 0:
		return reject("invalid_price", "invalid price")
	}
	return nil
}
