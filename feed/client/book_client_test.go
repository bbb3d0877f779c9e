package client

import (
	"context"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/internal/testkit"
)

// randomChanges returns 1–4 random level changes around 100.00.
func randomChanges(rng *rand.Rand) []levelChange {
	var cs []levelChange
	for range 1 + rng.IntN(4) {
		c := levelChange{bid: rng.IntN(2) == 0, cents: int64(10000 + rng.IntN(100))}
		if c.bid {
			c.cents -= 100
		}
		if rng.IntN(3) > 0 {
			c.qty = int64(1 + rng.IntN(100000))
		}
		cs = append(cs, c)
	}
	return cs
}

// bookMatches reports whether the client's book equals the reference.
func bookMatches(c *Client, fs *fakeServer, sym string, seq uint64) bool {
	b := c.Book(sym)
	if b == nil || !b.Ready() || b.Seq() != seq {
		return false
	}
	bids, asks := fs.bookLevels(sym)
	return reflect.DeepEqual(b.Bids(0), bids) && reflect.DeepEqual(b.Asks(0), asks)
}

func subscribeBook(t *testing.T, c *Client, fs *fakeServer, sym string) {
	t.Helper()
	if _, err := c.Subscribe(context.Background(), []string{wire.ChanBook}, []string{sym}); err != nil {
		t.Fatal(err)
	}
	fs.waitOp(isSubscribe)
}

func TestBookRebuild(t *testing.T) {
	bothFormats(t, func(t *testing.T, f wire.Format) {
		fs := newFakeServer(t)
		rng := rand.New(rand.NewPCG(3, 4))
		for range 50 { // a book exists before the client subscribes
			fs.publishBook("BTC-USD", randomChanges(rng), false)
		}
		var col collector
		c := dial(t, fs, f, col.config)
		subscribeBook(t, c, fs, "BTC-USD")
		testkit.Eventually(t, 5*time.Second, "snapshot", func() bool { return bookMatches(c, fs, "BTC-USD", 50) })
		for range 2000 {
			fs.publishBook("BTC-USD", randomChanges(rng), false)
		}
		testkit.Eventually(t, 5*time.Second, "2050 deltas", func() bool { return bookMatches(c, fs, "BTC-USD", 2050) })
		if st := c.Stats(); st.ChecksumErrors != 0 || st.Resyncs != 0 || st.Gaps != 0 {
			t.Errorf("stats %+v", st)
		}
		if n := col.count(wire.KindBookSnapshot); n != 1 {
			t.Errorf("%d snapshots delivered", n)
		}
	})
}

// TestBookResyncOnChecksum: a delta with a wrong cs makes the client
// unsubscribe and subscribe again (without since) and rebuild from the
// fresh snapshot.
func TestBookResyncOnChecksum(t *testing.T) {
	bothFormats(t, func(t *testing.T, f wire.Format) {
		fs := newFakeServer(t)
		rng := rand.New(rand.NewPCG(5, 6))
		c := dial(t, fs, f, nil)
		subscribeBook(t, c, fs, "ETH-USD")
		for range 20 {
			fs.publishBook("ETH-USD", randomChanges(rng), false)
		}
		testkit.Eventually(t, 5*time.Second, "book", func() bool { return bookMatches(c, fs, "ETH-USD", 20) })
		fs.publishBook("ETH-USD", randomChanges(rng), true)
		fs.waitOp(func(op wire.Op) bool { _, ok := op.(*wire.Unsubscribe); return ok })
		op := fs.waitOp(isSubscribe).(*wire.Subscribe)
		if op.Since != nil || op.Channels[0] != wire.ChanBook || op.Symbols[0] != "ETH-USD" {
			t.Errorf("resync subscribe %+v", op)
		}
		for range 20 {
			fs.publishBook("ETH-USD", randomChanges(rng), false)
		}
		testkit.Eventually(t, 5*time.Second, "rebuilt book", func() bool { return bookMatches(c, fs, "ETH-USD", 41) })
		if st := c.Stats(); st.ChecksumErrors != 1 || st.Resyncs != 1 || st.Gaps != 0 {
			t.Errorf("stats %+v", st)
		}
	})
}

// TestBookResyncOnGap: a lost delta is a gap; the client resyncs the book.
func TestBookResyncOnGap(t *testing.T) {
	fs := newFakeServer(t)
	fs.dropLive = func(m wire.Message) bool { d, ok := m.(*wire.BookDelta); return ok && d.Seq == 10 }
	rng := rand.New(rand.NewPCG(7, 8))
	c := dial(t, fs, wire.MsgPack, nil)
	subscribeBook(t, c, fs, "BTC-USD")
	for range 30 {
		fs.publishBook("BTC-USD", randomChanges(rng), false)
	}
	fs.waitOp(isSubscribe) // the resync
	fs.publishBook("BTC-USD", randomChanges(rng), false)
	testkit.Eventually(t, 5*time.Second, "rebuilt book", func() bool { return bookMatches(c, fs, "BTC-USD", 31) })
	if st := c.Stats(); st.Gaps != 1 || st.Resyncs != 1 || st.ChecksumErrors != 0 {
		t.Errorf("stats %+v", st)
	}
}

// TestBookResume: after a reconnect the book stream resumes from its seq
// (the server replays the deltas) and stays consistent.
func TestBookResume(t *testing.T) {
	fs := newFakeServer(t)
	rng := rand.New(rand.NewPCG(9, 10))
	c := dial(t, fs, wire.JSON, nil)
	subscribeBook(t, c, fs, "BTC-USD")
	for range 10 {
		fs.publishBook("BTC-USD", randomChanges(rng), false)
	}
	testkit.Eventually(t, 5*time.Second, "book", func() bool { return bookMatches(c, fs, "BTC-USD", 10) })
	fs.mu.Lock()
	fs.kickLocked(1001, "")
	fs.mu.Unlock()
	for range 10 {
		fs.publishBook("BTC-USD", randomChanges(rng), false)
	}
	if op := fs.waitOp(isSubscribe).(*wire.Subscribe); op.Since["book:BTC-USD"] != 10 {
		t.Errorf("resume %+v", op)
	}
	testkit.Eventually(t, 5*time.Second, "resumed book", func() bool { return bookMatches(c, fs, "BTC-USD", 20) })
	if st := c.Stats(); st.Resyncs != 0 || st.ChecksumErrors != 0 {
		t.Errorf("stats %+v", st)
	}
}
