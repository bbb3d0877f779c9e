package ws

import (
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/internal/testkit"
	"github.com/tickcast/tickcast/market"
)

// TestFirstReplyNotLost: a session registers with the hub before it sends
// the welcome, so the reply to the client's first operation is published
// after the registration was queued; the hub must route it to the session
// even when both wait for it at once (here the hub starts only when both
// are queued, as happens when it is not scheduled for a moment). It used
// to pick one at random and, half the time, drop the reply of an unknown
// session: the client's auth never got its authed.
func TestFirstReplyNotLost(t *testing.T) {
	for i := range 20 {
		f := newFixtureIdle(t, true, nil)
		f.venue.publish = func(e *market.Event) { f.src <- []*market.Event{e} }
		c := f.dial(t, "tickcast.v1.json")
		c.send(&wire.Auth{ID: wire.SomeID(1), Token: "good-carol"})
		testkit.Eventually(t, 5*time.Second, "the venue's reply to be queued", func() bool { return len(f.src) == 1 })
		f.runHub()
		a, ok := c.next().(*wire.Authed)
		if !ok || a.ID != wire.SomeID(1) || a.Account != "carol" {
			t.Fatalf("round %d: got %+v", i, a)
		}
	}
}
