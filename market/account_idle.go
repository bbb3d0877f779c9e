package market

import "time"

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
// finding what expired costs a look at its front. The list runs through
// the accounts themselves (idlePrev, idleNext): joining it allocates
// nothing, which a user order's account does each time its last open
// order ends.
type idleAccounts struct {
	ttl         int64 // ns; 0: accounts never expire
	front, back *account
	n           int
}

// pushBack appends a, which is not on the list.
func (l *idleAccounts) pushBack(a *account) {
	a.idlePrev, a.idleNext, a.onIdle = l.back, nil, true
	if l.back != nil {
		l.back.idleNext = a
	} else {
		l.front = a
	}
	l.back = a
	l.n++
}

// remove takes a, which is on the list, off it.
func (l *idleAccounts) remove(a *account) {
	if a.idlePrev != nil {
		a.idlePrev.idleNext = a.idleNext
	} else {
		l.front = a.idleNext
	}
	if a.idleNext != nil {
		a.idleNext.idlePrev = a.idlePrev
	} else {
		l.back = a.idlePrev
	}
	a.idlePrev, a.idleNext, a.onIdle = nil, nil, false
	l.n--
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
	case idle && !a.onIdle:
		a.idleSince = v.now
		v.idleAccts.pushBack(a)
	case !idle && a.onIdle:
		v.idleAccts.remove(a)
	}
}

// idleDeadline is when the oldest idle account expires, or MaxInt64.
func (v *Venue) idleDeadline() int64 {
	if f := v.idleAccts.front; f != nil {
		return f.idleSince + v.idleAccts.ttl
	}
	return 1<<63 - 1
}

// expireIdle removes up to expireBatch accounts idle for the TTL: their
// balances go with them and their tokens are answered invalid_token.
// Having no open order, they hold no reservation.
func (v *Venue) expireIdle() {
	for range expireBatch {
		a := v.idleAccts.front
		if a == nil || a.idleSince+v.idleAccts.ttl > v.now {
			return
		}
		v.idleAccts.remove(a)
		delete(v.accounts, a.id)
		v.owners[a.owner] = nil
		v.expired.Add(1)
	}
}

// ExpiredAccounts returns how many idle demo accounts the venue has
// removed (Config.AccountIdleTTL). Safe from any goroutine.
func (v *Venue) ExpiredAccounts() uint64 { return v.expired.Load() }
