package orders

import (
	"encoding/binary"
	"testing"
)

// decodeOps turns arbitrary bytes into at most maxOps operations, eight
// bytes each: kind, owner, side/type/tif/post-only bits, id, price, qty.
// Values are taken modulo small ranges so that ids collide and prices cross,
// with rare escapes to extreme values.
func decodeOps(data []byte, maxOps int) []op {
	var ops []op
	for len(data) >= 8 && len(ops) < maxOps {
		c := data[:8]
		data = data[8:]
		owner := Owner(c[1]%4 + 1)
		id := OrderID(c[3] % 64)
		price := int64(c[4]%32) + 90
		qty := int64(c[5]%16) + 1
		switch c[6] % 16 {
		case 0:
			price = -int64(c[7])
		case 1:
			price = MaxPrice + int64(c[7]%2)
		case 2:
			qty = MaxQty + int64(c[7]%2) - 1
		case 3:
			qty = -int64(c[7] % 2)
		case 4:
			qty = int64(binary.LittleEndian.Uint16(c[6:8]))
		}
		switch opKind(c[0] % 8) {
		case 0, 1, 2, 3:
			f := c[2]
			q := Request{ID: id, Owner: owner, Side: Side(f%3 + (f>>7)&1), Type: Type((f >> 2) % 4), TIF: TIF((f >> 4) % 4), PostOnly: f&0x40 != 0, Price: price, Qty: qty}
			ops = append(ops, op{kind: opSubmit, req: q})
		case 4, 5:
			ops = append(ops, op{kind: opCancel, owner: owner, id: id})
		case 6:
			ops = append(ops, op{kind: opAmend, owner: owner, id: id, price: price, qty: qty})
		default:
			ops = append(ops, op{kind: opCancelAll, owner: owner})
		}
	}
	return ops
}

// FuzzBook decodes arbitrary bytes into operations and requires that the
// book never panics, keeps its invariants and agrees with the reference.
func FuzzBook(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 1, 0x11, 5, 10, 3, 9, 0, 0, 2, 0x12, 6, 10, 5, 9, 0})
	g := newGen(3)
	seed := make([]byte, 0, 8*64)
	for range 64 {
		o := g.next()
		seed = append(seed, byte(o.kind), byte(o.owner), byte(o.req.Side)|byte(o.req.TIF)<<4, byte(o.req.ID), byte(o.req.Price), byte(o.req.Qty), 7, 0)
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, data []byte) {
		p := newPair()
		for _, o := range decodeOps(data, 512) {
			if err := p.apply(o); err != nil {
				t.Fatal(err)
			}
		}
	})
}
