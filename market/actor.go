package market

import (
	"math"

	"github.com/tickcast/tickcast/orders"
)

// Actor is code that runs inside the sequencer at times it chooses: the
// simulated market's agents. Its orders take the same path as users'
// orders (validation, funds, matching, events); only the parsing of decimal
// strings is skipped, since it already works in ticks and lots.
type Actor interface {
	// Start is called once, before anything else runs, to create agent
	// accounts; it returns when to wake first (ns).
	Start(x *Exchange) int64
	// Wake runs the actor at now, at or after the time it asked for, and
	// returns when to wake it next (ns, after now).
	Wake(x *Exchange, now int64) int64
}

type actorSlot struct {
	actor Actor
	next  int64
}

// Exchange is what an Actor may see and do while it runs. It is valid only
// during Start and Wake, on the sequencer goroutine.
type Exchange struct{ v *Venue }

// Now returns the venue's current time (ns).
func (x *Exchange) Now() int64 { return x.v.now }

// Instruments returns the venue's instruments, in order.
func (x *Exchange) Instruments() []*Instrument { return x.v.insts }

// NewAgent creates a simulated trader's account holding deposit (asset →
// amount as a decimal string). Agents get no private events and no rate
// limit. It returns the owner id the agent trades as.
func (x *Exchange) NewAgent(name string, deposit map[string]string) (orders.Owner, error) {
	a := x.v.newAccount("sim_"+name, true)
	for asset, amount := range deposit {
		i, ok := x.v.assetI[asset]
		if !ok {
			continue
		}
		d, err := parseDecimal(amount)
		if err != nil {
			return 0, err
		}
		a.bal[i].total = d.Shift(x.v.assets[i].dec).IntPart()
	}
	return a.owner, nil
}

// Order is an agent's new order in integers.
type Order struct {
	Side     orders.Side
	Type     orders.Type
	TIF      orders.TIF // zero means GTC
	PostOnly bool
	Px       int64 // ticks; ignored for market orders (the band bounds them)
	Qty      int64 // lots
}

// Place submits an order for agent on instrument inst (its index). It
// returns the order id, or 0 and the reject reason (protocol.md 8.4).
func (x *Exchange) Place(agent orders.Owner, inst int, o Order) (orders.OrderID, string) {
	v := x.v
	bs := v.books[inst]
	a := v.owners[agent]
	in := bs.inst
	if o.TIF == 0 {
		o.TIF = orders.GTC
	}
	switch {
	case o.Qty < in.minLots:
		return 0, RejectQtyMin
	case o.Qty > in.maxLots:
		return 0, RejectQtyMax
	}
	if o.Type == orders.Limit {
		if lo, hi := bs.band(); o.Px < lo || o.Px > hi {
			return 0, RejectPriceBand
		}
	}
	v.op = opContext{}
	return v.place(a, bs, placeReq{side: o.Side, typ: o.Type, tif: o.TIF, post: o.PostOnly, px: o.Px, qty: o.Qty})
}

// Cancel cancels one of agent's orders; false if it is no longer open.
func (x *Exchange) Cancel(agent orders.Owner, oid orders.OrderID) bool {
	v := x.v
	o := v.live[oid]
	if o == nil || o.acct.owner != agent {
		return false
	}
	v.op = opContext{target: o}
	return v.books[o.inst.index].book.Cancel(agent, oid, orders.DoneCanceled)
}

// Amend changes one of agent's orders to px and total quantity qty, with
// the same checks as a user's amend. It returns "" or the reject reason.
func (x *Exchange) Amend(agent orders.Owner, oid orders.OrderID, px, qty int64) string {
	v := x.v
	o := v.live[oid]
	if o == nil || o.acct.owner != agent {
		return CodeUnknownOrder
	}
	bs := v.books[o.inst.index]
	if lo, hi := bs.band(); px < lo || px > hi {
		return RejectPriceBand
	}
	if qty <= o.filled || qty > o.inst.maxLots {
		return RejectInvalidQty
	}
	need, ai, ok := reservation(o.inst, o.side, px, qty-o.filled)
	if !ok || need-o.reserved > o.acct.bal[ai].available() {
		return RejectInsufficientFunds
	}
	v.op = opContext{target: o, amendReserve: need}
	if !bs.book.Amend(agent, oid, px, qty) {
		return RejectPostOnlyCross
	}
	return ""
}

// IsOpen reports whether agent's order oid is still open (resting).
func (x *Exchange) IsOpen(agent orders.Owner, oid orders.OrderID) bool {
	o := x.v.live[oid]
	return o != nil && o.acct.owner == agent
}

// CancelAll cancels agent's orders on instrument inst and returns how many.
func (x *Exchange) CancelAll(agent orders.Owner, inst int) int {
	x.v.op = opContext{}
	return x.v.books[inst].book.CancelAll(agent, orders.DoneCanceled)
}

// Best returns the best bid and ask of instrument inst (ok false when that
// side is empty).
func (x *Exchange) Best(inst int) (bid orders.Level, hasBid bool, ask orders.Level, hasAsk bool) {
	b := x.v.books[inst].book
	bid, hasBid = b.Best(orders.Buy)
	ask, hasAsk = b.Best(orders.Sell)
	return
}

// Depth appends the best n levels of one side of instrument inst to dst.
func (x *Exchange) Depth(inst int, side orders.Side, n int, dst []orders.Level) []orders.Level {
	return x.v.books[inst].book.Depth(side, n, dst)
}

// OpenOrders appends agent's open orders on instrument inst to dst.
func (x *Exchange) OpenOrders(agent orders.Owner, inst int, dst []orders.Order) []orders.Order {
	return x.v.books[inst].book.OwnerOrders(agent, dst)
}

// Balance returns agent's total and available holding of asset, in the
// asset's units of 10^-AssetDecimals(asset).
func (x *Exchange) Balance(agent orders.Owner, asset string) (total, available int64) {
	i, ok := x.v.assetI[asset]
	if !ok {
		return 0, 0
	}
	b := x.v.owners[agent].bal[i]
	return b.total, b.available()
}

// Holdings returns agent's total holdings of instrument inst's base and
// quote assets, in the units Balance counts in: Balance for the two assets
// an agent of one instrument watches, without looking them up by name.
func (x *Exchange) Holdings(agent orders.Owner, inst int) (base, quote int64) {
	in, a := x.v.insts[inst], x.v.owners[agent]
	return a.bal[in.baseAsset].total, a.bal[in.quoteAsset].total
}

// AssetDecimals returns the decimals of the units Balance counts in.
func (x *Exchange) AssetDecimals(asset string) int32 {
	if i, ok := x.v.assetI[asset]; ok {
		return x.v.assets[i].dec
	}
	return 0
}

// LastPrice returns instrument inst's last trade price in ticks, or its
// reference price and false before the first trade.
func (x *Exchange) LastPrice(inst int) (int64, bool) {
	bs := x.v.books[inst]
	if bs.lastPx == 0 {
		return bs.inst.refTick, false
	}
	return bs.lastPx, true
}

// Band returns the lowest and highest limit price instrument inst accepts.
func (x *Exchange) Band(inst int) (lo, hi int64) { return x.v.books[inst].band() }

func (v *Venue) startActors() {
	v.actorsStarted = true
	v.now = max(v.clock.Now(), v.now)
	for i := range v.actors {
		v.actors[i].next = v.actors[i].actor.Start(&v.x)
	}
	v.flush()
}

// nextWake returns the earliest time something is due: an actor's wake,
// the end of an open candle or the expiry of the oldest idle account.
func (v *Venue) nextWake() int64 {
	return min(v.nextTimer(), v.candleDue())
}

// nextTimer is nextWake but for the candles: the earliest actor's wake or
// idle account's expiry.
func (v *Venue) nextTimer() int64 {
	next := v.idleDeadline()
	for _, s := range v.actors {
		next = min(next, s.next)
	}
	return next
}

// candleDue is when the first open candle ends, or MaxInt64.
func (v *Venue) candleDue() int64 {
	next := int64(math.MaxInt64)
	for _, bs := range v.books {
		for i := range bs.candles {
			if cs := &bs.candles[i]; cs.open {
				next = min(next, cs.end())
			}
		}
	}
	return next
}

// advance brings the venue to the clock's time: it closes ended candles and
// wakes due actors, publishing after each.
func (v *Venue) advance() { v.advanceDue(math.MinInt64) }

// advanceDue is advance when no candle ends before due (candleDue's
// answer, with no trade since): the candles are not looked at before
// then. Simulate, which would otherwise look at every candle twice for
// each of its tens of wakes per simulated second, knows due.
func (v *Venue) advanceDue(due int64) {
	v.now = max(v.clock.Now(), v.now)
	if v.now >= due {
		v.closeDueCandles()
	}
	v.expireIdle()
	for i := range v.actors {
		s := &v.actors[i]
		if s.next <= v.now {
			s.next = max(s.actor.Wake(&v.x, v.now), v.now+1)
		}
	}
	v.flush()
}

func (v *Venue) closeDueCandles() {
	for _, bs := range v.books {
		for i := range bs.candles {
			if cs := &bs.candles[i]; cs.open && v.now >= cs.end() {
				bs.touch()
				cs.closeDue(bs, v.now)
			}
		}
	}
}

// flush completes the market data of every touched book and publishes the
// batch of events the last command or wake produced.
func (v *Venue) flush() {
	for _, bs := range v.touched {
		bs.flush()
	}
	v.touched = v.touched[:0]
	if len(v.batch) > 0 {
		v.pub.Publish(v.takeBatch())
	}
	// The orders that ended are referred to by nothing now (the events
	// carry copies): their records serve the next orders.
	for _, o := range v.ended {
		if o.oid == 0 {
			continue // listed twice: already free
		}
		*o = liveOrder{}
		v.freeOrders = append(v.freeOrders, o)
	}
	clear(v.ended)
	v.ended = v.ended[:0]
}
