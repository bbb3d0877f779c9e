package feed_test

import (
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/client"
	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/internal/testkit"
	"github.com/tickcast/tickcast/market"
)

// TestE2EBookRebuild subscribes to the book of every symbol over both
// subprotocols while the simulator runs fast, and rebuilds the books from
// thousands of deltas with every checksum verified (the client checks cs
// after each message). Then it pauses the simulator and checks, at that
// quiescent point, that each rebuilt book equals GET /api/v1/book and a
// fresh book_snapshot taken by a new subscriber.
func TestE2EBookRebuild(t *testing.T) {
	const wantDeltas = 6000
	ts := startServer(t, withSimRate(120))
	symbols := ts.Hub.Symbols()
	ctx := ctxT(t)
	type reader struct {
		format wire.Format
		c      *client.Client
		deltas atomic.Int64
		snaps  atomic.Int64
	}
	var readers []*reader
	for _, f := range []wire.Format{wire.MsgPack, wire.JSON} {
		r := &reader{format: f}
		r.c = ts.dial(func(c *client.Config) {
			c.Format = f
			c.OnMessage = func(_ []byte, h wire.Header) {
				switch h.Kind {
				case wire.KindBook:
					r.deltas.Add(1)
				case wire.KindBookSnapshot:
					r.snaps.Add(1)
				}
			}
		})
		if _, err := r.c.Subscribe(ctx, []string{"book"}, symbols); err != nil {
			t.Fatal(err)
		}
		readers = append(readers, r)
	}
	t0 := time.Now()
	testkit.Eventually(t, 40*time.Second, "thousands of deltas", func() bool {
		for _, r := range readers {
			if r.deltas.Load() < wantDeltas {
				return false
			}
		}
		return true
	})
	took := time.Since(t0)
	ts.pauseSim()
	// The deltas may take most of their 40 s on a loaded machine: the
	// checks below get a context of their own.
	ctx = ctxT(t)
	for _, sym := range symbols {
		var rest *wire.BookSnapshot
		testkit.Eventually(t, 10*time.Second, "the books to settle on "+sym, func() bool {
			rest = ts.restBook(sym)
			for _, r := range readers {
				if r.c.Book(sym).Seq() != rest.Seq {
					return false
				}
			}
			return ts.restBook(sym).Seq == rest.Seq // no change meanwhile
		})
		// The hub's mirror (REST) against the venue's own book.
		vb, err := ts.Venue.BookSnapshot(ctx, sym)
		if err != nil {
			t.Fatal(err)
		}
		if vb.Seq != rest.Seq || vb.Book.Checksum != rest.CS || !sameLevels(vb.Book.Bids, rest.Bids) || !sameLevels(vb.Book.Asks, rest.Asks) {
			t.Errorf("%s: the hub's book (seq %d) differs from the venue's (seq %d)", sym, rest.Seq, vb.Seq)
		}
		fresh := ts.dial(nil)
		if _, err := fresh.Subscribe(ctx, []string{"book"}, []string{sym}); err != nil {
			t.Fatal(err)
		}
		testkit.Eventually(t, 5*time.Second, "a fresh snapshot", func() bool { return fresh.Book(sym).Ready() })
		fb := fresh.Book(sym)
		if fb.Seq() != rest.Seq || !slices.Equal(fb.Bids(0), rest.Bids) || !slices.Equal(fb.Asks(0), rest.Asks) {
			t.Errorf("%s: fresh snapshot (seq %d) differs from REST (seq %d)", sym, fb.Seq(), rest.Seq)
		}
		for _, r := range readers {
			b := r.c.Book(sym)
			if !slices.Equal(b.Bids(0), rest.Bids) || !slices.Equal(b.Asks(0), rest.Asks) {
				t.Errorf("%s over %v: rebuilt book differs from REST\nbids %v\nwant %v\nasks %v\nwant %v",
					sym, r.format, top(b.Bids(0)), top(rest.Bids), top(b.Asks(0)), top(rest.Asks))
			}
			if b.Checksum() != rest.CS || b.Checksum() != fb.Checksum() {
				t.Errorf("%s over %v: checksum %d, REST %d, fresh %d", sym, r.format, b.Checksum(), rest.CS, fb.Checksum())
			}
		}
		if len(rest.Bids) == 0 || len(rest.Asks) == 0 {
			t.Errorf("%s: one-sided book at the end: %d bids, %d asks", sym, len(rest.Bids), len(rest.Asks))
		}
	}
	for _, r := range readers {
		st := r.c.Stats()
		t.Logf("%v: %d deltas and %d snapshots over %d symbols in %v; stats %+v", r.format, r.deltas.Load(), r.snaps.Load(), len(symbols), took.Round(time.Millisecond), st)
		if st.ChecksumErrors != 0 || st.Gaps != 0 || st.Resyncs != 0 || st.Duplicates != 0 || st.Malformed != 0 || st.Resets != 0 {
			t.Errorf("%v: stats %+v", r.format, st)
		}
		if n := r.snaps.Load(); n != int64(len(symbols)) {
			t.Errorf("%v: %d snapshots, want one per symbol", r.format, n)
		}
	}
}

func top(l []wire.Level) []wire.Level { return l[:min(len(l), 5)] }

// sameLevels compares the venue's levels with the wire's.
func sameLevels(v []market.PriceLevel, w []wire.Level) bool {
	if len(v) != len(w) {
		return false
	}
	for i := range v {
		if v[i][0].String() != w[i].Px || v[i][1].String() != w[i].Qty {
			return false
		}
	}
	return true
}
