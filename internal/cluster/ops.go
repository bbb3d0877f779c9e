package cluster

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/tickcast/tickcast/market"
)

// OpKind says what an Op asks of the engine.
type OpKind uint8

// Operation kinds: the session commands of market.Venue, and the queries
// an edge asks on behalf of REST (answered on the edge's reply list).
const (
	OpPlace OpKind = iota + 1
	OpCancel
	OpAmend
	OpCancelAll
	OpAuth
	OpDetach
	OpCreateAccount
	OpAccountHistory
	opKinds
)

// Op is one operation an edge sends the engine: plain data, encoded by
// AppendOp and decoded by DecodeOp.
type Op struct {
	Kind    OpKind
	Origin  market.Origin // the session (its top 24 bits: the edge's node id) and the op's id
	Account string
	Cod     bool                // OpAuth: cancel_on_disconnect
	Order   market.OrderRequest // OpPlace
	Ref     market.OrderRef     // OpCancel, OpAmend
	Amend   market.AmendRequest // OpAmend
	Symbol  string              // OpCancelAll ("" for every symbol)
	Req     uint64              // queries: the request id the reply carries
	Node    uint32              // queries: the edge that waits for the reply
	Limit   int                 // OpAccountHistory
}

// Limits on an encoded Op. Every field is checked before it is used: the
// bytes come from Redis, which any edge (or anything else that can reach
// Redis) writes.
const (
	MaxOpBytes  = 2048
	maxOpString = 256
	opVersion   = 1
)

// ErrBadOp is returned by DecodeOp for bytes that are no valid Op.
var ErrBadOp = errors.New("cluster: malformed operation")

// AppendOp appends the encoding of o to dst: a version byte, the kind, the
// integers as varints and the strings length-prefixed.
func AppendOp(dst []byte, o *Op) []byte {
	dst = append(dst, opVersion, byte(o.Kind))
	dst = binary.AppendUvarint(dst, o.Origin.Session)
	dst = binary.AppendVarint(dst, o.Origin.ID)
	var flags byte
	if o.Origin.HasID {
		flags |= 1
	}
	if o.Cod {
		flags |= 2
	}
	if o.Order.PostOnly {
		flags |= 4
	}
	dst = append(dst, flags)
	for _, s := range [...]string{o.Account, o.Order.CID, o.Order.Symbol, o.Order.Side, o.Order.Type, o.Order.TIF,
		o.Order.Qty, o.Order.Px, o.Ref.CID, o.Amend.Qty, o.Amend.Px, o.Symbol} {
		dst = binary.AppendUvarint(dst, uint64(len(s)))
		dst = append(dst, s...)
	}
	dst = binary.AppendUvarint(dst, o.Ref.OID)
	dst = binary.AppendUvarint(dst, o.Req)
	dst = binary.AppendUvarint(dst, uint64(o.Node))
	dst = binary.AppendUvarint(dst, uint64(max(o.Limit, 0)))
	return dst
}

// opReader reads the fields of an encoded Op, remembering the first error.
type opReader struct {
	b   []byte
	err error
}

func (r *opReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = fmt.Errorf("%w: bad integer", ErrBadOp)
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *opReader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = fmt.Errorf("%w: bad integer", ErrBadOp)
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *opReader) byte() byte {
	if r.err != nil {
		return 0
	}
	if len(r.b) == 0 {
		r.err = fmt.Errorf("%w: truncated", ErrBadOp)
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *opReader) string() string {
	n := r.uvarint()
	if r.err != nil {
		return ""
	}
	if n > maxOpString || n > uint64(len(r.b)) {
		r.err = fmt.Errorf("%w: string of %d bytes", ErrBadOp, n)
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

// DecodeOp decodes what AppendOp encoded. It refuses input over
// MaxOpBytes, an unknown version or kind, strings over 256 bytes, and
// trailing bytes; it never panics.
func DecodeOp(b []byte) (*Op, error) {
	if len(b) > MaxOpBytes {
		return nil, fmt.Errorf("%w: %d bytes", ErrBadOp, len(b))
	}
	r := &opReader{b: b}
	if v := r.byte(); r.err == nil && v != opVersion {
		return nil, fmt.Errorf("%w: version %d", ErrBadOp, v)
	}
	o := &Op{Kind: OpKind(r.byte())}
	if r.err == nil && (o.Kind == 0 || o.Kind >= opKinds) {
		return nil, fmt.Errorf("%w: kind %d", ErrBadOp, o.Kind)
	}
	o.Origin.Session = r.uvarint()
	o.Origin.ID = r.varint()
	flags := r.byte()
	if flags > 7 {
		return nil, fmt.Errorf("%w: flags %#x", ErrBadOp, flags)
	}
	o.Origin.HasID, o.Cod, o.Order.PostOnly = flags&1 != 0, flags&2 != 0, flags&4 != 0
	for _, p := range [...]*string{&o.Account, &o.Order.CID, &o.Order.Symbol, &o.Order.Side, &o.Order.Type, &o.Order.TIF,
		&o.Order.Qty, &o.Order.Px, &o.Ref.CID, &o.Amend.Qty, &o.Amend.Px, &o.Symbol} {
		*p = r.string()
	}
	o.Ref.OID = r.uvarint()
	o.Req = r.uvarint()
	node := r.uvarint()
	limit := r.uvarint()
	if r.err != nil {
		return nil, r.err
	}
	if node > maxNode || limit > 1<<20 {
		return nil, fmt.Errorf("%w: node %d, limit %d", ErrBadOp, node, limit)
	}
	o.Node, o.Limit = uint32(node), int(limit)
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrBadOp, len(r.b))
	}
	return o, nil
}

// maxNode is the largest node id (hub.Config.NodeID: 24 bits).
const maxNode = 1<<24 - 1

// NodeOf returns the node id in a session id (its top 24 bits).
func NodeOf(session uint64) uint32 { return uint32(session >> 40) }
