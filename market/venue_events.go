package market

import (
	"math/bits"

	"github.com/tickcast/tickcast/orders"
)

// Event receives the engine's events for this book (it is the book's
// orders.Sink) and turns them into account changes and output events.
func (bs *bookState) Event(e orders.Event) {
	v := bs.v
	switch e.Kind {
	case orders.EvAccepted:
		o := v.order(e.OrderID)
		o.status = StatusNew
		v.orderMsg(o)
		v.accountMsg(o.acct)
	case orders.EvRejected:
		v.engineRejected(e)
	case orders.EvTrade:
		v.trade(bs, e)
	case orders.EvDone:
		v.orderDone(e)
	case orders.EvAmended:
		o := v.order(e.OrderID)
		o.acct.bal[o.reserveAsset()].reserved += v.op.amendReserve - o.reserved
		o.reserved = v.op.amendReserve
		o.px, o.qty = e.Price, e.Qty
		v.orderMsg(o)
		v.accountMsg(o.acct)
	case orders.EvLevel:
		bs.levelChanged(e.Side, e.Price, e.Qty)
	}
}

// engineRejected handles a refusal by the engine: of the order being
// placed (post-only crossing, no liquidity), or of an amend.
func (v *Venue) engineRejected(e orders.Event) {
	o := v.op.target
	reason := engineReason(e.Reason)
	if !v.op.placing || o == nil || o.oid != e.OrderID {
		v.replyError(v.op.origin, v.op.targetAccount(), CodeBadRequest, reason, "amend rejected: "+reason)
		return
	}
	v.forget(o)
	o.status, o.reason = StatusRejected, reason
	v.orderMsg(o) // as a reject decided before the book: no order id, balances unchanged
}

func (op *opContext) targetAccount() string {
	if op.target != nil {
		return op.target.acct.id
	}
	return ""
}

// order returns the open order id: the operation's target, most often
// (an engine event is about the order being placed, amended or canceled),
// else from the index.
func (v *Venue) order(id orders.OrderID) *liveOrder {
	if t := v.op.target; t != nil && t.oid == id && id != 0 {
		return t
	}
	return v.live[id]
}

// forget releases an order's reservation and drops it from the indexes.
// The order's record is reused once the command is over (flush).
func (v *Venue) forget(o *liveOrder) {
	o.acct.bal[o.reserveAsset()].reserved -= o.reserved
	o.reserved = 0
	if v.op.placing && o == v.op.target {
		v.op.targetOpen = false // never indexed (place)
	} else {
		delete(v.live, o.oid)
		if o.cid != "" && o.acct.byCID[o.cid] == o {
			delete(o.acct.byCID, o.cid)
		}
	}
	o.acct.open--
	v.updateIdle(o.acct)
	v.ended = append(v.ended, o)
}

// trade settles one trade between a taker and a resting maker.
func (v *Venue) trade(bs *bookState, e orders.Event) {
	in := bs.inst
	taker, maker := v.order(e.OrderID), v.order(e.MakerID)
	buyer, seller := taker, maker
	if taker.side == orders.Sell {
		buyer, seller = maker, taker
	}
	px, q := e.Price, e.Qty
	quoteAmt := px * q * in.notionalMul // within the buyer's reservation: cannot overflow
	baseAmt := q * in.baseMul
	release := buyer.px * q * in.notionalMul // the buyer reserved at its own limit
	bq := &buyer.acct.bal[in.quoteAsset]
	bq.total -= quoteAmt
	bq.reserved -= release
	buyer.reserved -= release
	buyer.acct.bal[in.baseAsset].total += baseAmt
	sb := &seller.acct.bal[in.baseAsset]
	sb.total -= baseAmt
	sb.reserved -= baseAmt
	seller.reserved -= baseAmt
	seller.acct.bal[in.quoteAsset].total += quoteAmt
	for _, o := range []*liveOrder{taker, maker} {
		o.filled += q
		o.notional += px * q
		o.status = StatusPartiallyFilled
		if o.filled == o.qty {
			o.status = StatusFilled
		}
	}
	id := bs.publishTrade(px, q, taker.side)
	v.fillMsgs(taker, id, px, q, "taker")
	v.fillMsgs(maker, id, px, q, "maker")
}

// orderDone handles an order leaving the book: filled, canceled, expired.
func (v *Venue) orderDone(e orders.Event) {
	o := v.order(e.OrderID)
	v.forget(o)
	if e.Reason == orders.DoneFilled {
		return // its last fill already said filled
	}
	o.status, o.reason = StatusCanceled, engineReason(e.Reason)
	if e.Reason == orders.DoneIOCRemainder || e.Reason == orders.DoneFOKUnfillable {
		o.status = StatusExpired
	}
	v.orderMsg(o)
	v.accountMsg(o.acct)
}

// private fills e, a zero Event, as the next private event of user
// account a and appends it to the batch. Callers skip simulated agents
// (a.internal): nobody listens to them. (Field by field: a whole-struct
// assignment copies all 200 bytes through the GC's bulk write barrier.)
func (v *Venue) private(a *account, k Kind, e *Event) *Event {
	a.seq++
	e.Kind, e.Seq, e.TS = k, a.seq, v.now
	e.Epoch, e.Account = v.epoch, a.id
	v.emit(e)
	return e
}

// reply appends a reply addressed to the session of origin.
func (v *Venue) reply(k Kind, origin Origin, account string) *Event {
	e := &Event{Kind: k, TS: v.now, Epoch: v.epoch, Account: account, Origin: origin, Direct: true}
	v.emit(e)
	return e
}

func (v *Venue) replyError(origin Origin, account, code, reason, msg string) {
	e := v.reply(KindError, origin, account)
	e.Reply = &Reply{Code: code, Reason: reason, Msg: msg}
}

// orderMsg publishes o's state to its account. The first message about the
// operation's target carries the operation's origin (its reply id).
func (v *Venue) orderMsg(o *liveOrder) {
	if o.acct.internal {
		return
	}
	h := v.slabs.orders.get()
	e := v.private(o.acct, KindOrder, &h.e)
	if o == v.op.target && !v.op.replied {
		e.Origin = v.op.origin
		v.op.replied = true
	}
	e.Symbol = o.inst.Symbol
	e.Order = fillOrderUpdate(&h.p, o)
	v.recordOrder(o.acct, e, o.created)
}

// orderUpdate returns o's state in a new OrderUpdate.
func (v *Venue) orderUpdate(o *liveOrder) *OrderUpdate {
	return fillOrderUpdate(&OrderUpdate{}, o)
}

// fillOrderUpdate sets u, a zero OrderUpdate, to o's state. (Field by
// field: u is fresh from a slab, and a whole-struct assignment would copy
// every field through the garbage collector's bulk write barrier.)
func fillOrderUpdate(u *OrderUpdate, o *liveOrder) *OrderUpdate {
	in := o.inst
	u.OID, u.CID, u.Side, u.Type, u.TIF = uint64(o.oid), o.cid, o.side.String(), o.typ.String(), o.tif.String()
	u.PostOnly, u.Qty, u.Filled = o.post, in.qty.Dec(o.qty), in.qty.Dec(o.filled)
	u.Status, u.Reason = o.status, o.reason
	if o.status == StatusRejected {
		u.OID = 0 // a rejected order never existed: whichever check refused it
	}
	if o.typ == orders.Limit {
		u.Px = in.price.Dec(o.px)
	}
	if o.filled > 0 {
		u.AvgPx = avgPrice(in, o.notional, o.filled)
	}
	return u
}

// avgPrice returns notional/filled ticks at the price's decimals, rounded
// half up: (2*notional*unit + filled) / (2*filled) in 128-bit arithmetic.
func avgPrice(in *Instrument, notional, filled int64) Dec {
	hi, lo := bits.Mul64(uint64(notional), uint64(in.price.Unit)*2)
	lo, carry := bits.Add64(lo, uint64(filled), 0)
	hi += carry
	den := uint64(filled) * 2
	if hi >= den { // the quotient would overflow: impossible with validated instruments
		return Dec{}
	}
	q, _ := bits.Div64(hi, lo, den)
	return MakeDec(int64(q), in.price.Decimals)
}

// fillMsgs publishes a fill, the order's new state and the balances.
func (v *Venue) fillMsgs(o *liveOrder, tradeID uint64, px, q int64, liq string) {
	if o.acct.internal {
		return
	}
	h := v.slabs.fills.get()
	e := v.private(o.acct, KindFill, &h.e)
	in := o.inst
	e.Symbol = in.Symbol
	f := &h.p // field by field, as in fillOrderUpdate: h is fresh from a slab
	f.OID, f.CID, f.TradeID, f.Side = uint64(o.oid), o.cid, tradeID, o.side.String()
	f.Px, f.Qty, f.Liq = in.price.Dec(px), in.qty.Dec(q), liq
	e.Fill = f
	v.recordFill(o.acct, e)
	v.orderMsg(o)
	v.accountMsg(o.acct)
}

// accountMsg publishes a's balances.
func (v *Venue) accountMsg(a *account) {
	if a.internal {
		return
	}
	e := v.private(a, KindAccount, v.slabs.accounts.get())
	e.Balances = v.balances(a, v.slabs.balanceSlice(len(v.assets)))
}

// balances returns a's holdings appended to dst, its capacity cut to its
// length (a published event's slice is never appended to).
// It copies balZero (names and decimals) and sets the amounts.
func (v *Venue) balances(a *account, dst []Balance) []Balance {
	n := len(dst)
	dst = append(dst, v.balZero...)
	out, bal := dst[n:], a.bal[:len(dst)-n]
	for i := range bal {
		out[i].Total.m, out[i].Available.m = bal[i].total, bal[i].available()
	}
	return dst[:len(dst):len(dst)]
}

// rejectNew answers a user's order refused before it had integer fields.
// It echoes the fields that are well-formed.
func (v *Venue) rejectNew(a *account, bs *bookState, r OrderRequest, reason string) {
	e := v.private(a, KindOrder, &Event{})
	e.Origin = v.op.origin
	e.Symbol = echo(r.Symbol, 32)
	u := &OrderUpdate{CID: r.CID, PostOnly: r.PostOnly, Status: StatusRejected, Reason: reason, Filled: MakeDec(0, 0)}
	if _, ok := parseSide(r.Side); ok {
		u.Side = r.Side
	}
	if _, ok := parseType(r.Type); ok {
		u.Type = r.Type
	}
	if t, ok := parseTIF(r.TIF); ok {
		u.TIF = t.String()
	}
	u.EchoQty, u.EchoPx = echo(r.Qty, MaxDecimalLen), echo(r.Px, MaxDecimalLen)
	if bs != nil {
		u.Filled = bs.inst.qty.Dec(0)
	}
	e.Order = u
	v.recordOrder(a, e, v.now)
}

// rejectParsed answers an order refused after parsing and returns reason.
func (v *Venue) rejectParsed(a *account, bs *bookState, p placeReq, reason string) string {
	o := &liveOrder{cid: p.cid, acct: a, inst: bs.inst, side: p.side, typ: p.typ, tif: p.tif, post: p.post, px: p.px, qty: p.qty, status: StatusRejected, reason: reason, created: v.now}
	v.op.target = o
	v.orderMsg(o)
	return reason
}

// echo returns s if it is short printable ASCII, else "".
func echo(s string, limit int) string {
	if len(s) > limit {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return ""
		}
	}
	return s
}
