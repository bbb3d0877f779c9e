package orders

import (
	"math"
	"sort"
)

// refBook is the obviously correct reference for the differential test:
// each side a slice of resting orders kept in priority order (best price
// first, then oldest), every question answered by a scan. It is slow on
// purpose and shares no code with Book.
type refBook struct {
	sides  [3][]*refOrder // indexed by Side
	byID   map[OrderID]*refOrder
	clock  int // time priority: larger is later
	events []Event
}

type refOrder struct {
	Order
	time      int // when it joined its level's queue
	ownerTime int // when it first rested (cancel-all order)
}

func newRefBook() *refBook { return &refBook{byID: map[OrderID]*refOrder{}} }

func (r *refBook) emit(e Event) { r.events = append(r.events, e) }

func (r *refBook) reject(id OrderID, owner Owner, why Reason) bool {
	r.emit(Event{Kind: EvRejected, Reason: why, OrderID: id, Owner: owner})
	return false
}

func (r *refBook) find(id OrderID) *refOrder { return r.byID[id] }

// better reports whether price a has priority over price b on side s.
func better(s Side, a, b int64) bool {
	if s == Buy {
		return a > b
	}
	return a < b
}

func crosses(taker Side, limit, resting int64) bool {
	if taker == Buy {
		return resting <= limit
	}
	return resting >= limit
}

// levelStart is the index of the first order on side s whose price is not
// better than price.
func (r *refBook) levelStart(s Side, price int64) int {
	q := r.sides[s]
	return sort.Search(len(q), func(i int) bool { return !better(s, q[i].Price, price) })
}

// levelTotal sums the remaining quantity resting at (side, price).
func (r *refBook) levelTotal(side Side, price int64) int64 {
	var t int64
	q := r.sides[side]
	for i := r.levelStart(side, price); i < len(q) && q[i].Price == price; i++ {
		t += q[i].Remaining()
	}
	return t
}

func (r *refBook) emitLevel(side Side, price int64) {
	r.emit(Event{Kind: EvLevel, Side: side, Price: price, Qty: r.levelTotal(side, price)})
}

// queue returns the resting orders of side s in priority order.
func (r *refBook) queue(s Side) []*refOrder { return r.sides[s] }

// insert adds o, the newest order, behind every order of its price or better.
func (r *refBook) insert(o *refOrder) {
	q := r.sides[o.Side]
	i := sort.Search(len(q), func(i int) bool { return better(o.Side, o.Price, q[i].Price) })
	q = append(q, nil)
	copy(q[i+1:], q[i:])
	q[i] = o
	r.sides[o.Side] = q
	r.byID[o.ID] = o
}

func (r *refBook) remove(o *refOrder) {
	q := r.sides[o.Side]
	for i, x := range q {
		if x == o {
			r.sides[o.Side] = append(q[:i], q[i+1:]...)
			delete(r.byID, o.ID)
			return
		}
	}
	panic("remove: not resting")
}

func (r *refBook) submit(q Request) bool {
	switch {
	case q.ID == 0:
		return r.reject(q.ID, q.Owner, RejectInvalidID)
	case q.Side != Buy && q.Side != Sell:
		return r.reject(q.ID, q.Owner, RejectInvalidSide)
	case q.Type != Limit && q.Type != Market:
		return r.reject(q.ID, q.Owner, RejectInvalidType)
	case q.TIF < GTC || q.TIF > FOK:
		return r.reject(q.ID, q.Owner, RejectInvalidTIF)
	case q.Price < 1 || q.Price > MaxPrice:
		return r.reject(q.ID, q.Owner, RejectInvalidPrice)
	case q.Qty < 1 || q.Qty > MaxQty:
		return r.reject(q.ID, q.Owner, RejectInvalidQty)
	case r.find(q.ID) != nil:
		return r.reject(q.ID, q.Owner, RejectDuplicateID)
	}
	opp := r.queue(q.Side.Opposite())
	if q.Type == Market && len(opp) == 0 {
		return r.reject(q.ID, q.Owner, RejectNoLiquidity)
	}
	if q.PostOnly && len(opp) > 0 && crosses(q.Side, q.Price, opp[0].Price) {
		return r.reject(q.ID, q.Owner, RejectPostOnlyCross)
	}
	if q.Type == Limit && q.TIF == GTC && r.levelTotal(q.Side, q.Price) > math.MaxInt64-q.Qty {
		return r.reject(q.ID, q.Owner, RejectOverflow)
	}
	r.emit(Event{Kind: EvAccepted, Side: q.Side, OrderID: q.ID, Owner: q.Owner, Price: q.Price, Qty: q.Qty})
	if q.TIF == FOK {
		var avail int64
		for _, o := range opp {
			if crosses(q.Side, q.Price, o.Price) && o.Owner != q.Owner {
				avail += o.Remaining()
			}
		}
		if avail < q.Qty {
			r.emit(Event{Kind: EvDone, Reason: DoneFOKUnfillable, Side: q.Side, OrderID: q.ID, Owner: q.Owner, Price: q.Price, Qty: q.Qty})
			return true
		}
	}
	o := &refOrder{Order: Order{ID: q.ID, Owner: q.Owner, Side: q.Side, TIF: q.TIF, PostOnly: q.PostOnly, Price: q.Price, Qty: q.Qty}}
	if q.Type == Market {
		o.TIF = IOC
	}
	if o.TIF == FOK {
		o.TIF = IOC
	}
	r.trade(o)
	r.finish(o, true)
	return true
}

// trade matches the incoming order o against the opposite side.
func (r *refBook) trade(o *refOrder) {
	for o.Remaining() > 0 {
		opp := r.queue(o.Side.Opposite())
		if len(opp) == 0 || !crosses(o.Side, o.Price, opp[0].Price) {
			return
		}
		m := opp[0]
		if m.Owner == o.Owner {
			r.emit(Event{Kind: EvDone, Reason: DoneSelfTrade, Side: m.Side, OrderID: m.ID, Owner: m.Owner, Price: m.Price, Qty: m.Remaining()})
			r.remove(m)
			r.emitLevel(m.Side, m.Price)
			continue
		}
		q := min(o.Remaining(), m.Remaining())
		o.Filled += q
		m.Filled += q
		r.emit(Event{Kind: EvTrade, Side: o.Side, OrderID: o.ID, Owner: o.Owner, MakerID: m.ID, MakerOwner: m.Owner, Price: m.Price, Qty: q})
		if m.Remaining() == 0 {
			r.emit(Event{Kind: EvDone, Reason: DoneFilled, Side: m.Side, OrderID: m.ID, Owner: m.Owner, Price: m.Price})
			r.remove(m)
		}
		r.emitLevel(m.Side, m.Price)
	}
}

// finish settles o after matching; fresh says o was never resting.
func (r *refBook) finish(o *refOrder, fresh bool) {
	switch {
	case o.Remaining() == 0:
		r.emit(Event{Kind: EvDone, Reason: DoneFilled, Side: o.Side, OrderID: o.ID, Owner: o.Owner, Price: o.Price})
	case o.TIF != GTC:
		r.emit(Event{Kind: EvDone, Reason: DoneIOCRemainder, Side: o.Side, OrderID: o.ID, Owner: o.Owner, Price: o.Price, Qty: o.Remaining()})
	default:
		r.clock++
		o.time = r.clock
		if fresh {
			o.ownerTime = r.clock
		}
		r.insert(o)
		r.emitLevel(o.Side, o.Price)
	}
}

func (r *refBook) owned(owner Owner, id OrderID) *refOrder {
	if o := r.find(id); o != nil && o.Owner == owner {
		return o
	}
	return nil
}

func (r *refBook) cancel(owner Owner, id OrderID, why Reason) bool {
	o := r.owned(owner, id)
	if o == nil {
		return r.reject(id, owner, RejectUnknownOrder)
	}
	r.emit(Event{Kind: EvDone, Reason: why, Side: o.Side, OrderID: o.ID, Owner: o.Owner, Price: o.Price, Qty: o.Remaining()})
	r.remove(o)
	r.emitLevel(o.Side, o.Price)
	return true
}

func (r *refBook) ownerOrders(owner Owner) []*refOrder {
	var mine []*refOrder
	for _, o := range r.byID {
		if o.Owner == owner {
			mine = append(mine, o)
		}
	}
	sort.Slice(mine, func(i, j int) bool { return mine[i].ownerTime < mine[j].ownerTime })
	return mine
}

func (r *refBook) cancelAll(owner Owner, why Reason) int {
	mine := r.ownerOrders(owner)
	for _, o := range mine {
		r.cancel(owner, o.ID, why)
	}
	return len(mine)
}

func (r *refBook) amend(owner Owner, id OrderID, price, qty int64) bool {
	o := r.owned(owner, id)
	switch {
	case o == nil:
		return r.reject(id, owner, RejectUnknownOrder)
	case price < 1 || price > MaxPrice:
		return r.reject(id, owner, RejectInvalidPrice)
	case qty <= o.Filled || qty > MaxQty:
		return r.reject(id, owner, RejectInvalidQty)
	}
	amended := Event{Kind: EvAmended, Side: o.Side, OrderID: id, Owner: owner, Price: price, Qty: qty}
	if price == o.Price {
		if qty > o.Qty && r.levelTotal(o.Side, price) > math.MaxInt64-(qty-o.Qty) {
			return r.reject(id, owner, RejectOverflow)
		}
		r.emit(amended)
		old := o.Qty
		o.Qty = qty
		if qty > old { // to the back of the queue
			r.remove(o)
			r.clock++
			o.time = r.clock
			r.insert(o)
		}
		if qty != old {
			r.emitLevel(o.Side, price)
		}
		return true
	}
	opp := r.queue(o.Side.Opposite())
	if o.PostOnly && len(opp) > 0 && crosses(o.Side, price, opp[0].Price) {
		return r.reject(id, owner, RejectPostOnlyCross)
	}
	if r.levelTotal(o.Side, price) > math.MaxInt64-(qty-o.Filled) {
		return r.reject(id, owner, RejectOverflow)
	}
	r.emit(amended)
	r.remove(o)
	r.emitLevel(o.Side, o.Price)
	o.Price, o.Qty = price, qty
	r.trade(o)
	r.finish(o, false)
	return true
}

// depth returns the L2 levels of side s, best first.
func (r *refBook) depth(s Side) []Level {
	var out []Level
	for _, o := range r.queue(s) {
		if n := len(out); n > 0 && out[n-1].Price == o.Price {
			out[n-1].Qty += o.Remaining()
			out[n-1].Count++
			continue
		}
		out = append(out, Level{Price: o.Price, Qty: o.Remaining(), Count: 1})
	}
	return out
}
