package market

import (
	"container/list"
	"time"
)

// DefaultAccountIdleTTL is how long a demo account may sit idle — no
// authenticated session attached and no open order — before the venue
// removes it (Config.AccountIdleTTL, protocol.md 8.10).
const DefaultAccountIdleTTL = 24 * time.Hour

// expireBatch bounds how many idle accounts one pass of the loop removes;
// the rest go on the next pass, at once (nextWake).
const expireBatch = 256

// idleAccounts is the venue's list of idle user accounts, oldest first.
// An account joins at the back when it becomes idle, stamped with the
// venue time, and leaves when it is attached or gets an open order again;
// since venue time never goes back, the list is ordered by idleSince and
// finding what expired costs a look at its front.
type idleAccounts struct {
	ttl int64 // ns; 0: accounts never expire
	l   list.List
}

// idle reports whether a user account is idle: no session attached to it
// and no open order.
func (a *account) idle() bool { return len(a.sessions) == 0 && a.open == 0 }

// updateIdle moves a user account on or off the idle list after its
// sessions or open orders changed.
func (v *Venue) updateIdle(a *account) {
	if a.internal || v.idleAccts.ttl == 0 {
		return
	}
	switch idle := a.idle(); {
	case idle && a.idleElem == nil:
		a.idleSince = v.now
		a.idleElem = v.idleAccts.l.PushBack(a)
	case !idle && a.idleElem != nil:
		v.idleAccts.l.Remove(a.idleElem)
		a.idleElem = nil
	}
}

// idleDeadline is when the oldest idle account expires, or MaxInt64.
func (v *Venue) idleDeadline() int64 {
	if f := v.idleAccts.l.Front(); f != nil {
		return f.Value.(*account).idleSince + v.idleAccts.ttl
	}
	return 1<<63 - 1
}

// expireIdle removes up to expireBatch accounts idle for the TTL: their
// balances go with them and their tokens are answered invalid_token.
// Having no open order, they hold no reservation.
func (v *Venue) expireIdle() {
	for range expireBatch {
		f := v.idleAccts.l.Front()
		if f == nil {
			return
		}
		a := f.Value.(*account)
		if a.idleSince+v.idleAccts.ttl > v.now {
			return
		}
		v.idleAccts.l.Remove(f)
		a.idleElem = nil
		delete(v.accounts, a.id)
		v.owners[a.owner] = nil
		v.expired.Add(1)
	}
}

// ExpiredAccounts returns how many idle demo accounts the venue has
// removed (Config.AccountIdleTTL). Safe from any goroutine.
func (v *Venue) ExpiredAccounts() uint64 { return v.expired.Load() }
