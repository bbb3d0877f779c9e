package orders

// match trades the incoming order in slot against the opposite side, best
// price first and oldest first within a price, while it crosses. The order
// is not linked into any level while it matches. Resting orders of the same
// owner are canceled (self-trade prevention) and matching goes on.
func (b *Book) match(slot int32) {
	t := &b.nodes[slot] // the node slab does not grow while matching
	opp := b.ladder(t.side.Opposite())
	for t.remaining() > 0 {
		lv := opp.best()
		if lv == 0 || !opp.crosses(b.levels[lv].price, t.price) {
			return
		}
		ms := b.levels[lv].head
		m := &b.nodes[ms]
		if m.owner == t.owner {
			b.emit(Event{Kind: EvDone, Reason: DoneSelfTrade, Side: m.side, OrderID: m.id, Owner: m.owner, Price: m.price, Qty: m.remaining()})
			b.detach(ms)
			b.forget(ms, false)
			continue
		}
		q := min(t.remaining(), m.remaining())
		t.filled += q
		m.filled += q
		b.levels[lv].total -= q
		b.emit(Event{Kind: EvTrade, Side: t.side, OrderID: t.id, Owner: t.owner, MakerID: m.id, MakerOwner: m.owner, Price: m.price, Qty: q})
		if m.remaining() > 0 {
			b.emitLevel(lv)
			continue
		}
		b.emit(Event{Kind: EvDone, Reason: DoneFilled, Side: m.side, OrderID: m.id, Owner: m.owner, Price: m.price})
		b.detach(ms)
		b.forget(ms, false)
	}
}

func (b *Book) emitLevel(lv int32) {
	l := &b.levels[lv]
	b.emit(Event{Kind: EvLevel, Side: l.side, Price: l.price, Qty: l.total})
}
