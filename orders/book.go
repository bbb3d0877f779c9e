package orders

import "math"

// node is an order in the book's slab. Slot 0 is the nil slot.
type node struct {
	id     OrderID
	owner  Owner
	price  int64
	qty    int64 // total quantity (after amends)
	filled int64
	level  int32 // level slot while resting, 0 while matching
	prev   int32 // FIFO neighbours within the level
	next   int32
	oprev  int32 // neighbours in the owner's list
	onext  int32
	side   Side
	tif    TIF
	post   bool
}

func (n *node) remaining() int64 { return n.qty - n.filled }

// level is one price level: a FIFO of resting orders and their total.
type level struct {
	price int64
	total int64
	count int32
	head  int32
	tail  int32
	side  Side
}

// ownerList is the ends of an owner's list of live orders, oldest first.
type ownerList struct{ head, tail int32 }

// Book is the limit order book of one instrument. It is not safe for
// concurrent use: one goroutine (the venue's sequencer) owns it.
type Book struct {
	sink   Sink
	nodes  []node
	free   int32 // head of the free node list (linked through next)
	levels []level
	freeLv int32 // head of the free level list (linked through head)
	bids   ladder
	asks   ladder
	ids    idIndex
	owners map[Owner]ownerList
}

// NewBook returns an empty book that reports its events to sink.
func NewBook(sink Sink) *Book {
	b := &Book{
		sink:   sink,
		nodes:  make([]node, 1, 1024),
		levels: make([]level, 1, 256),
		bids:   ladder{sign: 1},
		asks:   ladder{sign: -1},
		owners: make(map[Owner]ownerList),
	}
	b.ids.init(minIndexBits)
	return b
}

// Len returns the number of resting orders.
func (b *Book) Len() int { return b.ids.n }

func (b *Book) ladder(s Side) *ladder {
	if s == Buy {
		return &b.bids
	}
	return &b.asks
}

func (b *Book) emit(e Event) { b.sink.Event(e) }

func (b *Book) reject(id OrderID, owner Owner, r Reason) bool {
	b.emit(Event{Kind: EvRejected, Reason: r, OrderID: id, Owner: owner})
	return false
}

// validate checks a request's fields; it returns ReasonNone when they are
// acceptable.
func validate(r *Request) Reason {
	switch {
	case r.ID == 0:
		return RejectInvalidID
	case r.Side != Buy && r.Side != Sell:
		return RejectInvalidSide
	case r.Type != Limit && r.Type != Market:
		return RejectInvalidType
	case r.TIF != GTC && r.TIF != IOC && r.TIF != FOK:
		return RejectInvalidTIF
	case r.Price <= 0 || r.Price > MaxPrice:
		return RejectInvalidPrice
	case r.Qty <= 0 || r.Qty > MaxQty:
		return RejectInvalidQty
	}
	return ReasonNone
}

// Submit enters a new order. It reports EvRejected and returns false if the
// order is refused; otherwise EvAccepted, then the matching events, and
// returns true. A limit GTC remainder rests; any other remainder expires.
func (b *Book) Submit(r Request) bool {
	if why := validate(&r); why != ReasonNone {
		return b.reject(r.ID, r.Owner, why)
	}
	if _, dup := b.ids.get(r.ID); dup {
		return b.reject(r.ID, r.Owner, RejectDuplicateID)
	}
	opp := b.ladder(r.Side.Opposite())
	best := opp.best()
	if r.Type == Market && best == 0 {
		return b.reject(r.ID, r.Owner, RejectNoLiquidity)
	}
	if r.PostOnly && best != 0 && opp.crosses(b.levels[best].price, r.Price) {
		return b.reject(r.ID, r.Owner, RejectPostOnlyCross)
	}
	var at spot
	if r.Type == Limit && r.TIF == GTC { // it may rest
		if at = b.locate(r.Side, r.Price); b.overflows(at, r.Qty) {
			return b.reject(r.ID, r.Owner, RejectOverflow)
		}
	}
	b.emit(Event{Kind: EvAccepted, Side: r.Side, OrderID: r.ID, Owner: r.Owner, Price: r.Price, Qty: r.Qty})
	if r.TIF == FOK && b.fillable(r.Side, r.Owner, r.Price, r.Qty) < r.Qty {
		b.emit(Event{Kind: EvDone, Reason: DoneFOKUnfillable, Side: r.Side, OrderID: r.ID, Owner: r.Owner, Price: r.Price, Qty: r.Qty})
		return true
	}
	tif := r.TIF
	if r.Type == Market || tif == FOK {
		tif = IOC // whatever is left after matching expires
	}
	slot := b.alloc()
	b.nodes[slot] = node{id: r.ID, owner: r.Owner, price: r.Price, qty: r.Qty, side: r.Side, tif: tif, post: r.PostOnly}
	b.match(slot)
	b.settle(slot, true, at)
	return true
}

// spot is where an incoming order would rest, as found before it matches:
// the level at its price on its side (0: none yet) and the ladder position
// of that price. Matching changes only the other side, so the level stays
// right; the position stays right while the order's own side has lost no
// level since (posOK).
type spot struct {
	lv    int32
	p     pos
	posOK bool
}

// locate finds where an order at (side, price) would rest.
func (b *Book) locate(s Side, price int64) spot {
	lv, p := b.ladder(s).find(price)
	return spot{lv: lv, p: p, posOK: true}
}

// overflows reports whether adding qty to the level at spot would overflow
// the level's total.
func (b *Book) overflows(at spot, qty int64) bool {
	return at.lv != 0 && b.levels[at.lv].total > math.MaxInt64-qty
}

// fillable returns how much an order of owner on side s limited at price
// could trade right now, up to want, not counting the owner's own orders
// (they would be canceled by self-trade prevention, not traded).
func (b *Book) fillable(s Side, owner Owner, price, want int64) int64 {
	opp := b.ladder(s.Opposite())
	ol, ok := b.owners[owner]
	hasOwn := ok && ol.head != 0
	var sum int64
	opp.each(func(slot int32) bool {
		lv := &b.levels[slot]
		if !opp.crosses(lv.price, price) {
			return false
		}
		if !hasOwn {
			sum += lv.total
			return sum < want
		}
		for o := lv.head; o != 0 && sum < want; o = b.nodes[o].next {
			if n := &b.nodes[o]; n.owner != owner {
				sum += n.remaining()
			}
		}
		return sum < want
	})
	return sum
}

// settle finishes an incoming order after matching: done when filled,
// expired when it may not rest, otherwise rested at the back of its level.
// fresh says whether the order is new (not yet in the id index or the
// owner's list); at is where it rests, as locate found it (or the zero
// spot: not known).
func (b *Book) settle(slot int32, fresh bool, at spot) {
	n := &b.nodes[slot]
	switch {
	case n.remaining() == 0:
		b.emit(Event{Kind: EvDone, Reason: DoneFilled, Side: n.side, OrderID: n.id, Owner: n.owner, Price: n.price})
		b.forget(slot, fresh)
	case n.tif != GTC:
		b.emit(Event{Kind: EvDone, Reason: DoneIOCRemainder, Side: n.side, OrderID: n.id, Owner: n.owner, Price: n.price, Qty: n.remaining()})
		b.forget(slot, fresh)
	default:
		if fresh {
			b.ids.put(n.id, slot)
			b.ownerAppend(slot)
		}
		b.rest(slot, at)
	}
}

// forget releases an order that leaves without resting.
func (b *Book) forget(slot int32, fresh bool) {
	if !fresh {
		b.ids.del(b.nodes[slot].id)
		b.ownerUnlink(slot)
	}
	b.release(slot)
}
