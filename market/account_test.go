package market

import (
	"context"
	"regexp"
	"testing"
)

// TestTokensDoNotSurviveARestart: two venue instances with the same seed
// and token key (a restart with fixed --seed and --token-key) issue
// different account ids, so a token of the first is refused by the second
// even after the second created as many accounts. Before the per-run
// nonce, the second's first account had the first's id and its token.
func TestTokensDoNotSurviveARestart(t *testing.T) {
	idRE := regexp.MustCompile(`^a_[0-9a-z]{13}$`)
	create := func(tv *testVenue, n int) (ids, toks []string) {
		for range n {
			var id, tok string
			tv.query(func(ctx context.Context) {
				var err error
				if id, tok, err = tv.CreateAccount(ctx); err != nil {
					t.Error(err)
				}
			})
			if !idRE.MatchString(id) {
				t.Fatalf("account id %q: want a_ and 13 of [0-9a-z]", id)
			}
			ids, toks = append(ids, id), append(toks, tok)
		}
		return ids, toks
	}
	first := newTestVenue(t, nil)
	second := newTestVenue(t, nil)
	if first.AccountNonce() == second.AccountNonce() {
		t.Fatal("two venues drew the same account nonce")
	}
	ids1, toks1 := create(first, 20)
	ids2, _ := create(second, 20)
	if ids1[0] == ids2[0] {
		t.Fatalf("the second venue's first account repeats the first's: %s", ids1[0])
	}
	seen := map[string]bool{}
	for _, id := range append(ids1, ids2...) {
		if seen[id] {
			t.Fatalf("account id %s issued twice", id)
		}
		seen[id] = true
	}
	for i, tok := range toks1 {
		acct, ok := second.VerifyToken(tok)
		if !ok {
			continue // refused outright: fine too
		}
		if err := second.Auth(Origin{Session: 7, ID: int64(i + 1), HasID: true}, acct, false); err != nil {
			t.Fatal(err)
		}
		second.do()
		evs := second.pub.take()
		if len(evs) == 0 || evs[0].Kind != KindError || evs[0].Reply.Code != CodeInvalidToken {
			t.Fatalf("token %d of the first venue logged into the second: %+v", i, evs)
		}
	}

	// A restored nonce gives the same ids again (recovery), and ids of one
	// venue are stable for its nonce, seed and count.
	restored := newTestVenue(t, func(c *Config) { c.AccountNonce = first.AccountNonce() })
	if ids, _ := create(restored, 1); ids[0] != ids1[0] {
		t.Fatalf("restored nonce: first id %s, want %s", ids[0], ids1[0])
	}
}

// TestAccountIDs: ids of one nonce and salt are distinct, of the fixed
// length, and two nonces next to each other do not give the same ids.
func TestAccountIDs(t *testing.T) {
	seen := map[string]bool{}
	for _, nonce := range []uint64{1, 2, 1 << 63, ^uint64(0)} {
		for n := uint32(1); n <= 5000; n++ {
			id := accountID(n, nonce*1_000_003, 42)
			if len(id) != 2+accountIDLen {
				t.Fatalf("id %q: length %d", id, len(id))
			}
			if seen[id] {
				t.Fatalf("id %q repeated (nonce %d, n %d)", id, nonce, n)
			}
			seen[id] = true
		}
	}
}
