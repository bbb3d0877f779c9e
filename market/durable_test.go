package market

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tickcast/tickcast/market/journal"
	"github.com/tickcast/tickcast/orders"
)

// syncCapture is a Publisher that keeps every event, safe to read while
// Run publishes.
type syncCapture struct {
	mu     sync.Mutex
	events []*Event
}

func (c *syncCapture) Publish(batch []*Event) {
	c.mu.Lock()
	c.events = append(c.events, batch...)
	c.mu.Unlock()
}

func (c *syncCapture) all() []*Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*Event(nil), c.events...)
}

// randActor is a small deterministic simulated trader: it places and
// cancels limit orders around the last price at random times, from its own
// random generator (whose state a snapshot keeps).
type randActor struct {
	pcg   *rand.PCG
	rng   *rand.Rand
	owner orders.Owner
	every int64
}

func newRandActor(seed uint64, every time.Duration) *randActor {
	p := rand.NewPCG(seed, seed^0x5eed)
	return &randActor{pcg: p, rng: rand.New(p), every: int64(every)}
}

func (a *randActor) Start(x *Exchange) int64 {
	a.owner, _ = x.NewAgent("rand", map[string]string{"USD": "100000000", "BTC": "1000", "EUR": "100000000"})
	return x.Now() + a.every
}

func (a *randActor) Wake(x *Exchange, now int64) int64 {
	for range 1 + a.rng.IntN(3) {
		inst := []int{0, 4}[a.rng.IntN(2)]
		last, _ := x.LastPrice(inst)
		side := orders.Side(a.rng.IntN(2) + 1)
		px := last + int64(a.rng.IntN(41)-20)
		var o []orders.Order
		if o = x.OpenOrders(a.owner, inst, o); len(o) > 20 {
			x.Cancel(a.owner, o[a.rng.IntN(len(o))].ID)
		}
		x.Place(a.owner, inst, Order{Side: side, Type: orders.Limit, Px: px, Qty: 1 + int64(a.rng.IntN(5))})
	}
	return now + 1 + a.rng.Int64N(2*a.every)
}

func (a *randActor) MarshalState() ([]byte, error) {
	p, err := a.pcg.MarshalBinary()
	return append(strconv.AppendUint(nil, uint64(a.owner), 10), append([]byte{' '}, p...)...), err
}

func (a *randActor) UnmarshalState(b []byte) error {
	for i, c := range b {
		if c == ' ' {
			n, err := strconv.ParseUint(string(b[:i]), 10, 32)
			if err != nil {
				return err
			}
			a.owner = orders.Owner(n)
			return a.pcg.UnmarshalBinary(b[i+1:])
		}
	}
	return strconv.ErrSyntax
}

// durableConfig is a durable venue on the wall clock with a randActor.
func durableConfig(dir string, pub Publisher) Config {
	return Config{Publisher: pub, Seed: 3, Epoch: "durable", TokenKey: []byte("key"), DataDir: dir,
		Actors: []Actor{newRandActor(9, 2*time.Millisecond)}, WarmStart: 20 * time.Second, RateLimit: 1e6, RateBurst: 1e6}
}

// running starts v's Run and returns a stop that waits for it.
func running(t *testing.T, v *Venue) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- v.Run(ctx) }()
	select {
	case <-v.Live():
	case err := <-errc:
		cancel()
		t.Fatalf("Run: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("venue not live in 20 s")
	}
	return func() error { cancel(); return <-errc }
}

// userFlow creates accounts and trades between them.
func userFlow(t *testing.T, v *Venue, n int) []string {
	t.Helper()
	ctx := context.Background()
	var accts []string
	for range 3 {
		a, _, err := v.CreateAccount(ctx)
		if err != nil {
			t.Fatal(err)
		}
		accts = append(accts, a)
	}
	for i := range n {
		side := []string{"buy", "sell"}[i%2]
		px := strconv.Itoa(59990+i%20) + ".00"
		if err := v.PlaceOrder(Origin{Session: 7, ID: int64(i), HasID: true}, accts[i%3], limit("BTC-USD", side, "0.0100", px)); err != nil {
			t.Fatal(err)
		}
		if i%10 == 0 {
			_ = v.Auth(Origin{Session: uint64(100 + i)}, accts[i%3], true)
		}
	}
	if _, err := v.BookSnapshot(ctx, "BTC-USD"); err != nil { // waits for the orders before it
		t.Fatal(err)
	}
	return accts
}

func TestDurableReplayRepublishesTheSameEvents(t *testing.T) {
	dir := t.TempDir()
	pub1 := &syncCapture{}
	v1, err := New(durableConfig(dir, pub1))
	if err != nil {
		t.Fatal(err)
	}
	stop := running(t, v1)
	userFlow(t, v1, 60)
	time.Sleep(100 * time.Millisecond)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	before := pub1.all()
	if len(before) < 100 {
		t.Fatalf("only %d events before the restart", len(before))
	}

	pub2 := &syncCapture{}
	v2, err := New(durableConfig(dir, pub2))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(durableConfig(dir, &syncCapture{})); err == nil {
		t.Fatal("a second venue opened the same data directory")
	}
	stop = running(t, v2)
	accts := userFlow(t, v2, 20)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	after := pub2.all()
	if len(after) < len(before) {
		t.Fatalf("%d events after the restart, %d before", len(after), len(before))
	}
	for i := range before {
		if !reflect.DeepEqual(before[i], after[i]) {
			t.Fatalf("event %d differs after the replay:\n%+v\n%+v", i, before[i], after[i])
		}
	}
	var lastOff uint64
	for _, e := range before {
		lastOff = max(lastOff, e.Off)
	}
	next := after[len(before):]
	if len(next) == 0 {
		t.Fatal("nothing new after the restart")
	}
	for _, e := range next {
		if e.Kind.Public() && e.Off <= lastOff {
			t.Fatalf("off %d after the restart, %d before it", e.Off, lastOff)
		}
		if e.Epoch != "durable" {
			t.Fatalf("epoch %q", e.Epoch)
		}
	}
	if id, ok := v2.VerifyToken(signToken([]byte("key"), accts[0])); !ok || id != accts[0] {
		t.Fatal("token not verified")
	}
}

// stateDigest describes the venue's state as text: books level by level
// and order by order, accounts with their balances, and every counter
// that numbers what comes next.
func stateDigest(v *Venue) string {
	var b strings.Builder
	fmt.Fprintf(&b, "off %d next oid %d accounts %d now %d\n", v.off, v.nextOID, v.nAccts, v.now)
	for _, bs := range v.books {
		fmt.Fprintf(&b, "%s seq %v trade %d last %d\n", bs.inst.Symbol, bs.seq, bs.tradeID, bs.lastPx)
		for _, side := range []orders.Side{orders.Buy, orders.Sell} {
			fmt.Fprintf(&b, "  %v %v\n", side, bs.book.Depth(side, 1<<30, nil))
		}
		for _, a := range v.owners[1:] {
			if a == nil {
				continue
			}
			if o := bs.book.OwnerOrders(a.owner, nil); len(o) > 0 {
				fmt.Fprintf(&b, "  %s %v\n", a.id, o)
			}
		}
	}
	for _, a := range v.owners[1:] {
		if a == nil {
			continue
		}
		fmt.Fprintf(&b, "%s seq %d open %d bal %v\n", a.id, a.seq, a.open, a.bal)
	}
	oids := make([]orders.OrderID, 0, len(v.live))
	for id := range v.live {
		oids = append(oids, id)
	}
	slices.Sort(oids)
	for _, id := range oids {
		o := v.live[id]
		fmt.Fprintf(&b, "order %d %s %s %d@%d filled %d reserved %d %s\n", id, o.acct.id, o.cid, o.qty, o.px, o.filled, o.reserved, o.status)
	}
	return b.String()
}

// TestDamagedSnapshotRefusesToStart: a snapshot that fails its checksum
// is damage like any other: New refuses the directory, naming the file.
func TestDamagedSnapshotRefusesToStart(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cfg := durableConfig(dir, &capture{})
	cfg.Clock, cfg.SnapshotInterval, cfg.ReplayWindow = NewManualClock(start), time.Nanosecond, time.Nanosecond
	v, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Simulate(start.Add(30 * time.Second).UnixNano()); err != nil {
		t.Fatal(err)
	}
	v.Close()
	snaps, _ := filepath.Glob(filepath.Join(dir, "snapshot-*.snap"))
	if len(snaps) == 0 {
		t.Fatal("no snapshot written")
	}
	newest := snaps[len(snaps)-1]
	b, _ := os.ReadFile(newest)
	b[len(b)/2] ^= 0x10
	os.WriteFile(newest, b, 0o644)
	cfg = durableConfig(dir, &capture{})
	cfg.ReplayWindow = time.Nanosecond
	if _, err := New(cfg); !errors.Is(err, journal.ErrDamaged) || !strings.Contains(err.Error(), newest) {
		t.Fatalf("New with a damaged snapshot: %v, want ErrDamaged naming %s", err, newest)
	}
}

// diffLines returns the first lines where a and b differ.
func diffLines(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return fmt.Sprintf("line %d:\n%s\n%s", i, la[i], lb[i])
		}
	}
	return fmt.Sprintf("%d lines against %d", len(la), len(lb))
}
