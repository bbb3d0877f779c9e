package orders

// Best returns the best level of side s, and false when the side is empty.
func (b *Book) Best(s Side) (Level, bool) {
	lv := b.ladder(s).best()
	if lv == 0 {
		return Level{}, false
	}
	l := &b.levels[lv]
	return Level{Price: l.price, Qty: l.total, Count: int(l.count)}, true
}

// Depth appends to dst the levels of side s, best first: the best n, or all
// of them when n <= 0.
func (b *Book) Depth(s Side, n int, dst []Level) []Level {
	left := n
	b.ladder(s).each(func(slot int32) bool {
		l := &b.levels[slot]
		dst = append(dst, Level{Price: l.price, Qty: l.total, Count: int(l.count)})
		left--
		return left != 0
	})
	return dst
}

// Levels returns the number of price levels on side s.
func (b *Book) Levels(s Side) int { return b.ladder(s).size() }

// Order returns the resting order id, and false when it is not resting.
func (b *Book) Order(id OrderID) (Order, bool) {
	s, ok := b.ids.get(id)
	if !ok {
		return Order{}, false
	}
	return b.view(s), true
}

// OwnerOrders appends owner's resting orders to dst, oldest first.
func (b *Book) OwnerOrders(owner Owner, dst []Order) []Order {
	for s := b.owners[owner].head; s != 0; s = b.nodes[s].onext {
		dst = append(dst, b.view(s))
	}
	return dst
}

// Queue appends the ids of the orders resting at (s, price) to dst, in
// their time priority.
func (b *Book) Queue(s Side, price int64, dst []OrderID) []OrderID {
	lv, _ := b.ladder(s).find(price)
	if lv == 0 {
		return dst
	}
	for o := b.levels[lv].head; o != 0; o = b.nodes[o].next {
		dst = append(dst, b.nodes[o].id)
	}
	return dst
}

func (b *Book) view(s int32) Order {
	n := &b.nodes[s]
	return Order{ID: n.id, Owner: n.owner, Side: n.side, TIF: n.tif, PostOnly: n.post, Price: n.price, Qty: n.qty, Filled: n.filled}
}
