package wire

import (
	"bytes"
	"encoding/json"

	"github.com/vmihailenco/msgpack/v5"
)

// The private messages of an account (protocol.md 5.7 to 5.9, 8.1), sent to every
// connection authenticated as it.

// Order is a private order update (t "order"). ID is present only on the
// message that answers an operation (order, cancel, amend): the first
// update of a new or rejected order, a cancel's confirmation, an amend's
// result. Reason is present (non-empty) for the statuses canceled, expired
// and rejected. All other strings are always written, empty ones as ""
// (AvgPx before any fill; Px of a market order).
type Order struct {
	ID       ID     `json:"id,omitempty,omitzero"`
	OID      uint64 `json:"oid"`
	CID      string `json:"cid"`
	S        string `json:"s"`
	Side     string `json:"side"`
	Type     string `json:"type"`
	TIF      string `json:"tif"`
	PostOnly bool   `json:"post_only"`
	Px       string `json:"px"`
	Qty      string `json:"qty"`
	Filled   string `json:"filled"`
	AvgPx    string `json:"avg_px"`
	Status   string `json:"status"`
	Reason   string `json:"reason,omitempty"`
	Seq      uint64 `json:"seq"`
	Ts       int64  `json:"ts"`
}

// Fill is a private execution of one of the account's orders (t "fill").
// Liq is "maker" or "taker"; TradeID matches the public trade's id.
type Fill struct {
	OID     uint64 `json:"oid"`
	CID     string `json:"cid"`
	TradeID uint64 `json:"trade_id"`
	S       string `json:"s"`
	Side    string `json:"side"`
	Px      string `json:"px"`
	Qty     string `json:"qty"`
	Liq     string `json:"liq"`
	Seq     uint64 `json:"seq"`
	Ts      int64  `json:"ts"`
}

// Account is a private snapshot of the account's balances (t "account").
type Account struct {
	Account  string   `json:"account"`
	Balances Balances `json:"balances"`
	Seq      uint64   `json:"seq"`
	Ts       int64    `json:"ts"`
}

// Kind returns KindOrder.
func (Order) Kind() Kind { return KindOrder }

// Kind returns KindFill.
func (Fill) Kind() Kind { return KindFill }

// Kind returns KindAccount.
func (Account) Kind() Kind { return KindAccount }

// AppendMsgpack appends the order as a msgpack map.
func (m *Order) AppendMsgpack(dst []byte) []byte { return appendMsg(MsgPack, dst, m) }

// AppendJSON appends the order as a JSON object.
func (m *Order) AppendJSON(dst []byte) []byte { return appendMsg(JSON, dst, m) }

// AppendMsgpack appends the fill as a msgpack map.
func (m *Fill) AppendMsgpack(dst []byte) []byte { return appendMsg(MsgPack, dst, m) }

// AppendJSON appends the fill as a JSON object.
func (m *Fill) AppendJSON(dst []byte) []byte { return appendMsg(JSON, dst, m) }

// AppendMsgpack appends the account as a msgpack map.
func (m *Account) AppendMsgpack(dst []byte) []byte { return appendMsg(MsgPack, dst, m) }

// AppendJSON appends the account as a JSON object.
func (m *Account) AppendJSON(dst []byte) []byte { return appendMsg(JSON, dst, m) }

// Balance is one asset of an account: its total and the part not reserved
// by open orders. On the wire it is the value {total, available} of the
// asset's key in the balances map.
type Balance struct {
	Asset     string `json:"-"`
	Total     string `json:"total"`
	Available string `json:"available"`
}

// Balances are an account's balances. On the wire they are a map from asset
// to balance; here a slice, written in its order (the venue's asset order)
// and read in the order received, so that encoding is deterministic, which
// a Go map would not be. An empty map reads as nil.
type Balances []Balance

// MarshalJSON writes the balances as one object, in order.
func (bs Balances) MarshalJSON() ([]byte, error) {
	out := []byte{'{'}
	for i := range bs {
		if i > 0 {
			out = append(out, ',')
		}
		k, _ := json.Marshal(bs[i].Asset)
		v, _ := json.Marshal(&bs[i])
		out = append(append(append(out, k...), ':'), v...)
	}
	return append(out, '}'), nil
}

// UnmarshalJSON reads an object of balances, in order.
func (bs *Balances) UnmarshalJSON(b []byte) error {
	d := json.NewDecoder(bytes.NewReader(b))
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return errType
	}
	var out Balances
	for d.More() {
		var v Balance
		t, err := d.Token() // a key: a string
		if err != nil || d.Decode(&v) != nil {
			return errType
		}
		v.Asset = t.(string)
		out = append(out, v)
	}
	*bs = out
	return nil
}

// EncodeMsgpack writes the balances as one map, in order.
func (bs Balances) EncodeMsgpack(e *msgpack.Encoder) error {
	_ = e.EncodeMapLen(len(bs))
	for i := range bs {
		_ = e.EncodeString(bs[i].Asset)
		if err := e.Encode(&bs[i]); err != nil {
			return err
		}
	}
	return nil
}

// DecodeMsgpack reads a map of balances, in order.
func (bs *Balances) DecodeMsgpack(d *msgpack.Decoder) error {
	n, err := d.DecodeMapLen()
	if err != nil {
		return err
	}
	var out Balances
	for range n {
		var v Balance
		if v.Asset, err = d.DecodeString(); err != nil {
			return err
		}
		if err := d.Decode(&v); err != nil {
			return err
		}
		out = append(out, v)
	}
	*bs = out
	return nil
}
