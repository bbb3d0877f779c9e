package feed_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/market"
)

// TestE2EIdleAccountExpires: a demo account created over REST, used by a
// session and left with no session and no open order, is removed after
// the idle TTL (here 300 ms of the server's clock): the expiry is counted
// in tickcast_accounts_expired_total, auth with its token answers
// invalid_token and its REST history 401 invalid_token (protocol.md 8.10).
func TestE2EIdleAccountExpires(t *testing.T) {
	const ttl = 300 * time.Millisecond
	ts := startServer(t, withoutSim(), withMarket(func(c *market.Config) { c.AccountIdleTTL = ttl }))
	acct, tok := ts.account()
	rc := ts.rawDial(t, "tickcast.v1.json", rawOpts{})
	rc.send(&wire.Auth{ID: wire.SomeID(1), Token: tok})
	if a, ok := rc.next(5 * time.Second).(*wire.Authed); !ok || a.Account != acct {
		t.Fatalf("auth of a fresh account: %+v", a)
	}
	// Attached: it stays, however long.
	time.Sleep(3 * ttl)
	if n := ts.metric("tickcast_accounts_expired_total"); n != 0 {
		t.Fatalf("%v accounts expired while attached", n)
	}
	detached := time.Now()
	_ = rc.nc.Close()
	deadline := time.Now().Add(10 * time.Second)
	for ts.metric("tickcast_accounts_expired_total") < 1 {
		if time.Now().After(deadline) {
			t.Fatal("the idle account did not expire")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if d := time.Since(detached); d < ttl {
		t.Fatalf("expired %v after the session closed, before the TTL %v", d, ttl)
	}
	rc2 := ts.rawDial(t, "tickcast.v1.json", rawOpts{})
	rc2.send(&wire.Auth{ID: wire.SomeID(2), Token: tok})
	if e, ok := rc2.next(5 * time.Second).(*wire.Error); !ok || e.Code != wire.CodeInvalidToken {
		t.Fatalf("auth of an expired account: %+v", e)
	}
	req, _ := http.NewRequest("GET", ts.URL("/api/v1/account/fills"), nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("REST history of an expired account: %s", resp.Status)
	}
}
