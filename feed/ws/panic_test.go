package ws

import (
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"

	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/internal/testkit"
)

// TestPanicClosesWith1011: a venue method that panics while a session
// handles an order takes down that session alone: the panic is recovered
// and logged, the client reads close 1011, the session leaves the hub and
// the venue is told it is gone (so cancel_on_disconnect still works), and
// the server keeps serving the other sessions and new ones.
func TestPanicClosesWith1011(t *testing.T) {
	f := newFixture(t, true, nil)
	victim := f.dial(t, "tickcast.v1.json")
	bystander := f.dial(t, "tickcast.v1.json")
	victim.send(&wire.Auth{ID: wire.SomeID(1), Token: "good-alice"})
	victim.send(&wire.NewOrder{ID: wire.SomeID(2), CID: "fine", S: "BTC-USD", Side: "buy", Type: "limit", Qty: "1", Px: "1"})
	victim.send(&wire.NewOrder{ID: wire.SomeID(3), CID: "boom", S: "BTC-USD", Side: "buy", Type: "limit", Qty: "1", Px: "1"})
	code, err := victim.closeCode()
	if err != nil || code != ws.StatusInternalServerError {
		t.Fatalf("victim: close %d, err %v; want 1011", code, err)
	}
	_ = victim.nc.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, err := io.Copy(io.Discard, victim.br); err != nil {
		t.Fatalf("connection not ended after 1011: %v", err)
	}
	testkit.Eventually(t, 5*time.Second, "the session to end", func() bool { return f.srv.Sessions() == 1 && f.hub.Subscribers() == 1 })
	if got := f.venue.detachedAccounts(); !slices.Equal(got, []string{"alice"}) {
		t.Errorf("venue detached %v, want [alice]", got)
	}
	if f.metrics.count(1011) != 1 {
		t.Errorf("metrics closes %v", f.metrics.closed)
	}
	logged := f.log.logged()
	if len(logged) != 1 || !strings.Contains(logged[0], "panic") {
		t.Errorf("logged %q", logged)
	}
	bystander.send(&wire.Ping{ID: wire.SomeID(7)})
	if p, ok := bystander.next().(*wire.Pong); !ok || p.ID != wire.SomeID(7) {
		t.Fatalf("bystander: %+v", p)
	}
	late := f.dial(t, "tickcast.v1.msgpack")
	_ = late
	if f.srv.Sessions() != 2 {
		t.Fatalf("sessions %d", f.srv.Sessions())
	}
}
