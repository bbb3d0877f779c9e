package sse

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/feed/wire"
)

// TestResume: a viewer that reconnects with the last id it saw, in the
// Last-Event-ID header or the last_event_id query parameter, gets every
// subscribed message after it, in order, then live ones: no gap, no
// duplicate. Messages of streams it did not subscribe to stay out. The
// header wins over the query parameter (a browser keeps the URL it was
// opened with and sends its newest id in the header).
func TestResume(t *testing.T) {
	t.Parallel()
	const q = "?channels=trades,book&symbols=BTC-USD"
	cases := []struct {
		name  string
		query func(last string) string
		hdr   func(last string) http.Header
	}{
		{"header", func(string) string { return q }, func(l string) http.Header { return http.Header{"Last-Event-ID": {l}} }},
		{"query parameter", func(l string) string { return q + "&last_event_id=" + l }, func(string) http.Header { return nil }},
		{"header wins", func(string) string { return q + "&last_event_id=" + id(1) }, func(l string) http.Header { return http.Header{"Last-Event-ID": {l}} }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFeed(t)
			s := f.dial(q, nil)
			if e := next(t, s); e.Type != wire.TypeBookSnapshot || e.Off != 0 {
				t.Fatalf("start: %+v", e)
			}
			for i := 0; i < 5; i++ {
				f.publish(trade("BTC-USD", "1.00"), ticker("BTC-USD", "1.00"), bookDelta("BTC-USD", "1.00", "2.0000"), trade("ETH-USD", "1.00"))
			}
			first := nextN(t, s, 4) // offs 1, 3, 5, 7
			if got, want := offs(first), []uint64{1, 3, 5, 7}; !slices.Equal(got, want) {
				t.Fatalf("first session: %v, want %v", got, want)
			}
			last := first[len(first)-1].LastID
			s.Close()
			for i := 0; i < 5; i++ { // missed while away
				f.publish(trade("BTC-USD", "1.00"), ticker("BTC-USD", "1.00"), bookDelta("BTC-USD", "1.00", "2.0000"), trade("ETH-USD", "1.00"))
			}
			s2 := f.dial(c.query(last), c.hdr(last))
			var want []uint64
			for o := uint64(9); o <= 40; o += 4 { // after 7: trades and book of BTC-USD
				want = append(want, o, o+2)
			}
			got := nextN(t, s2, len(want))
			if !slices.Equal(offs(got), want) {
				t.Fatalf("replay: %v, want %v", offs(got), want)
			}
			checkSeqs(t, append(first, got...))
			f.publish(trade("BTC-USD", "1.00"))
			if e := next(t, s2); e.Off != 41 {
				t.Fatalf("live after replay: %+v", e)
			}
		})
	}
}

// checkSeqs checks that the lossless streams' seqs go up by one.
func checkSeqs(t testing.TB, evs []event) {
	t.Helper()
	last := map[string]uint64{}
	for _, e := range evs {
		k := e.Ch + ":" + e.S
		if l, ok := last[k]; ok && e.Seq != l+1 && (e.Ch == "trades" || e.Ch == "book") {
			t.Fatalf("%s: seq %d after %d", k, e.Seq, l)
		}
		last[k] = e.Seq
	}
}

// TestResumeConflatable: a resumed conflatable stream gets what it missed
// in order and at most once, down to only the newest value when its
// writer is behind (the replay is queued at once, and a newer value, the
// live one included, replaces an older one still queued); ids keep going
// up and the stream ends on the newest value.
func TestResumeConflatable(t *testing.T) {
	t.Parallel()
	f := newFeed(t)
	s := f.dial("?channels=ticker&symbols=BTC-USD", nil)
	f.publish(ticker("BTC-USD", "1.00"))
	e := next(t, s)
	s.Close()
	for i := 0; i < 10; i++ {
		f.publish(ticker("BTC-USD", "2.00"), trade("BTC-USD", "1.00"))
	}
	s2 := f.dial("?channels=ticker&symbols=BTC-USD", http.Header{"Last-Event-ID": {e.LastID}})
	f.publish(ticker("BTC-USD", "3.00"))
	last := e
	for last.Off != 22 {
		got := next(t, s2)
		if got.Type != "ticker" || got.Off <= last.Off || got.Seq <= last.Seq || got.Off%2 != 0 {
			t.Fatalf("%+v after %+v", got, last)
		}
		last = got
	}
}

// TestResetHistoryExpired: when the history no longer holds what follows
// the viewer's id, it gets one reset per stream, then a fresh book
// snapshot and the latest values, then live messages. A reset carries no
// id, so a browser cut off right after it still holds its old id and gets
// the reset again rather than resuming past the snapshot.
func TestResetHistoryExpired(t *testing.T) {
	t.Parallel()
	f := newFeed(t, withHub(func(c *hub.Config) { c.HistoryMessages, c.HistoryAge = 4, 1 }))
	const q = "?channels=book,ticker&symbols=BTC-USD"
	s := f.dial(q, nil)
	next(t, s) // the empty book's snapshot
	f.publish(bookDelta("BTC-USD", "1.00", "1.0000"), ticker("BTC-USD", "1.00"))
	last := nextN(t, s, 2)[1].LastID
	s.Close()
	for i := 0; i < 10; i++ {
		f.publish(bookDelta("BTC-USD", "2.00", "1.0000"), ticker("BTC-USD", "2.00"), quote("BTC-USD", "1.00"))
	}
	for attempt := 0; attempt < 2; attempt++ {
		s2 := f.dial(q, http.Header{"Last-Event-ID": {last}})
		resets := nextN(t, s2, 2)
		for i, ch := range []string{"book", "ticker"} {
			r := resets[i]
			if r.Type != wire.TypeReset || r.Ch != ch || r.S != "BTC-USD" || r.Reason != wire.ResetHistoryExpired || r.HasID || r.LastID != last {
				t.Fatalf("attempt %d: reset %d: %+v", attempt, i, r)
			}
		}
		if attempt == 0 {
			s2.Close() // cut off after the resets: reconnect with the same id
			continue
		}
		fresh := nextN(t, s2, 2)
		if fresh[0].Type != wire.TypeBookSnapshot || fresh[0].Off != 30 || fresh[1].Type != "ticker" || fresh[1].Off != 31 {
			t.Fatalf("after the resets: %+v", fresh)
		}
		var snap struct{ Bids [][2]string }
		_ = json.Unmarshal([]byte(fresh[0].Data), &snap)
		if len(snap.Bids) != 2 || snap.Bids[0] != [2]string{"2.00", "1.0000"} {
			t.Fatalf("snapshot: %s", fresh[0].Data)
		}
		f.publish(bookDelta("BTC-USD", "3.00", "1.0000"))
		if e := next(t, s2); e.Off != 33 || e.Seq != fresh[0].Seq+1 {
			t.Fatalf("live: %+v after snapshot seq %d", e, fresh[0].Seq)
		}
	}
}

// TestResetEpochChanged: an id of another epoch (the feed restarted) gets
// a reset per stream with reason epoch_changed, then fresh state.
func TestResetEpochChanged(t *testing.T) {
	t.Parallel()
	f := newFeed(t)
	f.publish(ticker("ETH-USD", "1.00"), trade("ETH-USD", "1.00"))
	s := f.dial("?channels=trades,ticker&symbols=ETH-USD", http.Header{"Last-Event-ID": {"older-epoch:1"}})
	got := nextN(t, s, 3)
	for i, ch := range []string{"trades", "ticker"} {
		if r := got[i]; r.Type != wire.TypeReset || r.Ch != ch || r.Reason != wire.ResetEpochChanged || r.HasID {
			t.Fatalf("reset %d: %+v", i, r)
		}
	}
	if got[2].Type != "ticker" || got[2].ID != id(1) {
		t.Fatalf("latest value: %+v", got[2])
	}
}

// TestResetOffsetZero: an id with offset 0 (never an event's: offsets
// start at 1) is answered with a reset per stream and fresh state, not
// with the whole history replayed, even when the history still holds the
// first message.
func TestResetOffsetZero(t *testing.T) {
	t.Parallel()
	f := newFeed(t)
	for range 50 {
		f.publish(trade("ETH-USD", "1.00"), ticker("ETH-USD", "1.00"))
	}
	s := f.dial("?channels=trades,ticker&symbols=ETH-USD", http.Header{"Last-Event-ID": {testEpoch + ":0"}})
	got := nextN(t, s, 3)
	for i, ch := range []string{"trades", "ticker"} {
		if r := got[i]; r.Type != wire.TypeReset || r.Ch != ch || r.Reason != wire.ResetHistoryExpired {
			t.Fatalf("reset %d: %+v", i, r)
		}
	}
	if got[2].Type != "ticker" || got[2].ID != id(100) {
		t.Fatalf("after the resets: %+v, want the latest ticker and nothing replayed", got[2])
	}
}

// TestBookStartsWithSnapshot: a fresh book viewer gets the snapshot with
// the id of the last delta it contains, then the deltas that follow.
func TestBookStartsWithSnapshot(t *testing.T) {
	t.Parallel()
	f := newFeed(t)
	f.publish(bookDelta("BTC-USD", "1.00", "1.0000"), bookDelta("BTC-USD", "2.00", "1.0000"), trade("BTC-USD", "1.00"))
	s := f.dial("?channels=book&symbols=BTC-USD", nil)
	f.publish(bookDelta("BTC-USD", "1.00", "0.0000"))
	got := nextN(t, s, 2)
	if got[0].Type != wire.TypeBookSnapshot || got[0].ID != id(2) || got[0].Seq != 2 || got[1].Type != "book" || got[1].Seq != 3 {
		t.Fatalf("got %+v", got)
	}
}
