package market

import "github.com/vmihailenco/msgpack/v5"

// orderUpdateText is OrderUpdate as msgpack carries it (feed/bus,
// internal/cluster): its fields under the same names, the decimals as
// their text, a refused order's echoed strings in place of its price and
// quantity. These are the bytes reflection wrote when OrderUpdate's
// decimals were strings.
type orderUpdateText struct {
	OID      uint64
	CID      string
	Side     string
	Type     string
	TIF      string
	PostOnly bool
	Px       string
	Qty      string
	Filled   string
	AvgPx    string
	Status   string
	Reason   string
}

// EncodeMsgpack writes u as orderUpdateText (msgpack.CustomEncoder), with
// the encoder's options (omitempty, compact integers).
func (u *OrderUpdate) EncodeMsgpack(enc *msgpack.Encoder) error {
	return enc.Encode(&orderUpdateText{OID: u.OID, CID: u.CID, Side: u.Side, Type: u.Type, TIF: u.TIF, PostOnly: u.PostOnly,
		Px: u.PxText(), Qty: u.QtyText(), Filled: u.Filled.String(), AvgPx: u.AvgPx.String(), Status: u.Status, Reason: u.Reason})
}

// DecodeMsgpack reads what EncodeMsgpack wrote (msgpack.CustomDecoder).
// A price or quantity that is not a Dec's text is an echo (EchoPx,
// EchoQty); Filled and AvgPx must be Decs'.
func (u *OrderUpdate) DecodeMsgpack(dec *msgpack.Decoder) error {
	var t orderUpdateText
	if err := dec.Decode(&t); err != nil {
		return err
	}
	*u = OrderUpdate{OID: t.OID, CID: t.CID, Side: t.Side, Type: t.Type, TIF: t.TIF, PostOnly: t.PostOnly, Status: t.Status, Reason: t.Reason}
	var err error
	if u.Px, err = ParseDec(t.Px); err != nil {
		u.EchoPx = t.Px
	}
	if u.Qty, err = ParseDec(t.Qty); err != nil {
		u.EchoQty = t.Qty
	}
	if u.Filled, err = ParseDec(t.Filled); err != nil {
		return err
	}
	u.AvgPx, err = ParseDec(t.AvgPx)
	return err
}
