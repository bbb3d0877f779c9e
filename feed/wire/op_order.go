package wire

// NewOrder places an order (op "order"; named NewOrder here because Order
// is the server's order message). Px is for limit orders; TIF "" means the
// default "gtc"; Px, TIF and a false PostOnly are omitted on the wire.
type NewOrder struct {
	ID       ID     `json:"id,omitempty,omitzero"`
	CID      string `json:"cid"`
	S        string `json:"s"`
	Side     string `json:"side"`
	Type     string `json:"type"`
	Qty      string `json:"qty"`
	Px       string `json:"px,omitempty"`
	TIF      string `json:"tif,omitempty"`
	PostOnly bool   `json:"post_only,omitempty"`
}

// OpName returns "order".
func (NewOrder) OpName() string { return OpOrder }

// OpID returns the operation id.
func (o NewOrder) OpID() ID { return o.ID }

// validate answers a structural mistake with an error and a bad value of
// side, type, tif, qty or px with an order rejection (protocol.md 8.4); a value
// too long to read is left empty by DecodeOp and noted in k.
func (o *NewOrder) validate(k keys) *OpError {
	switch {
	case !k.has("cid"):
		return badRequest("missing cid")
	case !ValidCID(o.CID):
		return badRequest("invalid cid")
	case !k.has("s") || o.S == "": // also when too long to read
		return badRequest("missing s")
	case !k.has("side"):
		return badRequest("missing side")
	case !k.has("type"):
		return badRequest("missing type")
	case !k.has("qty"):
		return badRequest("missing qty")
	case o.Side != SideBuy && o.Side != SideSell:
		return reject(ReasonInvalidSide, "invalid side")
	case o.Type != TypeLimit && o.Type != TypeMarket:
		return reject(ReasonInvalidType, "invalid type")
	case k.has("tif") && o.TIF != TIFGTC && o.TIF != TIFIOC && o.TIF != TIFFOK:
		return reject(ReasonInvalidTIF, "invalid tif")
	case k.tooLong("qty"):
		return reject("invalid_qty", "invalid qty")
	case k.tooLong("px"):
		return reject("invalid_price", "invalid price")
	}
	return nil
}
