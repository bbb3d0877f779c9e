package market

import (
	"cmp"
	"context"
	"errors"
	"slices"
)

// DefaultAccountHistory is how many ended orders, and how many fills, each
// user account keeps for its history (Config.AccountHistory).
const DefaultAccountHistory = 100

// ErrUnknownAccount is returned by queries about an account the venue does
// not have (or a simulated agent, whose history is not kept).
var ErrUnknownAccount = errors.New("market: unknown account")

// OrderRecord is one order of an account's history: the order event as it
// was published when the order ended (for an open order, its current state
// stamped with the account's current seq and the query's time, as in the
// auth snapshot), and when the venue first answered it.
type OrderRecord struct {
	Event   *Event // KindOrder; Event.Order is the order's state
	Created int64  // ns: when the venue accepted (or refused) the order
}

// AccountHistory is an account's recent activity: its open orders and the
// last ended ones (filled, canceled, expired, rejected) ordered by Created,
// oldest first; and its last fills, oldest first.
type AccountHistory struct {
	Orders []OrderRecord
	Fills  []*Event // KindFill events as published
}

// tail keeps the last max values pushed. Its buffer grows as values come,
// so an account that never trades costs nothing.
type tail[T any] struct {
	buf  []T
	next int // where the next value goes once buf is full
}

func (t *tail[T]) push(x T, max int) {
	if p := t.slot(max); p != nil {
		*p = x
	}
}

// slot returns where the next value goes, to be written in place: a new
// slot while fewer than max are kept, else the oldest one's. It returns
// nil if max is 0 or less.
func (t *tail[T]) slot(max int) *T {
	if len(t.buf) < max {
		var zero T
		t.buf = append(t.buf, zero)
		return &t.buf[len(t.buf)-1]
	}
	if max <= 0 {
		return nil
	}
	p := &t.buf[t.next]
	t.next = (t.next + 1) % len(t.buf)
	return p
}

// all returns the values kept, oldest first, in a new slice.
func (t *tail[T]) all() []T {
	out := make([]T, 0, len(t.buf))
	out = append(out, t.buf[t.next:]...)
	return append(out, t.buf[:t.next]...)
}

// terminal reports whether an order status is final.
func terminal(status string) bool {
	switch status {
	case StatusFilled, StatusCanceled, StatusExpired, StatusRejected:
		return true
	}
	return false
}

// keptOrder is an ended order as its account's history keeps it: a copy of
// what differs from one of the account's order events to the next (the
// rest is the account's, or the venue's epoch), so that the event
// published, which came from a slab with others, pins none of them
// (event_alloc.go). AccountHistory answers with new events.
type keptOrder struct {
	h       keptHead
	u       OrderUpdate
	created int64
}

// keptFill is a fill event as its account's history keeps it.
type keptFill struct {
	h keptHead
	f Fill
}

// keptHead is the part of a private event's header proper to the event.
type keptHead struct {
	symbol  string
	seq     uint64
	ts      int64
	origin  Origin
	epoch   string
	account string
}

func keepHead(e *Event) keptHead {
	return keptHead{symbol: e.Symbol, seq: e.Seq, ts: e.TS, origin: e.Origin, epoch: e.Epoch, account: e.Account}
}

// set fills e, a zero Event, as the private event of kind k kept in h.
func (h *keptHead) set(e *Event, k Kind) {
	e.Kind, e.Symbol, e.Seq, e.TS, e.Origin, e.Epoch, e.Account = k, h.symbol, h.seq, h.ts, h.origin, h.epoch, h.account
}

// recordOrder keeps a copy of e, an order event of a user account, when
// it ends the order.
func (v *Venue) recordOrder(a *account, e *Event, created int64) {
	if e == nil || e.Order == nil || !terminal(e.Order.Status) {
		return
	}
	if k := a.ended.slot(v.cfg.AccountHistory); k != nil {
		k.h, k.u, k.created = keepHead(e), *e.Order, created
	}
}

// recordFill keeps a copy of a fill event of a user account.
func (v *Venue) recordFill(a *account, e *Event) {
	if k := a.fills.slot(v.cfg.AccountHistory); k != nil {
		k.h, k.f = keepHead(e), *e.Fill
	}
}

// record returns the kept order as published, in a new event.
func (k *keptOrder) record() OrderRecord {
	h := &orderEvent{p: k.u}
	k.h.set(&h.e, KindOrder)
	h.e.Order = &h.p
	return OrderRecord{Event: &h.e, Created: k.created}
}

// event returns the kept fill as published, in a new event.
func (k *keptFill) event() *Event {
	h := &fillEvent{p: k.f}
	k.h.set(&h.e, KindFill)
	h.e.Fill = &h.p
	return &h.e
}

// AccountHistory returns account's open orders and its last ended orders
// (at most Config.AccountHistory of those), the limit most recently
// created of them; and its last fills (at most Config.AccountHistory), the
// limit newest of them. An unknown account (or a simulated agent) is
// ErrUnknownAccount; a limit of 0 or less returns empty lists.
func (v *Venue) AccountHistory(ctx context.Context, account string, limit int) (*AccountHistory, error) {
	h, err := query(v, ctx, func() *AccountHistory {
		a := v.accounts[account]
		if a == nil || a.internal {
			return nil
		}
		limit := max(limit, 0)
		h := &AccountHistory{}
		for _, k := range a.ended.all() {
			h.Orders = append(h.Orders, k.record())
		}
		fills := a.fills.all()
		fills = fills[len(fills)-min(limit, len(fills)):]
		for i := range fills {
			h.Fills = append(h.Fills, fills[i].event())
		}
		// The newest open orders by creation; an order id grows with it.
		open := v.openOrders(a)
		slices.SortFunc(open, func(x, y *liveOrder) int { return cmp.Compare(x.oid, y.oid) })
		if len(open) > limit {
			open = open[len(open)-limit:]
		}
		for _, lo := range open {
			e := &Event{Kind: KindOrder, Symbol: lo.inst.Symbol, Seq: a.seq, TS: v.now, Epoch: v.epoch, Account: a.id, Order: v.orderUpdate(lo)}
			h.Orders = append(h.Orders, OrderRecord{Event: e, Created: lo.created})
		}
		slices.SortStableFunc(h.Orders, func(x, y OrderRecord) int {
			return cmp.Or(cmp.Compare(x.Created, y.Created), cmp.Compare(x.Event.Order.OID, y.Event.Order.OID), cmp.Compare(x.Event.Seq, y.Event.Seq))
		})
		if len(h.Orders) > limit {
			h.Orders = h.Orders[len(h.Orders)-limit:]
		}
		return h
	})
	if err == nil && h == nil {
		err = ErrUnknownAccount
	}
	return h, err
}

// openOrders returns a's open orders in no particular order. Orders from
// the network always have a client order id, so the index by cid usually
// holds them all; the books are searched only when it does not.
func (v *Venue) openOrders(a *account) []*liveOrder {
	out := make([]*liveOrder, 0, a.open)
	if len(a.byCID) == a.open {
		for _, o := range a.byCID {
			out = append(out, o)
		}
		return out
	}
	for _, bs := range v.books {
		for _, o := range bs.book.OwnerOrders(a.owner, nil) {
			out = append(out, v.live[o.ID])
		}
	}
	return out
}
