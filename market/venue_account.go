package market

import (
	"context"
	"errors"
	"math/big"
	"strconv"

	"github.com/tickcast/tickcast/orders"
)

// DemoDeposit is what a demo account starts with: this much of each quote
// currency, and of each base asset the amount worth it at its instrument's
// reference price (protocol.md 8.10).
const DemoDeposit = 100_000

// ErrUnknownSymbol is returned by queries about a symbol the venue does
// not trade.
var ErrUnknownSymbol = errors.New("market: unknown symbol")

func (v *Venue) newAccount(name string, internal bool) *account {
	v.nAccts++
	id := name
	if !internal {
		id = accountID(v.nAccts, v.cfg.AccountNonce, v.cfg.Seed)
	}
	for v.accounts[id] != nil {
		id = name + "_" + strconv.Itoa(int(v.nAccts))
		v.nAccts++
	}
	a := &account{
		id:       id,
		owner:    orders.Owner(len(v.owners)),
		internal: internal,
		bal:      make([]balance, len(v.assets)),
		limit:    newRateLimit(v.cfg.RateLimit, v.cfg.RateBurst),
		cancels:  newRateLimit(v.cfg.CancelRateLimit, v.cfg.CancelRateBurst),
		byCID:    map[string]*liveOrder{},
		cod:      map[uint64]bool{},
	}
	v.owners = append(v.owners, a)
	v.accounts[id] = a
	v.updateIdle(a)
	return a
}

// fundDemo gives a new demo account its starting balances.
func (v *Venue) fundDemo(a *account) {
	done := make([]bool, len(v.assets))
	for _, in := range v.insts {
		if !done[in.quoteAsset] {
			done[in.quoteAsset] = true
			a.bal[in.quoteAsset].total = DemoDeposit * pow10(v.assets[in.quoteAsset].dec)
		}
	}
	for _, in := range v.insts {
		if done[in.baseAsset] {
			continue
		}
		done[in.baseAsset] = true
		// lots = floor(DemoDeposit / (ref * lot)), all in integers.
		num := new(big.Int).Mul(big.NewInt(DemoDeposit), big.NewInt(pow10(in.price.Decimals+in.qty.Decimals)))
		den := big.NewInt(in.refTick * in.price.Unit * in.qty.Unit)
		lots := num.Quo(num, den).Int64()
		a.bal[in.baseAsset].total = lots * in.baseMul
	}
}

// CreateAccount creates a funded demo account and returns its id and its
// token (protocol.md 8.10).
// With a journal it returns once the account's creation is durable.
func (v *Venue) CreateAccount(ctx context.Context) (account, token string, err error) {
	err = v.wait(ctx, command{kind: cmdCreateAccount, created: func(id string) {
		account, token = id, signToken(v.cfg.TokenKey, id)
	}})
	return account, token, err
}

// createAccount creates and funds a demo account.
func (v *Venue) createAccount(c command) {
	a := v.newAccount("", false)
	v.fundDemo(a)
	if c.created != nil {
		c.created(a.id)
	}
}

// auth attaches a session to an account and sends it the account's state.
func (v *Venue) auth(c command) {
	a := v.accounts[c.account]
	if a == nil || a.internal {
		v.replyError(c.origin, c.account, CodeInvalidToken, "", "unknown account")
		return
	}
	if c.cod {
		a.cod[c.origin.Session] = true
	}
	if a.sessions == nil {
		a.sessions = map[uint64]bool{}
	}
	a.sessions[c.origin.Session] = true
	v.updateIdle(a)
	v.reply(KindAuthed, c.origin, a.id)
	// The snapshot carries the account's current seq: it is the state as of
	// that message, and the next private message is seq+1.
	direct := Origin{Session: c.origin.Session}
	e := v.reply(KindAccount, direct, a.id)
	e.Seq, e.Balances = a.seq, v.balances(a, nil)
	var open []orders.Order
	for _, bs := range v.books {
		open = bs.book.OwnerOrders(a.owner, open[:0])
		for _, o := range open {
			e := v.reply(KindOrder, direct, a.id)
			e.Seq, e.Symbol, e.Order = a.seq, bs.inst.Symbol, v.orderUpdate(v.live[o.ID])
		}
	}
}

// detach forgets a closed session; when it was the last one that asked for
// cancel_on_disconnect, the account's orders are canceled. An account
// left without session and open order becomes idle (account_idle.go).
func (v *Venue) detach(c command) {
	a := v.accounts[c.account]
	if a == nil {
		return
	}
	delete(a.sessions, c.origin.Session)
	defer v.updateIdle(a)
	if !a.cod[c.origin.Session] {
		return
	}
	delete(a.cod, c.origin.Session)
	if len(a.cod) > 0 {
		return
	}
	for _, bs := range v.books {
		bs.book.CancelAll(a.owner, orders.DoneDisconnect)
	}
}
