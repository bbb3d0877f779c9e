package orders

import "math"

// lookup returns the slot of owner's live order id, or 0.
func (b *Book) lookup(owner Owner, id OrderID) int32 {
	if s, ok := b.ids.get(id); ok && b.nodes[s].owner == owner {
		return s
	}
	return 0
}

// Cancel removes owner's resting order id, reporting EvDone with reason
// (DoneCanceled for a user's cancel, DoneDisconnect for cancel-on-
// disconnect) and the level change. An id that is not resting, or not
// owner's, is rejected with RejectUnknownOrder.
func (b *Book) Cancel(owner Owner, id OrderID, reason Reason) bool {
	s := b.lookup(owner, id)
	if s == 0 {
		return b.reject(id, owner, RejectUnknownOrder)
	}
	b.cancelSlot(s, reason)
	return true
}

func (b *Book) cancelSlot(s int32, reason Reason) {
	n := &b.nodes[s]
	b.emit(Event{Kind: EvDone, Reason: reason, Side: n.side, OrderID: n.id, Owner: n.owner, Price: n.price, Qty: n.remaining()})
	b.detach(s)
	b.forget(s, false)
}

// CancelAll cancels every resting order of owner in this book, oldest
// first, with reason, and returns how many it canceled.
func (b *Book) CancelAll(owner Owner, reason Reason) int {
	count := 0
	for s := b.owners[owner].head; s != 0; count++ {
		next := b.nodes[s].onext
		b.cancelSlot(s, reason)
		s = next
	}
	return count
}

// Amend changes owner's resting order id to price and the total quantity
// qty (filled part included, so qty must exceed what has filled).
//
// Lowering the quantity at the same price keeps the order's place in the
// queue. Raising it moves the order to the back of its level. A new price
// takes the order off its level and enters it at the new price like an
// incoming order: it may trade (self-trade prevention applies), and its
// remainder rests at the back. A post-only order whose new price would
// trade is rejected and left as it was. Reports EvAmended, then the level
// changes and any matching events.
func (b *Book) Amend(owner Owner, id OrderID, price, qty int64) bool {
	s := b.lookup(owner, id)
	if s == 0 {
		return b.reject(id, owner, RejectUnknownOrder)
	}
	n := &b.nodes[s]
	if price <= 0 || price > MaxPrice {
		return b.reject(id, owner, RejectInvalidPrice)
	}
	if qty <= n.filled || qty > MaxQty {
		return b.reject(id, owner, RejectInvalidQty)
	}
	amended := Event{Kind: EvAmended, Side: n.side, OrderID: id, Owner: owner, Price: price, Qty: qty}
	if price == n.price {
		lv := n.level
		delta := qty - n.qty
		if delta > 0 && b.levels[lv].total > math.MaxInt64-delta {
			return b.reject(id, owner, RejectOverflow)
		}
		b.emit(amended)
		n.qty = qty
		if delta > 0 {
			b.requeue(s)
		}
		if delta != 0 {
			b.levels[lv].total += delta
			b.emitLevel(lv)
		}
		return true
	}
	opp := b.ladder(n.side.Opposite())
	if best := opp.best(); n.post && best != 0 && opp.crosses(b.levels[best].price, price) {
		return b.reject(id, owner, RejectPostOnlyCross)
	}
	at := b.locate(n.side, price)
	if b.overflows(at, qty-n.filled) {
		return b.reject(id, owner, RejectOverflow)
	}
	// Leaving its level takes the level out of the ladder if the order
	// was alone there, which moves the positions after it.
	at.posOK = b.levels[n.level].count > 1
	b.emit(amended)
	b.detach(s)
	n.price, n.qty = price, qty
	b.match(s)
	b.settle(s, false, at)
	return true
}

// requeue moves the resting order in slot to the back of its level.
func (b *Book) requeue(s int32) {
	n := &b.nodes[s]
	l := &b.levels[n.level]
	if l.tail == s {
		return
	}
	if n.prev != 0 {
		b.nodes[n.prev].next = n.next
	} else {
		l.head = n.next
	}
	b.nodes[n.next].prev = n.prev
	b.nodes[l.tail].next = s
	n.prev, n.next = l.tail, 0
	l.tail = s
}
