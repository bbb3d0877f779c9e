package market

import (
	"errors"
	"math/bits"

	"github.com/tickcast/tickcast/orders"
)

// placeReq is a new order after parsing: integers only.
type placeReq struct {
	cid  string
	side orders.Side
	typ  orders.Type
	tif  orders.TIF
	post bool
	px   int64 // ticks; ignored for market orders
	qty  int64 // lots
}

// parseSide, parseType and parseTIF read an order's side, type and time
// in force ("" is gtc); switches, not maps: they run for every order.
func parseSide(s string) (orders.Side, bool) {
	switch s {
	case "buy":
		return orders.Buy, true
	case "sell":
		return orders.Sell, true
	}
	return 0, false
}

func parseType(s string) (orders.Type, bool) {
	switch s {
	case "limit":
		return orders.Limit, true
	case "market":
		return orders.Market, true
	}
	return 0, false
}

func parseTIF(s string) (orders.TIF, bool) {
	switch s {
	case "", "gtc":
		return orders.GTC, true
	case "ioc":
		return orders.IOC, true
	case "fok":
		return orders.FOK, true
	}
	return 0, false
}

// userAccount returns the command's account, or answers not_authenticated.
func (v *Venue) userAccount(c *command) *account {
	a := v.accounts[c.account]
	if a == nil || a.internal {
		v.replyError(c.origin, c.account, CodeNotAuthenticated, "", "unknown account")
		return nil
	}
	return a
}

// placeUser validates a user's order (protocol.md 8.4) and places it.
func (v *Venue) placeUser(c *command) {
	a := v.userAccount(c)
	if a == nil {
		return
	}
	r := c.order
	bs := v.bySym[r.Symbol]
	reject := func(reason string) { v.rejectNew(a, bs, r, reason) }
	if !a.limit.allow(v.now) {
		reject(RejectRateLimited)
		return
	}
	if bs == nil {
		reject(RejectInvalidSymbol)
		return
	}
	p := placeReq{cid: r.CID, post: r.PostOnly}
	var ok bool
	if p.side, ok = parseSide(r.Side); !ok {
		reject(RejectInvalidSide)
		return
	}
	if p.typ, ok = parseType(r.Type); !ok {
		reject(RejectInvalidType)
		return
	}
	if p.tif, ok = parseTIF(r.TIF); !ok {
		reject(RejectInvalidTIF)
		return
	}
	// An order that may rest counts against the account's open orders:
	// without a bound, a few accounts built a book hundreds of thousands
	// of levels deep. Orders that never rest (market, ioc, fok) pass, so
	// an account at its limit can still trade out of a position.
	if p.typ == orders.Limit && p.tif == orders.GTC && a.open >= v.cfg.MaxOpenOrders {
		reject(RejectTooManyOpen)
		return
	}
	in := bs.inst
	var why string
	if p.qty, why = parseQty(in, r.Qty); why != "" {
		reject(why)
		return
	}
	if p.typ == orders.Limit {
		if p.px, why = bs.parsePrice(r.Px); why != "" {
			reject(why)
			return
		}
	}
	v.place(a, bs, p)
}

// parseQty converts and checks an order quantity.
func parseQty(in *Instrument, s string) (int64, string) {
	n, err := in.qty.Parse(s)
	switch {
	case errors.Is(err, ErrDecimalStep):
		return 0, RejectQtyLot
	case errors.Is(err, ErrDecimalRange):
		return 0, RejectQtyMax
	case err != nil:
		return 0, RejectInvalidQty
	case n < in.minLots:
		return 0, RejectQtyMin
	case n > in.maxLots:
		return 0, RejectQtyMax
	}
	return n, ""
}

// parsePrice converts and checks a limit price, band included.
func (bs *bookState) parsePrice(s string) (int64, string) {
	n, err := bs.inst.price.Parse(s)
	switch {
	case errors.Is(err, ErrDecimalStep):
		return 0, RejectPriceTick
	case err != nil:
		return 0, RejectInvalidPrice
	}
	if lo, hi := bs.band(); n < lo || n > hi {
		return 0, RejectPriceBand
	}
	return n, ""
}

// mulCheck returns a*b*c and whether it fits in int64 (all non-negative).
func mulCheck(a, b, c int64) (int64, bool) {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi != 0 || lo > 1<<63-1 {
		return 0, false
	}
	hi, lo = bits.Mul64(lo, uint64(c))
	if hi != 0 || lo > 1<<63-1 {
		return 0, false
	}
	return int64(lo), true
}

// reservation returns what an order of side at px for qty lots must hold
// back, and in which asset: quote for a buy (px x qty), base for a sell.
func reservation(in *Instrument, side orders.Side, px, qty int64) (amount int64, assetIdx int, ok bool) {
	if side == orders.Buy {
		amount, ok = mulCheck(px, qty, in.notionalMul)
		return amount, in.quoteAsset, ok
	}
	amount, ok = mulCheck(qty, in.baseMul, 1)
	return amount, in.baseAsset, ok
}

// place reserves funds and submits a parsed order to the book. A market
// order is bounded by the price band. It returns the order id, or the
// reject reason.
func (v *Venue) place(a *account, bs *bookState, p placeReq) (orders.OrderID, string) {
	in := bs.inst
	if p.typ == orders.Market {
		lo, hi := bs.band()
		p.px = hi
		if p.side == orders.Sell {
			p.px = lo
		}
		if p.tif == orders.GTC {
			p.tif = orders.IOC // a market order never rests
		}
	}
	if p.cid != "" && a.byCID[p.cid] != nil {
		return 0, v.rejectParsed(a, bs, p, RejectDuplicateCID)
	}
	need, ai, ok := reservation(in, p.side, p.px, p.qty)
	if !ok || a.bal[ai].available() < need {
		return 0, v.rejectParsed(a, bs, p, RejectInsufficientFunds)
	}
	o := v.newOrder()
	*o = liveOrder{oid: v.nextOID, cid: p.cid, acct: a, inst: in, side: p.side, typ: p.typ, tif: p.tif, post: p.post, px: p.px, qty: p.qty, reserved: need, created: v.now}
	v.nextOID++
	a.bal[ai].reserved += need
	a.open++
	v.updateIdle(a)
	v.op.target = o
	v.op.placing, v.op.targetOpen = true, true
	// The order enters v.live and byCID only if it is still open after
	// Submit: the engine's events about it find it as the target (order),
	// and an order that ends inside Submit (ioc, fok, filled at once,
	// rejected) costs no insertion and deletion.
	bs.book.Submit(orders.Request{ID: o.oid, Owner: a.owner, Side: p.side, Type: p.typ, TIF: p.tif, PostOnly: p.post, Price: p.px, Qty: p.qty})
	v.op.placing = false
	if v.op.targetOpen {
		v.op.targetOpen = false
		v.live[o.oid] = o
		if o.cid != "" {
			a.byCID[o.cid] = o
		}
	}
	if o.status == StatusRejected { // refused by the engine (engineRejected): forgotten
		return 0, o.reason
	}
	return o.oid, ""
}

// newOrder returns a zero liveOrder: a record of an order that ended in an
// earlier command (flush), else a new one.
func (v *Venue) newOrder() *liveOrder {
	if n := len(v.freeOrders); n > 0 {
		o := v.freeOrders[n-1]
		v.freeOrders[n-1] = nil
		v.freeOrders = v.freeOrders[:n-1]
		return o
	}
	return &liveOrder{}
}

// findOrder returns account a's open order named by ref, or nil.
func (v *Venue) findOrder(a *account, ref OrderRef) *liveOrder {
	if ref.OID != 0 {
		if o := v.live[orders.OrderID(ref.OID)]; o != nil && o.acct == a {
			return o
		}
		return nil
	}
	return a.byCID[ref.CID]
}

func (v *Venue) cancelUser(c command) {
	a := v.userAccount(&c)
	if a == nil || !v.allowCancel(a, c) {
		return
	}
	o := v.findOrder(a, c.target)
	if o == nil {
		v.replyError(c.origin, a.id, CodeUnknownOrder, "", "no such open order")
		return
	}
	v.op.target = o
	v.books[o.inst.index].book.Cancel(a.owner, o.oid, orders.DoneCanceled)
}

// allowCancel takes one of the account's cancel tokens, or answers
// rate_limited: cancels are cheap for a client to send, and without a
// bound a few sessions flooding cancels of unknown orders filled the
// venue's queue in front of everyone else's orders.
func (v *Venue) allowCancel(a *account, c command) bool {
	if a.cancels.allow(v.now) {
		return true
	}
	v.replyError(c.origin, a.id, CodeRateLimited, "", "too many cancels: slow down")
	return false
}

func (v *Venue) amendUser(c command) {
	a := v.userAccount(&c)
	if a == nil {
		return
	}
	fail := func(code, reason, msg string) { v.replyError(c.origin, a.id, code, reason, msg) }
	if !a.limit.allow(v.now) {
		fail(CodeRateLimited, RejectRateLimited, "order rate limit exceeded")
		return
	}
	o := v.findOrder(a, c.target)
	if o == nil {
		fail(CodeUnknownOrder, "", "no such open order")
		return
	}
	bs := v.books[o.inst.index]
	px, qty := o.px, o.qty
	var why string
	if c.amend.Qty != "" {
		if qty, why = parseQty(o.inst, c.amend.Qty); why != "" {
			fail(CodeBadRequest, why, "amend rejected: "+why)
			return
		}
	}
	if c.amend.Px != "" {
		if px, why = bs.parsePrice(c.amend.Px); why != "" {
			fail(CodeBadRequest, why, "amend rejected: "+why)
			return
		}
	}
	if qty <= o.filled {
		fail(CodeBadRequest, RejectInvalidQty, "amend rejected: quantity not above what has filled")
		return
	}
	need, ai, ok := reservation(o.inst, o.side, px, qty-o.filled)
	if !ok || need-o.reserved > a.bal[ai].available() {
		fail(CodeBadRequest, RejectInsufficientFunds, "amend rejected: insufficient_funds")
		return
	}
	v.op.target = o
	v.op.amendReserve = need
	bs.book.Amend(a.owner, o.oid, px, qty)
}

func (v *Venue) cancelAllUser(c command) {
	a := v.userAccount(&c)
	if a == nil || !v.allowCancel(a, c) {
		return
	}
	books := v.books
	if c.symbol != "" {
		bs := v.bySym[c.symbol]
		if bs == nil {
			v.replyError(c.origin, a.id, CodeUnknownSymbol, "", "unknown symbol")
			return
		}
		books = []*bookState{bs}
	}
	n := 0
	for _, bs := range books {
		n += bs.book.CancelAll(a.owner, orders.DoneCanceled)
	}
	e := v.reply(KindCanceledAll, c.origin, a.id)
	e.Reply = &Reply{Count: n}
}
