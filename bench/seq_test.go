package bench

import (
	"testing"

	"github.com/tickcast/tickcast/feed/wire"
)

// msg is one public message in a gap-detection case.
type msg struct {
	kind wire.Kind
	ch   string
	seq  uint64
}

func trade(seq uint64) msg  { return msg{wire.KindTrade, wire.ChanTrades, seq} }
func delta(seq uint64) msg  { return msg{wire.KindBook, wire.ChanBook, seq} }
func snap(seq uint64) msg   { return msg{wire.KindBookSnapshot, wire.ChanBook, seq} }
func quote(seq uint64) msg  { return msg{wire.KindQuote, wire.ChanQuote, seq} }
func ticker(seq uint64) msg { return msg{wire.KindTicker, wire.ChanTicker, seq} }

func TestSeqTracker(t *testing.T) {
	for _, tc := range []struct {
		name                        string
		msgs                        []msg
		gaps, conflated, duplicates int
	}{
		{"in order", []msg{trade(1), trade(2), trade(3)}, 0, 0, 0},
		{"first message starts anywhere", []msg{trade(41), trade(42)}, 0, 0, 0},
		{"lossless jump is a gap", []msg{trade(1), trade(2), trade(5), trade(6)}, 1, 0, 0},
		{"every jump counts", []msg{trade(1), trade(3), trade(5)}, 2, 0, 0},
		{"book delta jump is a gap", []msg{snap(10), delta(11), delta(13)}, 1, 0, 0},
		{"snapshot restarts the book", []msg{snap(10), delta(11), snap(40), delta(41)}, 0, 0, 0},
		{"conflatable skip counts replaced messages", []msg{quote(1), quote(2), quote(6), quote(7)}, 0, 3, 0},
		{"ticker skips too", []msg{ticker(3), ticker(9)}, 0, 5, 0},
		{"duplicate is ignored", []msg{trade(1), trade(2), trade(2), trade(3)}, 0, 0, 1},
		{"old seq is a duplicate", []msg{trade(5), trade(6), trade(4), trade(7)}, 0, 0, 1},
		{"streams are independent", []msg{trade(1), quote(100), trade(2), quote(101), delta(7), trade(3), delta(8)}, 0, 0, 0},
		{"gap on one stream only", []msg{trade(1), quote(1), trade(3), quote(2)}, 1, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var tr seqTracker
			gaps, conflated, dups := 0, 0, 0
			for _, m := range tc.msgs {
				c := tr.observe(m.kind, m.ch, "BTC-USD", m.seq)
				if c.gap {
					gaps++
				}
				if c.duplicate {
					dups++
				}
				conflated += int(c.conflated)
			}
			if gaps != tc.gaps || conflated != tc.conflated || dups != tc.duplicates {
				t.Errorf("gaps %d conflated %d duplicates %d, want %d %d %d", gaps, conflated, dups, tc.gaps, tc.conflated, tc.duplicates)
			}
		})
	}
}

// TestSeqTrackerSymbols: the same channel on two symbols is two streams.
func TestSeqTrackerSymbols(t *testing.T) {
	var tr seqTracker
	tr.observe(wire.KindTrade, wire.ChanTrades, "BTC-USD", 1)
	tr.observe(wire.KindTrade, wire.ChanTrades, "ETH-USD", 50)
	if c := tr.observe(wire.KindTrade, wire.ChanTrades, "BTC-USD", 2); c.gap {
		t.Error("BTC-USD 1 → 2 reported as a gap")
	}
	if c := tr.observe(wire.KindTrade, wire.ChanTrades, "ETH-USD", 52); !c.gap {
		t.Error("ETH-USD 50 → 52 not reported")
	}
}

// TestSeqTrackerForget: after a reset the stream may restart anywhere.
func TestSeqTrackerForget(t *testing.T) {
	var tr seqTracker
	tr.observe(wire.KindTrade, wire.ChanTrades, "BTC-USD", 10)
	tr.forget(wire.ChanTrades, "BTC-USD")
	if c := tr.observe(wire.KindTrade, wire.ChanTrades, "BTC-USD", 500); c.gap || c.duplicate {
		t.Errorf("after forget: %+v", c)
	}
}

// TestRecorder: the recorder counts gaps all the time and deliveries,
// latency and conflation only in the window, and leaves book snapshots
// out of the latency.
func TestRecorder(t *testing.T) {
	var win window
	r := newRecorder(&win, newLiveHist(), 0)
	now := int64(1_000_000_000_000)
	at := func(kind wire.Kind, ch string, seq uint64, lat int64) {
		h := wire.Header{Kind: kind, Ch: ch, S: "BTC-USD", Seq: seq, Ts: now - lat}
		r.observe(&h, now)
	}
	at(wire.KindTrade, wire.ChanTrades, 1, 1000)
	at(wire.KindTrade, wire.ChanTrades, 3, 1000) // gap before the window
	at(wire.KindQuote, wire.ChanQuote, 1, 1000)
	at(wire.KindQuote, wire.ChanQuote, 4, 1000) // skip before the window: not counted
	win.on.Store(true)
	at(wire.KindTrade, wire.ChanTrades, 4, 2_000_000)
	at(wire.KindBookSnapshot, wire.ChanBook, 90, 50_000_000_000) // old ts: not a latency
	at(wire.KindBook, wire.ChanBook, 91, 3_000_000)
	at(wire.KindQuote, wire.ChanQuote, 7, 1_000_000)
	at(wire.KindTrade, wire.ChanTrades, 4, 9_000_000) // duplicate
	h := wire.Header{Kind: wire.KindSubscribed}
	r.observe(&h, now) // a reply: counted as received only
	if r.gaps.Load() != 1 {
		t.Errorf("gaps %d, want 1", r.gaps.Load())
	}
	if r.delivered != 3 || r.hist.TotalCount() != 3 {
		t.Errorf("delivered %d, recorded %d, want 3", r.delivered, r.hist.TotalCount())
	}
	if r.conflated != 2 {
		t.Errorf("conflated %d, want 2", r.conflated)
	}
	if mx := r.hist.Max(); mx < 2_990_000 || mx > 3_010_000 {
		t.Errorf("max latency %d, want about 3ms (the snapshot must be left out)", mx)
	}
	if r.received.Load() != 10 {
		t.Errorf("received %d, want 10", r.received.Load())
	}
}
