package feed_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/client"
	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/internal/testkit"
)

// recorder keeps, per stream, every lossless message a client received,
// by seq, and checks as it goes that seqs are contiguous and never
// repeated.
type recorder struct {
	mu     sync.Mutex
	msgs   map[string]map[uint64][]byte
	last   map[string]uint64
	faults []string
	snaps  map[string]int
}

func newRecorder() *recorder {
	return &recorder{msgs: map[string]map[uint64][]byte{}, last: map[string]uint64{}, snaps: map[string]int{}}
}

// add records a public message; it returns its stream and seq.
func (r *recorder) add(raw []byte, h wire.Header) {
	if !h.Kind.Public() || !wire.Lossless(h.Ch) {
		return
	}
	name := h.Stream()
	r.mu.Lock()
	defer r.mu.Unlock()
	if h.Kind == wire.KindBookSnapshot {
		r.snaps[name]++
		if _, started := r.last[name]; !started {
			r.last[name] = h.Seq
			r.store(name, h.Seq, raw)
			return
		}
	}
	if last, started := r.last[name]; started && h.Seq != last+1 {
		r.faults = append(r.faults, name+": seq "+itoa(h.Seq)+" after "+itoa(last))
	}
	if h.Seq > r.last[name] {
		r.last[name] = h.Seq
	}
	r.store(name, h.Seq, raw)
}

func (r *recorder) store(name string, seq uint64, raw []byte) {
	m := r.msgs[name]
	if m == nil {
		m = map[uint64][]byte{}
		r.msgs[name] = m
	}
	m[seq] = bytes.Clone(raw)
}

func (r *recorder) lastSeq(name string) uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last[name]
}

func (r *recorder) get(name string, seq uint64) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.msgs[name][seq]
}

func (r *recorder) check(t testing.TB) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range r.faults {
		t.Error(f)
	}
}

func itoa(u uint64) string { return strconv.FormatUint(u, 10) }

// TestE2EResumeAfterDrop: the Go client, subscribed to trades and book,
// loses its TCP connection abruptly (a reset, no close frame) twice; it
// reconnects and resumes with the epoch and since, and across both
// reconnects every lossless stream stays contiguous: no gap, nothing
// delivered twice (the server sent no duplicate: the client counted
// none), no reset, no second snapshot.
func TestE2EResumeAfterDrop(t *testing.T) {
	ts := startServer(t, withSimRate(40))
	var cur atomic.Pointer[net.TCPConn]
	rec := newRecorder()
	syms := []string{"BTC-USD", "ETH-USD"}
	c := ts.dial(func(c *client.Config) {
		c.Format = wire.JSON
		c.Reconnect = client.Reconnect{MinDelay: 20 * time.Millisecond, MaxDelay: 50 * time.Millisecond}
		c.NetDial = func(ctx context.Context, network, addr string) (net.Conn, error) {
			var d net.Dialer
			nc, err := d.DialContext(ctx, network, addr)
			if err == nil {
				cur.Store(nc.(*net.TCPConn))
			}
			return nc, err
		}
		c.OnMessage = rec.add
	})
	ctx := ctxT(t)
	if _, err := c.Subscribe(ctx, []string{"trades", "book"}, syms); err != nil {
		t.Fatal(err)
	}
	streams := []string{"trades:BTC-USD", "book:BTC-USD", "trades:ETH-USD", "book:ETH-USD"}
	var replayedAfter []uint64
	for round := 1; round <= 2; round++ {
		before := rec.lastSeq("book:BTC-USD")
		testkit.Eventually(t, 10*time.Second, "market data", func() bool { return rec.lastSeq("book:BTC-USD") > before+100 })
		nc := cur.Load()
		_ = nc.SetLinger(0)
		_ = nc.Close()
		at := rec.lastSeq("book:BTC-USD")
		replayedAfter = append(replayedAfter, at)
		testkit.Eventually(t, 10*time.Second, "the reconnect", func() bool { return c.Stats().Reconnects == uint64(round) })
		testkit.Eventually(t, 10*time.Second, "data after the reconnect", func() bool { return rec.lastSeq("book:BTC-USD") > at+100 })
	}
	_ = c.Close()
	rec.check(t)
	st := c.Stats()
	t.Logf("stats %+v; dropped after book seq %v; last seqs %v", st, replayedAfter, rec.last)
	if st.Gaps != 0 || st.Duplicates != 0 || st.Resets != 0 || st.Resyncs != 0 || st.ChecksumErrors != 0 || st.Malformed != 0 {
		t.Errorf("stats %+v", st)
	}
	for _, s := range streams {
		if s[:4] == "book" && rec.snaps[s] != 1 {
			t.Errorf("%s: %d snapshots, want 1 (a resume replays deltas)", s, rec.snaps[s])
		}
	}
}

// TestE2EResumeReplay cuts a raw client off, lets the market move on,
// and resumes on a new connection with the epoch and since: the server
// replays exactly the missed messages, byte for byte what a client that
// stayed connected received, then continues live, with no gap and no
// duplicate.
func TestE2EResumeReplay(t *testing.T) {
	ts := startServer(t, withSimRate(40))
	obs := newRecorder()
	o := ts.dial(func(c *client.Config) { c.Format = wire.JSON; c.OnMessage = obs.add })
	ctx := ctxT(t)
	chans, syms := []string{"trades", "book"}, []string{"BTC-USD"}
	if _, err := o.Subscribe(ctx, chans, syms); err != nil {
		t.Fatal(err)
	}
	rc := ts.rawDial(t, "tickcast.v1.json", rawOpts{})
	rc.subscribe(1, chans, syms)
	mine := newRecorder()
	for mine.lastSeq("trades:BTC-USD") < 3 || mine.lastSeq("book:BTC-USD") < 50 {
		_, raw, err := rc.nextRaw(10 * time.Second)
		must(t, err)
		h, err := wire.DecodeHeader(wire.JSON, raw)
		must(t, err)
		mine.add(raw, h)
	}
	rc.drop()
	since := map[string]uint64{"trades:BTC-USD": mine.lastSeq("trades:BTC-USD"), "book:BTC-USD": mine.lastSeq("book:BTC-USD")}
	// Let the market move on while disconnected.
	testkit.Eventually(t, 10*time.Second, "missed messages", func() bool {
		return obs.lastSeq("trades:BTC-USD") >= since["trades:BTC-USD"]+3 && obs.lastSeq("book:BTC-USD") >= since["book:BTC-USD"]+100
	})
	missed := obs.lastSeq("book:BTC-USD") - since["book:BTC-USD"]
	rc2 := ts.rawDial(t, "tickcast.v1.json", rawOpts{})
	rc2.send(&wire.Subscribe{ID: wire.SomeID(2), Channels: chans, Symbols: syms, Epoch: rc.welcome.Epoch, Since: since})
	if s, ok := rc2.next(5 * time.Second).(*wire.Subscribed); !ok || s.ID != wire.SomeID(2) {
		t.Fatalf("first answer %+v, want subscribed", s)
	}
	resumed := newRecorder()
	for k, v := range since {
		resumed.last[k] = v
	}
	for resumed.lastSeq("book:BTC-USD") < since["book:BTC-USD"]+missed+50 {
		m, raw, err := rc2.nextRaw(10 * time.Second)
		must(t, err)
		switch m.(type) {
		case *wire.Reset, *wire.BookSnapshot:
			t.Fatalf("resume answered %+v", m)
		}
		h, err := wire.DecodeHeader(wire.JSON, raw)
		must(t, err)
		resumed.add(raw, h)
		name := h.Stream()
		var want []byte
		testkit.Eventually(t, 5*time.Second, "the observer to see "+name+" "+itoa(h.Seq), func() bool {
			want = obs.get(name, h.Seq)
			return want != nil
		})
		if !bytes.Equal(raw, want) {
			t.Fatalf("%s seq %d differs from what the observer got:\n%s\n%s", name, h.Seq, raw, want)
		}
	}
	resumed.check(t)
	obs.check(t)
	t.Logf("resumed after trades %d / book %d; %d book messages missed and replayed", since["trades:BTC-USD"], since["book:BTC-USD"], missed)
}

// TestE2EResumeEpochChanged: a resume naming another epoch gets a reset
// epoch_changed per stream and, for book, a fresh snapshot; live messages
// follow.
func TestE2EResumeEpochChanged(t *testing.T) {
	ts := startServer(t, withSimRate(40))
	rc := ts.rawDial(t, "tickcast.v1.msgpack", rawOpts{})
	rc.send(&wire.Subscribe{ID: wire.SomeID(1), Channels: []string{"trades", "book"}, Symbols: []string{"BTC-USD"},
		Epoch: "an-older-epoch", Since: map[string]uint64{"trades:BTC-USD": 5, "book:BTC-USD": 7}})
	checkResets(t, rc, wire.ResetEpochChanged)
}

// TestE2EResumeHistoryExpired: with a hub that keeps only 64 messages, a
// resume from seq 1 after hundreds more gets a reset history_expired per
// stream and, for book, a fresh snapshot. A resume still within the
// history is replayed.
func TestE2EResumeHistoryExpired(t *testing.T) {
	ts := startServer(t, withSimRate(40), withHistory(64))
	obs := ts.dial(nil)
	ctx := ctxT(t)
	if _, err := obs.Subscribe(ctx, []string{"book"}, []string{"BTC-USD"}); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, 10*time.Second, "history to roll", func() bool { s, _ := obs.LastSeq("book", "BTC-USD"); return s > 300 })
	rc := ts.rawDial(t, "tickcast.v1.json", rawOpts{})
	rc.send(&wire.Subscribe{ID: wire.SomeID(1), Channels: []string{"trades", "book"}, Symbols: []string{"BTC-USD"},
		Epoch: rc.welcome.Epoch, Since: map[string]uint64{"trades:BTC-USD": 0, "book:BTC-USD": 1}})
	checkResets(t, rc, wire.ResetHistoryExpired)

	// A resume from one message back is within the history, once the
	// market is quiet (at this rate 64 messages are a few milliseconds).
	ts.pauseSim()
	var cur uint64
	testkit.Eventually(t, 5*time.Second, "the book to settle", func() bool {
		prev := cur
		cur = ts.restBook("BTC-USD").Seq
		s, _ := obs.LastSeq("book", "BTC-USD")
		return cur == prev && s == cur
	})
	rc2 := ts.rawDial(t, "tickcast.v1.json", rawOpts{})
	rc2.send(&wire.Subscribe{ID: wire.SomeID(2), Channels: []string{"book"}, Symbols: []string{"BTC-USD"},
		Epoch: rc2.welcome.Epoch, Since: map[string]uint64{"book:BTC-USD": cur - 1}})
	rc2.nextKind(wire.KindSubscribed, 5*time.Second)
	d, ok := rc2.next(5 * time.Second).(*wire.BookDelta)
	if !ok || d.Seq != cur {
		t.Fatalf("replay starts with %+v, want the delta of seq %d", d, cur)
	}
}

// checkResets reads the answer to a resume the server cannot honour:
// subscribed, a reset with reason for each stream, a fresh book snapshot,
// then live data that continues the snapshot.
func checkResets(t *testing.T, rc *rawConn, reason string) {
	t.Helper()
	if _, ok := rc.next(5 * time.Second).(*wire.Subscribed); !ok {
		t.Fatal("want subscribed first")
	}
	resets := map[string]bool{}
	var snap *wire.BookSnapshot
	for len(resets) < 2 || snap == nil {
		m := rc.next(5 * time.Second)
		switch m := m.(type) {
		case *wire.Reset:
			if m.Reason != reason || m.S != "BTC-USD" {
				t.Fatalf("reset %+v, want reason %s", m, reason)
			}
			resets[m.Ch] = true
		case *wire.BookSnapshot:
			if !resets["book"] {
				t.Fatal("book snapshot before the book's reset")
			}
			snap = m
		case *wire.BookDelta:
			t.Fatalf("delta %d before the snapshot", m.Seq)
		}
	}
	if !resets["trades"] || !resets["book"] {
		t.Fatalf("resets %v", resets)
	}
	for {
		if d, ok := rc.next(10 * time.Second).(*wire.BookDelta); ok {
			if d.Seq != snap.Seq+1 {
				t.Fatalf("first delta %d after snapshot %d", d.Seq, snap.Seq)
			}
			return
		}
	}
}

// TestE2EResumeLargerThanBacklog: a client that missed more than the
// backlog limit holds resumes; the replay counts against the limit, so
// the server sends a contiguous part of it and closes with 4008; each new
// resume gets further, and the client catches up without a gap, a
// duplicate or a reset. (Closing before sending the part that fit used
// to make such a resume fail the same way forever.)
func TestE2EResumeLargerThanBacklog(t *testing.T) {
	ts := startServer(t, withSimRate(40), withBacklog(24<<10, 10*time.Second))
	obs := ts.dial(nil)
	ctx := ctxT(t)
	chans, syms := []string{"trades", "book"}, []string{"BTC-USD", "ETH-USD"}
	if _, err := obs.Subscribe(ctx, chans, syms); err != nil {
		t.Fatal(err)
	}
	rc := ts.rawDial(t, "tickcast.v1.msgpack", rawOpts{})
	rc.subscribe(1, chans, syms)
	got := newRecorder()
	for got.lastSeq("book:BTC-USD") < 20 {
		_, raw, err := rc.nextRaw(10 * time.Second)
		must(t, err)
		h, err := wire.DecodeHeader(wire.MsgPack, raw)
		must(t, err)
		got.add(raw, h)
	}
	rc.drop()
	from := got.lastSeq("book:BTC-USD")
	testkit.Eventually(t, 20*time.Second, "the market to move on by more than the limit", func() bool {
		s, _ := obs.LastSeq("book", "BTC-USD")
		return s > from+600
	})
	target, _ := obs.LastSeq("book", "BTC-USD")
	rounds, cuts := 0, 0
	for got.lastSeq("book:BTC-USD") < target {
		rounds++
		if rounds > 30 {
			t.Fatalf("no convergence after 30 resumes (at %d, target %d)", got.lastSeq("book:BTC-USD"), target)
		}
		since := map[string]uint64{}
		for _, ch := range chans {
			for _, s := range syms {
				if l := got.lastSeq(wire.Stream(ch, s)); l > 0 {
					since[wire.Stream(ch, s)] = l
				}
			}
		}
		before := got.lastSeq("book:BTC-USD")
		rc := ts.rawDial(t, "tickcast.v1.msgpack", rawOpts{})
		rc.send(&wire.Subscribe{ID: wire.SomeID(2), Channels: chans, Symbols: syms, Epoch: rc.welcome.Epoch, Since: since})
		rc.nextKind(wire.KindSubscribed, 5*time.Second)
		for got.lastSeq("book:BTC-USD") < target {
			m, raw, err := rc.nextRaw(10 * time.Second)
			var ce *errClosed
			if errors.As(err, &ce) && ce.code == 4008 {
				cuts++
				break
			}
			must(t, err)
			switch m.(type) {
			case *wire.Reset, *wire.BookSnapshot:
				t.Fatalf("resume answered %+v", m)
			}
			h, err := wire.DecodeHeader(wire.MsgPack, raw)
			must(t, err)
			got.add(raw, h)
		}
		_ = rc.nc.Close()
		if got.lastSeq("book:BTC-USD") == before {
			t.Fatalf("resume %d made no progress from book seq %d", rounds, before)
		}
	}
	got.check(t)
	t.Logf("caught up %d book messages in %d resumes (%d cut with 4008)", target-from, rounds, cuts)
	if cuts == 0 {
		t.Errorf("the replay never passed the backlog limit: the test proves nothing")
	}
}
