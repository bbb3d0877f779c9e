package market

import (
	"context"
	"testing"
	"time"
)

// authCode authenticates session as acct and returns the reply's kind and,
// for an error, its code.
func (tv *testVenue) authCode(session uint64, acct string) (Kind, string) {
	tv.t.Helper()
	if err := tv.Auth(Origin{Session: session, ID: 1, HasID: true}, acct, false); err != nil {
		tv.t.Fatal(err)
	}
	tv.do()
	evs := tv.pub.take()
	if len(evs) == 0 {
		tv.t.Fatal("no answer to auth")
	}
	if evs[0].Kind != KindError {
		return evs[0].Kind, ""
	}
	return evs[0].Kind, evs[0].Reply.Code
}

func (tv *testVenue) detach(session uint64, acct string) {
	tv.t.Helper()
	if err := tv.Detach(context.Background(), session, acct); err != nil {
		tv.t.Fatal(err)
	}
	tv.do()
	tv.pub.take()
}

// TestIdleAccountExpires: a demo account without session and open order
// is removed AccountIdleTTL after it became idle, on the venue's clock,
// even when no command arrives (the loop wakes for it); its token is then
// refused invalid_token and the expiry is counted.
func TestIdleAccountExpires(t *testing.T) {
	const ttl = time.Hour
	tv := newTestVenue(t, func(c *Config) { c.AccountIdleTTL = ttl })
	a := tv.account()
	agents := len(tv.accounts) - 1
	start := tv.clock.Now()
	if got := tv.nextWake(); got != start+int64(ttl) {
		t.Fatalf("next wake %d, want the idle deadline %d", got, start+int64(ttl))
	}
	if err := tv.Simulate(start + int64(ttl) - 1); err != nil {
		t.Fatal(err)
	}
	if tv.accounts[a] == nil || tv.ExpiredAccounts() != 0 {
		t.Fatal("account removed before its idle TTL")
	}
	if err := tv.Simulate(start + int64(ttl)); err != nil {
		t.Fatal(err)
	}
	if tv.accounts[a] != nil || tv.ExpiredAccounts() != 1 || len(tv.accounts) != agents {
		t.Fatalf("after the TTL: account kept %v, expired %d", tv.accounts[a] != nil, tv.ExpiredAccounts())
	}
	if k, code := tv.authCode(3, a); k != KindError || code != CodeInvalidToken {
		t.Fatalf("auth of an expired account: %v %q", k, code)
	}
	var herr error
	tv.query(func(ctx context.Context) { _, herr = tv.AccountHistory(ctx, a, 10) })
	if herr == nil {
		t.Fatal("account history of an expired account answered")
	}
}

// TestAttachedOrTradingAccountStays: an account with a session attached,
// or with an open order, never expires; it is idle from the moment the
// last session detaches or the last open order ends.
func TestAttachedOrTradingAccountStays(t *testing.T) {
	const ttl = time.Hour
	tv := newTestVenue(t, func(c *Config) { c.AccountIdleTTL = ttl })
	attached, resting := tv.account(), tv.account()
	if k, _ := tv.authCode(5, attached); k != KindAuthed {
		t.Fatalf("auth: %v", k)
	}
	if k, _ := tv.authCode(6, attached); k != KindAuthed { // a second session
		t.Fatalf("auth: %v", k)
	}
	if o := firstOrder(t, tv.place(resting, 2, limit("BTC-USD", "buy", "0.0010", "59000.00"))); o.Status != StatusNew {
		t.Fatalf("order: %s %s", o.Status, o.Reason)
	}
	step := func(d time.Duration) {
		t.Helper()
		if err := tv.Simulate(tv.clock.Now() + int64(d)); err != nil {
			t.Fatal(err)
		}
	}
	step(3 * ttl)
	if tv.accounts[attached] == nil || tv.accounts[resting] == nil || tv.ExpiredAccounts() != 0 {
		t.Fatal("an attached or trading account expired")
	}
	tv.detach(5, attached)
	step(2 * ttl)
	if tv.accounts[attached] == nil {
		t.Fatal("expired while one of its two sessions was still attached")
	}
	tv.detach(6, attached)
	_ = tv.CancelOrder(Origin{Session: 1, ID: 3, HasID: true}, resting, OrderRef{CID: "c"})
	tv.do()
	tv.pub.take()
	if tv.accounts[resting].open != 0 {
		t.Fatal("order not canceled")
	}
	step(ttl - 1)
	if tv.accounts[attached] == nil || tv.accounts[resting] == nil {
		t.Fatal("expired before the TTL since it became idle")
	}
	step(1)
	if tv.accounts[attached] != nil || tv.accounts[resting] != nil || tv.ExpiredAccounts() != 2 {
		t.Fatalf("idle for the TTL and kept (expired %d)", tv.ExpiredAccounts())
	}
}

// TestIdleExpiryBounded: one pass of the loop removes at most expireBatch
// accounts and wakes again at once for the rest; a negative TTL never
// expires any; agents never expire.
func TestIdleExpiryBounded(t *testing.T) {
	tv := newTestVenue(t, func(c *Config) { c.AccountIdleTTL = time.Minute })
	agent := tv.newAccount("agent", true)
	n := 3*expireBatch + 10
	for range n {
		tv.account()
	}
	tv.clock.Advance(time.Minute)
	tv.advance()
	if got := tv.ExpiredAccounts(); got != expireBatch {
		t.Fatalf("one pass removed %d, want %d", got, expireBatch)
	}
	if tv.nextWake() > tv.clock.Now() {
		t.Fatal("accounts left to expire, but the loop does not wake for them")
	}
	if err := tv.Simulate(tv.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if got := tv.ExpiredAccounts(); got != uint64(n) || tv.accounts[agent.id] == nil {
		t.Fatalf("expired %d of %d; agent kept %v", got, n, tv.accounts[agent.id] != nil)
	}

	never := newTestVenue(t, func(c *Config) { c.AccountIdleTTL = -1 })
	a := never.account()
	never.clock.Advance(1000 * time.Hour)
	never.advance()
	if never.accounts[a] == nil || never.ExpiredAccounts() != 0 {
		t.Fatal("an account expired with expiry disabled")
	}
}
