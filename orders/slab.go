package orders

// The book keeps orders and levels in slabs (slices indexed by int32 slots)
// with free lists, so that steady-state operation allocates nothing and the
// garbage collector has no pointers to chase.

func (b *Book) alloc() int32 {
	if s := b.free; s != 0 {
		b.free = b.nodes[s].next
		return s
	}
	b.nodes = append(b.nodes, node{})
	return int32(len(b.nodes) - 1)
}

func (b *Book) release(s int32) {
	b.nodes[s] = node{next: b.free}
	b.free = s
}

func (b *Book) allocLevel(side Side, price int64) int32 {
	s := b.freeLv
	if s != 0 {
		b.freeLv = b.levels[s].head
	} else {
		b.levels = append(b.levels, level{})
		s = int32(len(b.levels) - 1)
	}
	b.levels[s] = level{side: side, price: price}
	return s
}

// rest links the order in slot at the back of its price level, creating the
// level if needed, and reports the level's new total. at is where the
// level is, as locate found it before matching (see spot).
func (b *Book) rest(slot int32, at spot) {
	n := &b.nodes[slot]
	ld := b.ladder(n.side)
	lv, pos := at.lv, at.p
	if lv == 0 && !at.posOK {
		lv, pos = ld.find(n.price)
	}
	if lv == 0 {
		lv = b.allocLevel(n.side, n.price)
		ld.insertAt(pos, n.price, lv)
	}
	l := &b.levels[lv]
	n.level = lv
	n.prev, n.next = l.tail, 0
	if l.tail != 0 {
		b.nodes[l.tail].next = slot
	} else {
		l.head = slot
	}
	l.tail = slot
	l.count++
	l.total += n.remaining()
	b.emitLevel(lv)
}

// detach unlinks the resting order in slot from its level, takes its
// remaining quantity off the level's total, reports the level, and removes
// the level when it empties.
func (b *Book) detach(slot int32) {
	n := &b.nodes[slot]
	lv := n.level
	l := &b.levels[lv]
	if n.prev != 0 {
		b.nodes[n.prev].next = n.next
	} else {
		l.head = n.next
	}
	if n.next != 0 {
		b.nodes[n.next].prev = n.prev
	} else {
		l.tail = n.prev
	}
	n.prev, n.next, n.level = 0, 0, 0
	l.count--
	l.total -= n.remaining()
	b.emitLevel(lv)
	if l.count == 0 {
		b.ladder(l.side).remove(l.price)
		*l = level{head: b.freeLv}
		b.freeLv = lv
	}
}

// ownerAppend adds the order in slot to the end of its owner's list.
func (b *Book) ownerAppend(slot int32) {
	n := &b.nodes[slot]
	ol := b.owners[n.owner]
	n.oprev, n.onext = ol.tail, 0
	if ol.tail != 0 {
		b.nodes[ol.tail].onext = slot
	} else {
		ol.head = slot
	}
	ol.tail = slot
	b.owners[n.owner] = ol
}

// ownerUnlink removes the order in slot from its owner's list. An emptied
// list keeps its map entry, so owners that come and go cause no map churn.
func (b *Book) ownerUnlink(slot int32) {
	n := &b.nodes[slot]
	ol := b.owners[n.owner]
	if n.oprev != 0 {
		b.nodes[n.oprev].onext = n.onext
	} else {
		ol.head = n.onext
	}
	if n.onext != 0 {
		b.nodes[n.onext].oprev = n.oprev
	} else {
		ol.tail = n.oprev
	}
	n.oprev, n.onext = 0, 0
	b.owners[n.owner] = ol
}
