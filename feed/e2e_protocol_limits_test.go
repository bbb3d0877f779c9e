package feed_test

import (
	"bytes"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/gobwas/ws"

	"github.com/tickcast/tickcast/feed/client"
	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/feed/wire"
	wsfeed "github.com/tickcast/tickcast/feed/ws"
	"github.com/tickcast/tickcast/market"
)

// The tests in this file prove the limits docs/protocol.md states for
// client authors (4.9, 8.4, 8.8, 5.2, 6.5) where the other tests do not pin
// down exactly what a client sees: the open-orders reject among the
// venue's checks, the cancel rate limit and the refusals a session answers
// itself, reading at the operation rate, and book snapshots bounded in
// depth.

// TestDocTooManyOpenOrders (protocol.md 8.4): at the open-orders limit a
// new limit gtc order is rejected too_many_open_orders, after the tif
// check and before the quantity and price checks (so it echoes the fields
// as sent), with oid 0 and no account message; orders that cannot rest
// (ioc, fok, market) pass it.
func TestDocTooManyOpenOrders(t *testing.T) {
	ts := startServer(t, withoutSim(), withMarket(func(c *market.Config) { c.MaxOpenOrders = 2 }))
	rc := ts.rawAuthed(t)
	for i, px := range []string{"59000.00", "59001.00"} {
		ms := rc.sequence(&wire.NewOrder{ID: wire.SomeID(uint64(10 + i)), CID: fmt.Sprint("rest-", i), S: "BTC-USD",
			Side: "buy", Type: "limit", Qty: "0.0100", Px: px}, uint64(100+i))
		if got := fmt.Sprint(describe(ms)); got != "[order:new/ account]" {
			t.Fatalf("order %d within the limit: %s", i, got)
		}
	}
	seq := uint64(4)
	cases := []struct {
		o    wire.NewOrder
		want string // describe() of what the order causes
	}{
		// A check before it still comes first.
		{wire.NewOrder{CID: "tif", S: "BTC-USD", Side: "buy", Type: "limit", Qty: "0.0100", Px: "58000.00", TIF: "day"},
			"[order:rejected/invalid_tif]"},
		// Checks after it do not run: a quantity no lot divides is not
		// looked at, and comes back as sent.
		{wire.NewOrder{CID: "over", S: "BTC-USD", Side: "buy", Type: "limit", Qty: "0.01", Px: "58000.00"},
			"[order:rejected/too_many_open_orders]"},
		{wire.NewOrder{CID: "bad-qty", S: "BTC-USD", Side: "buy", Type: "limit", Qty: "0.00001", Px: "58000.00", TIF: "gtc"},
			"[order:rejected/too_many_open_orders]"},
		// Orders that never rest pass.
		{wire.NewOrder{CID: "ioc", S: "BTC-USD", Side: "buy", Type: "limit", Qty: "0.0100", Px: "58000.00", TIF: "ioc"},
			"[order:new/ account order:expired/ioc_remainder account]"},
		{wire.NewOrder{CID: "fok", S: "BTC-USD", Side: "buy", Type: "limit", Qty: "0.0100", Px: "58000.00", TIF: "fok"},
			"[order:new/ account order:expired/fok_unfillable account]"},
		{wire.NewOrder{CID: "mkt", S: "BTC-USD", Side: "buy", Type: "market", Qty: "0.0100"},
			"[order:rejected/no_liquidity]"},
	}
	for i, c := range cases {
		c.o.ID = wire.SomeID(uint64(20 + i))
		ms := rc.sequence(&c.o, uint64(200+i))
		if got := fmt.Sprint(describe(ms)); got != c.want {
			t.Fatalf("%s: %s, want %s", c.o.CID, got, c.want)
		}
		o := ms[0].(*wire.Order)
		if o.ID != c.o.ID || o.Seq != seq+1 {
			t.Errorf("%s: id %v seq %d, want %v and %d", c.o.CID, o.ID, o.Seq, c.o.ID, seq+1)
		}
		seq += uint64(len(ms))
		if o.Reason == market.RejectTooManyOpen && (o.OID != 0 || o.Qty != c.o.Qty || o.TIF != "gtc" || o.Px != c.o.Px) {
			t.Errorf("%s: %+v, want oid 0 and the fields as sent", c.o.CID, o)
		}
	}
	// A cancel makes room again.
	rc.sequence(&wire.Cancel{ID: wire.SomeID(30), CID: "rest-0"}, 300)
	ms := rc.sequence(&wire.NewOrder{ID: wire.SomeID(31), CID: "over", S: "BTC-USD", Side: "buy", Type: "limit", Qty: "0.0100", Px: "58000.00"}, 301)
	if got := fmt.Sprint(describe(ms)); got != "[order:new/ account]" {
		t.Fatalf("after a cancel: %s", got)
	}
}

// TestDocCancelRateLimit (protocol.md 8.8): cancels and cancel_alls share a
// per-account bucket; past it each is answered error rate_limited "too
// many cancels: slow down" (no reason key), and these refusals count
// toward the 1008 budget like the order rate limit's: an operation
// answered otherwise resets the count, and the refusal past the budget is
// delivered before the close frame.
func TestDocCancelRateLimit(t *testing.T) {
	ts := startServer(t, withoutSim(),
		withMarket(func(c *market.Config) { c.CancelRateLimit, c.CancelRateBurst = 0.001, 2 }),
		withWS(func(c *wsfeed.Config) { c.RateLimitBudget = 3 }))
	rc := ts.rawAuthed(t)
	rc.send(&wire.Cancel{ID: wire.SomeID(2), OID: wire.SomeID(999)})
	if e, ok := rc.next(5 * time.Second).(*wire.Error); !ok || e.Code != wire.CodeUnknownOrder {
		t.Fatalf("first cancel: %+v", e)
	}
	rc.send(&wire.CancelAll{ID: wire.SomeID(3)})
	if c, ok := rc.next(5 * time.Second).(*wire.CanceledAll); !ok || c.Count != 0 {
		t.Fatalf("cancel_all within the burst: %+v", c)
	}
	refused := func(op wire.Op, id uint64) {
		t.Helper()
		rc.send(op)
		e, ok := rc.next(5 * time.Second).(*wire.Error)
		if !ok || e.ID != wire.SomeID(id) || e.Code != wire.CodeRateLimited || e.Msg != "too many cancels: slow down" || e.Reason != "" {
			t.Fatalf("op %d past the cancel burst: %+v", id, e)
		}
	}
	refused(&wire.Cancel{ID: wire.SomeID(4), OID: wire.SomeID(999)}, 4)
	refused(&wire.CancelAll{ID: wire.SomeID(5), S: "BTC-USD"}, 5)
	// An accepted order is answered otherwise: the count starts again.
	rc.send(&wire.NewOrder{ID: wire.SomeID(6), CID: "o", S: "BTC-USD", Side: "buy", Type: "limit", Qty: "0.0100", Px: "59000.00"})
	if o, ok := rc.next(5 * time.Second).(*wire.Order); !ok || o.Status != market.StatusNew {
		t.Fatalf("order: %+v", o)
	}
	rc.nextKind(wire.KindAccount, 5*time.Second)
	for id := uint64(7); id < 10; id++ {
		refused(&wire.Cancel{ID: wire.SomeID(id), OID: wire.SomeID(999)}, id)
	}
	// The fourth in a row passes the budget of three: its answer, then 1008.
	rc.send(&wire.Cancel{ID: wire.SomeID(10), OID: wire.SomeID(999)})
	got, code := rc.readUntilClose(5 * time.Second)
	if code != ws.StatusPolicyViolation {
		t.Fatalf("closed with %d, want 1008", code)
	}
	if len(got) != 1 {
		t.Fatalf("before the close: %v, want the refusal alone", describe(got))
	}
	if e, ok := got[0].(*wire.Error); !ok || e.ID != wire.SomeID(10) || e.Code != wire.CodeRateLimited {
		t.Fatalf("before the close: %+v", got[0])
	}
}

// venueBlocker is an actor that can hold the venue's goroutine: while it
// is blocked in Wake, the venue carries out no command.
type venueBlocker struct {
	mu      sync.Mutex
	armed   bool
	blocked chan struct{} // closed once Wake is holding the venue
	release chan struct{}
}

func (b *venueBlocker) Start(x *market.Exchange) int64 { return x.Now() }

func (b *venueBlocker) Wake(_ *market.Exchange, now int64) int64 {
	b.mu.Lock()
	armed, blocked, release := b.armed, b.blocked, b.release
	b.armed = false
	b.mu.Unlock()
	if armed {
		close(blocked)
		<-release
	}
	return now + int64(time.Millisecond)
}

// hold blocks the venue until the returned function is called (or the
// test ends).
func (b *venueBlocker) hold(t *testing.T) (release func()) {
	b.mu.Lock()
	b.armed, b.blocked, b.release = true, make(chan struct{}), make(chan struct{})
	blocked, rel := b.blocked, b.release
	b.mu.Unlock()
	select {
	case <-blocked:
	case <-time.After(5 * time.Second):
		t.Fatal("the venue was not held")
	}
	var once sync.Once
	release = func() { once.Do(func() { close(rel) }) }
	t.Cleanup(release)
	return release
}

// TestDocInflightCap (protocol.md 8.8): a session's operations waiting for
// the venue are capped; past the cap one is answered error rate_limited at
// once by the session itself (it overtakes the answers still due), while
// operations the venue does not handle (subscribe, ping) are not held up.
func TestDocInflightCap(t *testing.T) {
	b := &venueBlocker{}
	ts := startServer(t, withoutSim(), withMarket(func(c *market.Config) { c.Actors = []market.Actor{b} }),
		withWS(func(c *wsfeed.Config) { c.MaxInflight = 2 }))
	rc := ts.rawAuthed(t)
	release := b.hold(t)
	for id := uint64(10); id < 13; id++ {
		rc.send(&wire.Cancel{ID: wire.SomeID(id), OID: wire.SomeID(999)})
	}
	rc.send(&wire.Subscribe{ID: wire.SomeID(20), Channels: []string{"trades"}, Symbols: []string{"BTC-USD"}})
	rc.send(&wire.Ping{ID: wire.SomeID(21)})
	// The venue is held: all of these come from the session and the hub.
	e, ok := rc.next(5 * time.Second).(*wire.Error)
	if !ok || e.ID != wire.SomeID(12) || e.Code != wire.CodeRateLimited ||
		e.Msg != "too many operations waiting for the venue: wait for their answers" {
		t.Fatalf("third operation in flight: %+v", e)
	}
	// The hub answers the subscribe on its own goroutine, the session the
	// ping at once: either may come first.
	var subscribed, pong bool
	for range 2 {
		switch m := rc.next(5 * time.Second).(type) {
		case *wire.Subscribed:
			subscribed = m.ID == wire.SomeID(20)
		case *wire.Pong:
			pong = m.ID == wire.SomeID(21)
		default:
			t.Fatalf("while the venue is held: %+v", m)
		}
	}
	if !subscribed || !pong {
		t.Fatalf("subscribe answered %v, ping %v while the venue is held", subscribed, pong)
	}
	release()
	for _, id := range []uint64{10, 11} {
		if e, ok := rc.next(5 * time.Second).(*wire.Error); !ok || e.ID != wire.SomeID(id) || e.Code != wire.CodeUnknownOrder {
			t.Fatalf("answer %d once the venue runs: %+v", id, e)
		}
	}
	// Answered, they are no longer in flight.
	rc.send(&wire.Cancel{ID: wire.SomeID(13), OID: wire.SomeID(999)})
	if e, ok := rc.next(5 * time.Second).(*wire.Error); !ok || e.ID != wire.SomeID(13) || e.Code != wire.CodeUnknownOrder {
		t.Fatalf("after the answers: %+v", e)
	}
}

// TestDocReadAtOpRate (protocol.md 8.8): a session sending operations
// faster than its rate is not refused: it is read at that rate. Fifteen
// operations written at once with a burst of 5 at 20 a second are all
// answered, the last no sooner than half a second later, and a ping behind
// them waits its turn (it takes no token, but nothing is read past an
// empty bucket).
func TestDocReadAtOpRate(t *testing.T) {
	const rate, burst, n = 20, 5, 15
	ts := startServer(t, withoutSim(), withWS(func(c *wsfeed.Config) { c.OpRate, c.OpBurst = rate, burst }))
	rc := ts.rawDial(t, "tickcast.v1.json", rawOpts{})
	var w bytes.Buffer
	for i := range n {
		op := &wire.Unsubscribe{ID: wire.SomeID(uint64(i + 1)), Channels: []string{"trades"}, Symbols: []string{"BTC-USD"}}
		must(t, ws.WriteFrame(&w, ws.MaskFrameInPlaceWith(ws.NewTextFrame(wire.AppendOp(wire.JSON, nil, op)), ws.NewMask())))
	}
	must(t, ws.WriteFrame(&w, ws.MaskFrameInPlaceWith(ws.NewTextFrame(wire.AppendOp(wire.JSON, nil, &wire.Ping{ID: wire.SomeID(99)})), ws.NewMask())))
	t0 := time.Now()
	_, err := rc.nc.Write(w.Bytes())
	must(t, err)
	for i := range n {
		if u, ok := rc.next(5 * time.Second).(*wire.Unsubscribed); !ok || u.ID != wire.SomeID(uint64(i+1)) {
			t.Fatalf("answer %d: %+v", i+1, u)
		}
	}
	took := time.Since(t0)
	if p, ok := rc.next(5 * time.Second).(*wire.Pong); !ok || p.ID != wire.SomeID(99) {
		t.Fatalf("after the operations: %+v", p)
	}
	// The bucket held at most `burst` tokens when the write arrived; the
	// other n-burst operations each waited for one.
	if least := time.Duration(float64(n-burst) / rate * 0.9 * float64(time.Second)); took < least {
		t.Errorf("%d operations answered within %v, want at least %v at %d/s with a burst of %d", n, took, least, rate, burst)
	}
	t.Logf("%d operations answered in %v", n, took)
}

// sideBook is one side of a client's L2 book.
type sideBook map[string]string

// levels returns the side best first (bids descending, asks ascending).
func (b sideBook) levels(bids bool) []wire.Level {
	out := make([]wire.Level, 0, len(b))
	for px, qty := range b {
		out = append(out, wire.Level{Px: px, Qty: qty})
	}
	sort.Slice(out, func(i, j int) bool {
		a, c := out[i].Px, out[j].Px
		less := len(a) < len(c) || len(a) == len(c) && a < c
		return less != bids
	})
	return out
}

func (b sideBook) apply(levels []wire.Level) {
	for _, l := range levels {
		if l.Qty == "0.0000" {
			delete(b, l.Px)
		} else {
			b[l.Px] = l.Qty
		}
	}
}

// TestDocSnapshotDepth (protocol.md 5.2, 6.5, 1.1): a book snapshot holds
// the best --snapshot-depth levels a side, and its checksum (the best ten)
// verifies; a deeper level reaches the client as a delta when it changes;
// once the best levels are taken away, the client's top ten may include a
// level it never got, its checksum then fails, and a resubscribe heals
// it. REST takes ?depth= up to the snapshot depth, carries the stamps of
// the last delta like a streamed snapshot, and the checksum of the best
// ten whatever the depth.
func TestDocSnapshotDepth(t *testing.T) {
	const depth = 10
	ts := startServer(t, withoutSim(), withHub(func(c *hub.Config) { c.SnapshotDepth = depth }))
	maker := ts.trader(t, wire.JSON)
	// Twelve bid levels, 59000.00 the best … 58989.00 the deepest.
	px := func(i int) string { return fmt.Sprintf("%d.00", 59000-i) }
	for i := range depth + 2 {
		maker.placeNew(lim(fmt.Sprint("b", i), "BTC-USD", "buy", "0.0010", px(i)))
	}
	rc := ts.rawDial(t, "tickcast.v1.json", rawOpts{})
	rc.subscribe(1, []string{"book"}, []string{"BTC-USD"})
	snap, ok := rc.next(5 * time.Second).(*wire.BookSnapshot)
	if !ok || len(snap.Bids) != depth || snap.Bids[0].Px != px(0) || snap.Bids[depth-1].Px != px(depth-1) {
		t.Fatalf("snapshot: %+v, want the best %d bids", snap, depth)
	}
	if cs := client.Checksum(snap.Asks, snap.Bids); cs != snap.CS {
		t.Fatalf("snapshot checksum %d, computed %d", snap.CS, cs)
	}
	// REST: the same stamps as the streamed snapshot; depth 1 to the
	// snapshot depth; cs always that of the best ten.
	get := func(q string) (int, *wire.BookSnapshot) {
		resp, err := http.Get(ts.URL("/api/v1/book/BTC-USD" + q))
		must(t, err)
		defer resp.Body.Close()
		var body bytes.Buffer
		_, _ = body.ReadFrom(resp.Body)
		if resp.StatusCode != http.StatusOK {
			return resp.StatusCode, nil
		}
		m, err := wire.Decode(wire.JSON, body.Bytes())
		must(t, err)
		return resp.StatusCode, m.(*wire.BookSnapshot)
	}
	if _, r := get("?depth=3"); r == nil || len(r.Bids) != 3 || r.Seq != snap.Seq || r.Off != snap.Off || r.Ts != snap.Ts || r.CS != snap.CS {
		t.Errorf("REST depth 3: %+v, want 3 bids and the snapshot's seq %d off %d ts %d cs %d", r, snap.Seq, snap.Off, snap.Ts, snap.CS)
	}
	if _, r := get(fmt.Sprintf("?depth=%d", depth)); r == nil || len(r.Bids) != depth {
		t.Errorf("REST at the snapshot depth: %+v", r)
	}
	for _, q := range []string{"?depth=0", fmt.Sprintf("?depth=%d", depth+1), "?depth=x"} {
		if code, _ := get(q); code != http.StatusBadRequest {
			t.Errorf("REST %s: %d, want 400", q, code)
		}
	}
	bids, asks := sideBook{}, sideBook{}
	bids.apply(snap.Bids)
	next := func() *wire.BookDelta {
		t.Helper()
		d, ok := rc.next(5 * time.Second).(*wire.BookDelta)
		if !ok {
			t.Fatalf("want a book delta, got %+v", d)
		}
		bids.apply(d.Bids)
		asks.apply(d.Asks)
		return d
	}
	// The deepest level changes: the client learns of it, although no
	// snapshot carried it.
	maker.placeNew(lim("deep", "BTC-USD", "buy", "0.0010", px(depth+1)))
	if d := next(); len(d.Bids) != 1 || d.Bids[0] != (wire.Level{Px: px(depth + 1), Qty: "0.0020"}) {
		t.Fatalf("delta of the deepest level: %+v", d.Bids)
	}
	if cs := client.Checksum(asks.levels(false), bids.levels(true)); cs != snap.CS {
		t.Fatal("a change below the best ten changed the checksum")
	}
	// The best bid goes: the book's tenth level is now px(10), which the
	// client never got. Its checksum fails.
	if _, err := maker.c.Cancel(ctxT(t), wire.Cancel{CID: "b0"}); err != nil {
		t.Fatal(err)
	}
	d := next()
	if cs := client.Checksum(asks.levels(false), bids.levels(true)); cs == d.CS {
		t.Fatal("the client's checksum verified with a level missing from its top ten")
	}
	// Resubscribing heals it: a fresh snapshot of the best ten.
	rc.send(&wire.Subscribe{ID: wire.SomeID(2), Channels: []string{"book"}, Symbols: []string{"BTC-USD"}})
	rc.nextKind(wire.KindSubscribed, 5*time.Second)
	snap2, ok := rc.next(5 * time.Second).(*wire.BookSnapshot)
	if !ok || len(snap2.Bids) != depth || snap2.Bids[depth-1].Px != px(depth) || snap2.Seq != d.Seq {
		t.Fatalf("snapshot after the resubscribe: %+v", snap2)
	}
	if cs := client.Checksum(snap2.Asks, snap2.Bids); cs != snap2.CS || cs != d.CS {
		t.Fatalf("fresh snapshot checksum %d, computed %d, delta's %d", snap2.CS, cs, d.CS)
	}
}
