package client

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/internal/testkit"
)

func isSubscribe(op wire.Op) bool { _, ok := op.(*wire.Subscribe); return ok }

// TestReconnectResume: trades 1–5 live, the server goes away (1001) and
// publishes 6–8 meanwhile; the client reconnects, resubscribes with the
// old epoch and since=5, and receives 6–8 replayed, then live ones, each
// exactly once.
func TestReconnectResume(t *testing.T) {
	bothFormats(t, func(t *testing.T, f wire.Format) {
		for _, overlap := range []uint64{0, 3} {
			fs := newFakeServer(t)
			fs.replayOverlap = overlap // a sloppy server resends old ones
			var col collector
			c := dial(t, fs, f, col.config)
			if _, err := c.Subscribe(context.Background(), []string{"trades"}, []string{"BTC-USD"}); err != nil {
				t.Fatal(err)
			}
			fs.waitOp(isSubscribe)
			for range 5 {
				fs.trade("BTC-USD", "1.00")
			}
			testkit.Eventually(t, 5*time.Second, "5 trades", func() bool { return len(col.seqs("trades", "BTC-USD")) == 5 })

			fs.mu.Lock() // nobody can subscribe until 6–8 are in history
			fs.kickLocked(1001, "going away")
			for range 3 {
				fs.publishLocked(&wire.Trade{Meta: wire.Meta{Ch: "trades", S: "BTC-USD"}, Px: "2.00", Qty: "1.0000", Side: "sell"})
			}
			fs.mu.Unlock()

			op := fs.waitOp(isSubscribe).(*wire.Subscribe)
			if op.Epoch != "E1" || !reflect.DeepEqual(op.Since, map[string]uint64{"trades:BTC-USD": 5}) {
				t.Errorf("resume subscribe %+v", op)
			}
			testkit.Eventually(t, 5*time.Second, "replay", func() bool { return len(col.seqs("trades", "BTC-USD")) >= 8 })
			fs.trade("BTC-USD", "3.00")
			testkit.Eventually(t, 5*time.Second, "live trade", func() bool { return len(col.seqs("trades", "BTC-USD")) >= 9 })
			if s := col.seqs("trades", "BTC-USD"); !reflect.DeepEqual(s, upTo(9)) {
				t.Errorf("overlap %d: delivered %v", overlap, s)
			}
			st := c.Stats()
			if st.Reconnects != 1 || st.Gaps != 0 || st.Duplicates != overlap {
				t.Errorf("overlap %d: stats %+v", overlap, st)
			}
			if lc := c.LastClose(); lc.Code != 1001 || lc.Reason != "going away" || !lc.Remote {
				t.Errorf("LastClose %+v", lc)
			}
		}
	})
}

// TestEpochChange: after a restart the server answers the resume with
// reset; the client delivers it and restarts the stream at the new seqs.
func TestEpochChange(t *testing.T) {
	fs := newFakeServer(t)
	var col collector
	c := dial(t, fs, wire.JSON, col.config)
	if _, err := c.Subscribe(context.Background(), []string{"trades"}, []string{"BTC-USD"}); err != nil {
		t.Fatal(err)
	}
	fs.waitOp(isSubscribe)
	for range 4 {
		fs.trade("BTC-USD", "1.00")
	}
	testkit.Eventually(t, 5*time.Second, "4 trades", func() bool { return len(col.seqs("trades", "BTC-USD")) == 4 })
	fs.restart("E2")
	op := fs.waitOp(isSubscribe).(*wire.Subscribe)
	if op.Epoch != "E1" || op.Since["trades:BTC-USD"] != 4 {
		t.Errorf("resume subscribe %+v", op)
	}
	testkit.Eventually(t, 5*time.Second, "reset", func() bool { return col.count(wire.KindReset) == 1 })
	fs.trade("BTC-USD", "1.00") // seq 1 of the new epoch
	testkit.Eventually(t, 5*time.Second, "new trade", func() bool { return len(col.seqs("trades", "BTC-USD")) == 5 })
	if s := col.seqs("trades", "BTC-USD"); !reflect.DeepEqual(s, []uint64{1, 2, 3, 4, 1}) {
		t.Errorf("delivered %v", s)
	}
	if c.Welcome().Epoch != "E2" {
		t.Errorf("welcome epoch %q", c.Welcome().Epoch)
	}
	if st := c.Stats(); st.Resets != 1 || st.Gaps != 0 {
		t.Errorf("stats %+v", st)
	}
	// The next resume uses the new epoch.
	fs.kick(4008, "slow consumer")
	if op := fs.waitOp(isSubscribe).(*wire.Subscribe); op.Epoch != "E2" || op.Since["trades:BTC-USD"] != 1 {
		t.Errorf("second resume %+v", op)
	}
}

// TestTradeGapResync: a trade lost in transit is a gap; the client
// resubscribes with since and gets it replayed, delivering each trade once.
func TestTradeGapResync(t *testing.T) {
	bothFormats(t, func(t *testing.T, f wire.Format) {
		fs := newFakeServer(t)
		fs.dropLive = func(m wire.Message) bool { tr, ok := m.(*wire.Trade); return ok && tr.Seq == 3 }
		var col collector
		c := dial(t, fs, f, col.config)
		if _, err := c.Subscribe(context.Background(), []string{"trades"}, []string{"BTC-USD"}); err != nil {
			t.Fatal(err)
		}
		fs.waitOp(isSubscribe)
		for range 6 {
			fs.trade("BTC-USD", "1.00")
		}
		op := fs.waitOp(isSubscribe).(*wire.Subscribe)
		if op.Since["trades:BTC-USD"] != 2 || op.Epoch != "E1" {
			t.Errorf("resync subscribe %+v", op)
		}
		testkit.Eventually(t, 5*time.Second, "replay", func() bool { return len(col.seqs("trades", "BTC-USD")) >= 6 })
		fs.trade("BTC-USD", "1.00")
		testkit.Eventually(t, 5*time.Second, "live", func() bool { return len(col.seqs("trades", "BTC-USD")) >= 7 })
		if s := col.seqs("trades", "BTC-USD"); !reflect.DeepEqual(s, upTo(7)) {
			t.Errorf("delivered %v", s)
		}
		if st := c.Stats(); st.Gaps != 1 || st.Resyncs != 1 || st.Reconnects != 0 {
			t.Errorf("stats %+v", st)
		}
	})
}

// TestAuthReplayed: after a reconnect the client authenticates again
// before resubscribing.
func TestAuthReplayed(t *testing.T) {
	fs := newFakeServer(t)
	c := dial(t, fs, wire.MsgPack, nil)
	if _, err := c.Auth(context.Background(), "good", true); err != nil {
		t.Fatal(err)
	}
	fs.waitOp(func(op wire.Op) bool { _, ok := op.(*wire.Auth); return ok })
	fs.kick(1001, "")
	op := fs.waitOp(func(op wire.Op) bool { _, ok := op.(*wire.Auth); return ok }).(*wire.Auth)
	if op.Token != "good" || !op.CancelOnDisconnect {
		t.Errorf("replayed auth %+v", op)
	}
}
