package market

import "context"

type cmdKind uint8

const (
	cmdPlace cmdKind = iota + 1
	cmdCancel
	cmdAmend
	cmdCancelAll
	cmdAuth
	cmdDetach
	cmdQuery
	cmdCreateAccount
)

// command is one entry of the venue's input queue. Every mutating command
// is plain data, so that a journal could record and replay it.
type command struct {
	kind    cmdKind
	origin  Origin
	account string
	order   OrderRequest
	target  OrderRef
	amend   AmendRequest
	symbol  string
	cod     bool
	fn      func()          // cmdQuery; nil when replayed
	created func(id string) // cmdCreateAccount; nil when replayed
	done    chan struct{}   // closed once the command is durable (cmdQuery, cmdCreateAccount)
}

// OrderRequest is a new order as it arrives from the network: every value
// still a string, validated by the venue (protocol.md 8.4).
type OrderRequest struct {
	CID      string // client order id (syntax checked by the feed)
	Symbol   string
	Side     string // buy or sell
	Type     string // limit or market
	TIF      string // gtc (default when empty), ioc, fok
	Qty      string
	Px       string // limit orders only
	PostOnly bool
}

// OrderRef names one of an account's open orders: by order id, or by
// client order id when OID is 0.
type OrderRef struct {
	OID uint64
	CID string
}

// AmendRequest is an amend: new total quantity and/or new price; an empty
// string keeps the current value.
type AmendRequest struct {
	Qty string
	Px  string
}

// PlaceOrder submits a new order for account. The reply is an order event
// (status new or rejected) carrying origin, then fills as it trades.
func (v *Venue) PlaceOrder(origin Origin, account string, r OrderRequest) error {
	return v.send(command{kind: cmdPlace, origin: origin, account: account, order: r})
}

// CancelOrder cancels one of account's open orders. The reply is the order
// event with status canceled, or an error event (unknown_order).
func (v *Venue) CancelOrder(origin Origin, account string, ref OrderRef) error {
	return v.send(command{kind: cmdCancel, origin: origin, account: account, target: ref})
}

// AmendOrder changes one of account's open orders. The reply is the order
// event with the new values, or an error event.
func (v *Venue) AmendOrder(origin Origin, account string, ref OrderRef, a AmendRequest) error {
	return v.send(command{kind: cmdAmend, origin: origin, account: account, target: ref, amend: a})
}

// CancelAll cancels account's open orders on symbol, or on every symbol
// when symbol is empty. The reply is an order event per canceled order and
// then a canceled_all event with the count.
func (v *Venue) CancelAll(origin Origin, account, symbol string) error {
	return v.send(command{kind: cmdCancelAll, origin: origin, account: account, symbol: symbol})
}

// Auth attaches session origin.Session to account: the reply is an authed
// event, then the account's balances and open orders, all addressed to the
// session alone; from then on the account's private events reach it. With
// cod, the account's orders are canceled when the last session that asked
// for it detaches.
func (v *Venue) Auth(origin Origin, account string, cod bool) error {
	return v.send(command{kind: cmdAuth, origin: origin, account: account, cod: cod})
}

// Detach tells the venue that session, authenticated as account, is gone.
// It blocks briefly rather than fail, since losing it would leave orders
// that should have been canceled on disconnect.
func (v *Venue) Detach(ctx context.Context, session uint64, account string) error {
	select {
	case v.in <- command{kind: cmdDetach, origin: Origin{Session: session}, account: account}:
		return nil
	case <-v.done:
		return ErrStopped
	case <-ctx.Done():
		return ctx.Err()
	}
}

// execute applies one command (by pointer: a command is a few hundred
// bytes, and orders, the commonest, go down a few calls).
func (v *Venue) execute(c *command) {
	v.op = opContext{origin: c.origin}
	switch c.kind {
	case cmdQuery:
		if c.fn != nil {
			c.fn()
		}
	case cmdCreateAccount:
		v.createAccount(*c)
	case cmdPlace:
		v.placeUser(c)
	case cmdCancel:
		v.cancelUser(*c)
	case cmdAmend:
		v.amendUser(*c)
	case cmdCancelAll:
		v.cancelAllUser(*c)
	case cmdAuth:
		v.auth(*c)
	case cmdDetach:
		v.detach(*c)
	}
	if c.done != nil {
		v.whenDurable(c.done)
	}
}
