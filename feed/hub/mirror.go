package hub

import (
	"strings"

	"github.com/google/btree"

	"github.com/tickcast/tickcast/feed/wire"
)

// mirror is the hub's copy of one symbol's L2 book, kept from the deltas it
// relays, so that a new subscriber's book_snapshot is consistent with the
// deltas that follow it without asking the venue. The snapshot frame is
// built once per book state and shared.
//
// Each side is a B-tree ordered best first: a change anywhere in a book of
// hundreds of thousands of levels costs O(log n). (A sorted slice made every
// new level near the touch move all the others: at 258,488 levels the hub
// spent 70% of its time in memmove and fell behind the venue.)
type mirror struct {
	bids, asks *btree.BTreeG[wire.Level]
	cs         uint32
	seq, off   uint64
	ts         int64
	depth      int // levels per side in a snapshot
	snap       *Frame
}

// btreeDegree suits small values: nodes of up to 63 levels.
const btreeDegree = 32

func newMirror(cs uint32, depth int) *mirror {
	return &mirror{
		bids:  btree.NewG(btreeDegree, func(a, b wire.Level) bool { return cmpPrice(a.Px, b.Px) > 0 }),
		asks:  btree.NewG(btreeDegree, func(a, b wire.Level) bool { return cmpPrice(a.Px, b.Px) < 0 }),
		cs:    cs,
		depth: depth,
	}
}

// cmpPrice orders two decimal strings of the same instrument: they have
// the same number of decimals and no leading zeros, so the longer is the
// larger and equal lengths compare as text.
func cmpPrice(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

func isZero(q string) bool { return strings.Trim(q, "0.") == "" }

func (m *mirror) apply(d *wire.BookDelta) {
	setLevels(m.bids, d.Bids)
	setLevels(m.asks, d.Asks)
	m.cs, m.seq, m.off, m.ts = d.CS, d.Seq, d.Off, d.Ts
	m.snap = nil
}

// seed replaces the book with snapshot b.
func (m *mirror) seed(b *wire.BookSnapshot) {
	m.bids.Clear(false)
	m.asks.Clear(false)
	setLevels(m.bids, b.Bids)
	setLevels(m.asks, b.Asks)
	m.cs, m.seq, m.off, m.ts = b.CS, b.Seq, b.Off, b.Ts
	m.snap = nil
}

// setLevels applies changed levels to a side: quantity zero removes one.
func setLevels(side *btree.BTreeG[wire.Level], changes []wire.Level) {
	for _, c := range changes {
		if isZero(c.Qty) {
			side.Delete(c)
		} else {
			side.ReplaceOrInsert(c)
		}
	}
}

// topLevels returns the first n levels of a side, best first (all if n <= 0).
func topLevels(side *btree.BTreeG[wire.Level], n int) []wire.Level {
	size := side.Len()
	if n > 0 {
		size = min(size, n)
	}
	out := make([]wire.Level, 0, size)
	side.Ascend(func(l wire.Level) bool {
		out = append(out, l)
		return len(out) < size
	})
	return out
}

// Levels returns the number of levels on each side.
func (m *mirror) Levels() (bids, asks int) { return m.bids.Len(), m.asks.Len() }

// message returns the book as a book_snapshot message with at most depth
// levels a side (all of them if depth <= 0).
func (m *mirror) message(s *Stream, depth int) *wire.BookSnapshot {
	return &wire.BookSnapshot{BookLevels: wire.BookLevels{
		Meta: wire.Meta{Ch: wire.ChanBook, S: s.Symbol, Seq: m.seq, Off: m.off, Ts: m.ts},
		Bids: topLevels(m.bids, depth), Asks: topLevels(m.asks, depth), CS: m.cs,
	}}
}

// snapshot returns the book, its best depth levels a side, as a shared
// book_snapshot frame.
func (m *mirror) snapshot(s *Stream) *Frame {
	if m.snap == nil {
		f := newFrame(m.message(s, m.depth), wire.TypeBookSnapshot)
		f.Stream, f.Seq, f.Off, f.TS = s, m.seq, m.off, m.ts
		m.snap = f
	}
	return m.snap
}
