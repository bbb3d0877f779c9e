package ws

import (
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/internal/testkit"
	"github.com/tickcast/tickcast/market"
)

// inflightFixture serves sessions with small in-flight caps over the fake
// venue, whose auths are answered at once and whose cancels wait until the
// test answers them.
func inflightFixture(t *testing.T, session, account, addr int) *fixture {
	t.Helper()
	f := newFixtureIdle(t, true, func(c *Config) {
		c.MaxInflight, c.MaxInflightAccount, c.MaxInflightIP = session, account, addr
		c.RateLimitBudget = 1 << 20
	})
	f.venue.publish = func(e *market.Event) { f.src <- []*market.Event{e} }
	f.runHub()
	return f
}

// authAs opens a session authenticated as account, and waits until its
// auth no longer counts as in flight (the hub completes it just after
// queuing the authed).
func (f *fixture) authAs(t *testing.T, account string) *client {
	t.Helper()
	before := f.srv.addrs.count("127.0.0.1")
	c := f.dial(t, "tickcast.v1.json")
	c.send(&wire.Auth{ID: wire.SomeID(1), Token: "good-" + account})
	if a, ok := c.next().(*wire.Authed); !ok || a.Account != account {
		t.Fatalf("auth as %s: %+v", account, a)
	}
	testkit.Eventually(t, 5*time.Second, "the auth completed", func() bool { return f.srv.addrs.count("127.0.0.1") == before })
	return c
}

// burst sends n cancels and a ping, and returns how many of the cancels
// were refused for an in-flight cap: the pong comes after the answers the
// session gave itself, so once it is read all n have been handled.
func (c *client) burst(n int) (refused int) {
	c.t.Helper()
	for i := range n {
		c.send(&wire.Cancel{ID: wire.SomeID(uint64(100 + i)), OID: wire.SomeID(uint64(1 << 40))})
	}
	c.send(&wire.Ping{ID: wire.SomeID(99)})
	for {
		switch m := c.next().(type) {
		case *wire.Pong:
			return refused
		case *wire.Error:
			if m.Code != wire.CodeRateLimited || m.Msg != msgInflight {
				c.t.Fatalf("unexpected %+v", m)
			}
			refused++
		default:
			c.t.Fatalf("unexpected %+v", m)
		}
	}
}

// publishAnswers has the hub route the answers of every cancel the venue
// holds.
func (f *fixture) publishAnswers() {
	for _, e := range f.venue.answer() {
		f.src <- []*market.Event{e}
	}
}

// TestInflightCapsAcrossSessions: an account's sessions together, and an
// address's sessions together, have at most their caps of operations
// waiting for the venue, whatever number of sessions they open; an auth
// counts too; past a cap an operation is refused rate_limited with the
// in-flight message, at once; the venue's answers free the counts, and
// sessions that end leave nothing behind.
func TestInflightCapsAcrossSessions(t *testing.T) {
	const session, account, addr = 8, 12, 20
	f := inflightFixture(t, session, account, addr)
	clients := []*client{f.authAs(t, "alice"), f.authAs(t, "alice"), f.authAs(t, "alice"), f.authAs(t, "bob"), f.authAs(t, "bob")}
	// alice: 8 (her session's cap), then 4 (her account's cap of 12), then
	// 0; bob: 8, and the address's cap of 20 is reached: then 0.
	for i, want := range []int{8, 4, 0, 8, 0} {
		if got := 10 - clients[i].burst(10); got != want {
			t.Fatalf("session %d: %d cancels taken, want %d", i, got, want)
		}
	}
	if n := f.venue.taken(); n != addr {
		t.Fatalf("the venue holds %d cancels, want %d", n, addr)
	}
	if a, b, ip := f.srv.accounts.count("alice"), f.srv.accounts.count("bob"), f.srv.addrs.count("127.0.0.1"); a != 12 || b != 8 || ip != 20 {
		t.Fatalf("counted: alice %d, bob %d, the address %d; want 12, 8, 20", a, b, ip)
	}
	// An auth is an operation for the venue: refused too while the address
	// is at its cap.
	carol := f.dial(t, "tickcast.v1.json")
	carol.send(&wire.Auth{ID: wire.SomeID(5), Token: "good-carol"})
	if e, ok := carol.next().(*wire.Error); !ok || e.ID != wire.SomeID(5) || e.Code != wire.CodeRateLimited || e.Msg != msgInflight {
		t.Fatalf("auth at the address's cap: %+v", e)
	}
	if refused := f.srv.InflightRefused(); refused[0] != 2+2 || refused[1] != 6+10 || refused[2] != 10+1 {
		t.Errorf("refusals by scope (session, account, address) %v, want [4 16 11]", refused)
	}
	// The venue answers: everything is free again.
	f.publishAnswers()
	testkit.Eventually(t, 5*time.Second, "the answers to free the counts", func() bool {
		return f.srv.addrs.count("127.0.0.1") == 0 && f.srv.accounts.count("alice") == 0 && f.srv.accounts.count("bob") == 0
	})
	if got := 10 - clients[2].burst(10); got != session {
		t.Fatalf("after the answers: %d taken, want %d", got, session)
	}
	f.publishAnswers()
	for _, c := range append(clients, carol) {
		_ = c.nc.Close()
	}
	testkit.Eventually(t, 5*time.Second, "every slot released", func() bool {
		return f.srv.Sessions() == 0 && f.srv.addrs.keys() == 0 && f.srv.accounts.keys() == 0
	})
}

// TestInflightOutlivesSession: a session that ends with operations still
// waiting for the venue leaves them counted against its account and
// address until the venue answers them (they are still in its queue, ahead
// of other traders): closing and reopening sessions does not reset the
// count.
func TestInflightOutlivesSession(t *testing.T) {
	f := inflightFixture(t, 8, 100, 10)
	c := f.authAs(t, "alice")
	if got := 8 - c.burst(8); got != 8 {
		t.Fatalf("%d taken, want 8", got)
	}
	_ = c.nc.Close()
	testkit.Eventually(t, 5*time.Second, "the session to end", func() bool { return f.srv.Sessions() == 0 && f.hub.Subscribers() == 0 })
	if n := f.srv.addrs.count("127.0.0.1"); n != 8 {
		t.Fatalf("after the session ended the address counts %d, want its 8 unanswered", n)
	}
	// A new session from the address: its auth and one cancel fit.
	c = f.authAs(t, "alice")
	if got := 8 - c.burst(8); got != 2 {
		t.Fatalf("a new session got %d cancels taken, want 2 (the address's 10 less the ended session's 8)", got)
	}
	// The answers to the ended session's operations free them.
	f.publishAnswers()
	testkit.Eventually(t, 5*time.Second, "the answers to free the counts", func() bool {
		return f.srv.addrs.count("127.0.0.1") == 0 && f.srv.accounts.count("alice") == 0
	})
	_ = c.nc.Close()
	testkit.Eventually(t, 5*time.Second, "every slot released", func() bool {
		return f.srv.Sessions() == 0 && f.srv.addrs.keys() == 0 && f.srv.accounts.keys() == 0
	})
}

// TestInflightMovesWithReauth: a session that authenticates as another
// account takes its waiting operations with it: they count against the new
// account, not the old one.
func TestInflightMovesWithReauth(t *testing.T) {
	f := inflightFixture(t, 8, 100, 100)
	c := f.authAs(t, "alice")
	if got := 5 - c.burst(5); got != 5 {
		t.Fatalf("%d taken, want 5", got)
	}
	c.send(&wire.Auth{ID: wire.SomeID(2), Token: "good-bob"})
	if a, ok := c.next().(*wire.Authed); !ok || a.Account != "bob" {
		t.Fatalf("re-auth: %+v", a)
	}
	testkit.Eventually(t, 5*time.Second, "alice's 5 to count for bob", func() bool {
		return f.srv.accounts.count("alice") == 0 && f.srv.accounts.count("bob") == 5 && f.srv.accounts.keys() == 1
	})
	f.publishAnswers()
	testkit.Eventually(t, 5*time.Second, "the answers to free the counts", func() bool {
		return f.srv.accounts.count("bob") == 0 && f.srv.addrs.count("127.0.0.1") == 0
	})
}

// TestInflightGivenUp: answers that never come (a venue that lost them) do
// not pin an ended session's counts for ever: after giveUpAfter they are
// released, and an answer that comes later after all changes nothing.
func TestInflightGivenUp(t *testing.T) {
	old := giveUpAfter
	t.Cleanup(func() { giveUpAfter = old }) // after the fixture's, which ends the sessions
	giveUpAfter = 200 * time.Millisecond
	f := inflightFixture(t, 8, 100, 100)
	c := f.authAs(t, "alice")
	if got := 3 - c.burst(3); got != 3 {
		t.Fatalf("%d taken, want 3", got)
	}
	_ = c.nc.Close()
	testkit.Eventually(t, 5*time.Second, "the session to end", func() bool { return f.srv.Sessions() == 0 })
	if n := f.srv.addrs.count("127.0.0.1"); n != 3 {
		t.Fatalf("right after the end the address counts %d, want 3", n)
	}
	testkit.Eventually(t, 5*time.Second, "the counts given up", func() bool {
		return f.srv.addrs.keys() == 0 && f.srv.accounts.keys() == 0
	})
	f.publishAnswers() // late: nothing to release, nothing goes negative
	c = f.authAs(t, "alice")
	if got := 8 - c.burst(8); got != 8 {
		t.Fatalf("a new session got %d taken, want 8", got)
	}
	if n := f.srv.addrs.count("127.0.0.1"); n != 8 {
		t.Fatalf("the address counts %d, want 8", n)
	}
}
