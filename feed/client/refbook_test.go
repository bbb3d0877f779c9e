package client

import (
	"fmt"
	"hash/crc32"
	"slices"
	"strings"

	"github.com/tickcast/tickcast/feed/wire"
)

// refBook is the tests' independent book: prices as integer cents in
// maps, sorted and formatted only when needed, checksum built with fmt.
type refBook struct {
	bids, asks map[int64]int64 // cents → quantity in 1e-4 units
}

func newRefBook() *refBook {
	return &refBook{bids: map[int64]int64{}, asks: map[int64]int64{}}
}

func fmtPx(cents int64) string { return fmt.Sprintf("%d.%02d", cents/100, cents%100) }
func fmtQty(q int64) string    { return fmt.Sprintf("%d.%04d", q/10000, q%10000) }

// set changes a level and returns it as it goes on the wire.
func (b *refBook) set(bid bool, cents, qty int64) wire.Level {
	side := b.asks
	if bid {
		side = b.bids
	}
	if qty == 0 {
		delete(side, cents)
	} else {
		side[cents] = qty
	}
	return wire.Level{Px: fmtPx(cents), Qty: fmtQty(qty)}
}

// levels returns a side sorted best first.
func (b *refBook) levels(bid bool) []wire.Level {
	side := b.asks
	if bid {
		side = b.bids
	}
	var keys []int64
	for k := range side {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if bid {
		slices.Reverse(keys)
	}
	out := []wire.Level{}
	for _, k := range keys {
		out = append(out, wire.Level{Px: fmtPx(k), Qty: fmtQty(side[k])})
	}
	return out
}

func (b *refBook) checksum() uint32 {
	side := func(ls []wire.Level) string {
		var parts []string
		for i, l := range ls {
			if i == 10 {
				break
			}
			parts = append(parts, l.Px+":"+l.Qty)
		}
		return strings.Join(parts, ";")
	}
	return crc32.ChecksumIEEE([]byte(side(b.levels(false)) + "|" + side(b.levels(true))))
}

// book returns the reference book of sym, created on first use.
func (fs *fakeServer) bookLocked(sym string) *refBook {
	if fs.books[sym] == nil {
		fs.books[sym] = newRefBook()
	}
	return fs.books[sym]
}

// snapshotLocked builds a snapshot of sym's book at the stream's seq.
func (fs *fakeServer) snapshotLocked(sym string) *wire.BookSnapshot {
	b := fs.bookLocked(sym)
	stream := wire.Stream(wire.ChanBook, sym)
	fs.off++
	return &wire.BookSnapshot{BookLevels: wire.BookLevels{
		Meta: wire.Meta{Ch: wire.ChanBook, S: sym, Seq: fs.seqs[stream], Off: fs.off},
		Bids: b.levels(true), Asks: b.levels(false), CS: b.checksum()}}
}

// levelChange is one change for publishBook.
type levelChange struct {
	bid        bool
	cents, qty int64
}

// publishBook applies changes to the reference book and publishes the
// delta; corrupt sends a wrong checksum.
func (fs *fakeServer) publishBook(sym string, changes []levelChange, corrupt bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	b := fs.bookLocked(sym)
	d := &wire.BookDelta{BookLevels: wire.BookLevels{Meta: wire.Meta{Ch: wire.ChanBook, S: sym}}}
	for _, c := range changes {
		l := b.set(c.bid, c.cents, c.qty)
		if c.bid {
			d.Bids = append(d.Bids, l)
		} else {
			d.Asks = append(d.Asks, l)
		}
	}
	d.CS = b.checksum()
	if corrupt {
		d.CS++
	}
	fs.publishLocked(d)
}

// bookLevels returns the reference book's sides (for comparisons).
func (fs *fakeServer) bookLevels(sym string) (bids, asks []wire.Level) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	b := fs.bookLocked(sym)
	return b.levels(true), b.levels(false)
}
