package hub

import (
	"slices"
	"strings"

	"github.com/tickcast/tickcast/feed/wire"
)

// mirror is the hub's copy of one symbol's L2 book, kept from the deltas it
// relays, so that a new subscriber's book_snapshot is consistent with the
// deltas that follow it without asking the venue. The snapshot frame is
// built once per book state and shared.
type mirror struct {
	bids, asks []wire.Level // best first
	cs         uint32
	seq, off   uint64
	ts         int64
	snap       *Frame
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
	m.bids = setLevels(m.bids, d.Bids, func(a, b string) int { return cmpPrice(b, a) })
	m.asks = setLevels(m.asks, d.Asks, cmpPrice)
	m.cs, m.seq, m.off, m.ts = d.CS, d.Seq, d.Off, d.Ts
	m.snap = nil
}

// seed replaces the book with snapshot b.
func (m *mirror) seed(b *wire.BookSnapshot) {
	m.bids, m.asks = slices.Clone(b.Bids), slices.Clone(b.Asks)
	m.cs, m.seq, m.off, m.ts = b.CS, b.Seq, b.Off, b.Ts
	m.snap = nil
}

// setLevels applies changed levels to a side kept sorted by cmp.
func setLevels(side, changes []wire.Level, cmp func(a, b string) int) []wire.Level {
	for _, c := range changes {
		i, found := slices.BinarySearchFunc(side, c.Px, func(l wire.Level, px string) int { return cmp(l.Px, px) })
		switch {
		case isZero(c.Qty):
			if found {
				side = slices.Delete(side, i, i+1)
			}
		case found:
			side[i].Qty = c.Qty
		default:
			side = slices.Insert(side, i, c)
		}
	}
	return side
}

// snapshot returns the book as a shared book_snapshot frame.
func (m *mirror) snapshot(s *Stream) *Frame {
	if m.snap == nil {
		msg := &wire.BookSnapshot{BookLevels: wire.BookLevels{
			Meta: wire.Meta{Ch: wire.ChanBook, S: s.Symbol, Seq: m.seq, Off: m.off, Ts: m.ts},
			Bids: slices.Clone(m.bids), Asks: slices.Clone(m.asks), CS: m.cs,
		}}
		f := newFrame(msg, wire.TypeBookSnapshot)
		f.Stream, f.Seq, f.Off, f.TS = s, m.seq, m.off, m.ts
		m.snap = f
	}
	return m.snap
}
