package client

import (
	"errors"
	"fmt"
	"hash/crc32"
	"slices"
	"sync"

	"github.com/tickcast/tickcast/feed/wire"
)

// Errors from applying book messages.
var (
	// ErrChecksum: the book after the message does not match its cs.
	ErrChecksum = errors.New("client: book checksum mismatch")
	// ErrBookGap: a delta's seq is not the book's seq + 1.
	ErrBookGap = errors.New("client: book seq gap")
	// ErrBookNotReady: a delta arrived before any snapshot.
	ErrBookNotReady = errors.New("client: book has no snapshot")
	// ErrBadLevel: a level's price or quantity is not a plain decimal.
	ErrBadLevel = errors.New("client: bad book level")
)

// Book is an L2 order book rebuilt from book_snapshot and book messages:
// bids descending and asks ascending by price, each level the server's
// price and total quantity strings. Every apply verifies the checksum.
// A Book is safe for concurrent use; the client updates it while readers
// call its accessors.
type Book struct {
	mu      sync.RWMutex
	symbol  string
	bids    []wire.Level
	asks    []wire.Level
	seq     uint64
	ready   bool
	scratch []byte
}

// NewBook returns an empty book for symbol.
func NewBook(symbol string) *Book { return &Book{symbol: symbol} }

// Symbol returns the book's symbol.
func (b *Book) Symbol() string { return b.symbol }

// ApplySnapshot replaces the book with a snapshot. It returns ErrChecksum
// (and leaves the book not ready) when the result does not match m.CS.
func (b *Book) ApplySnapshot(m *wire.BookSnapshot) error {
	bids, err := normalizeSide(m.Bids, true)
	if err != nil {
		return b.fail(err)
	}
	asks, err := normalizeSide(m.Asks, false)
	if err != nil {
		return b.fail(err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.bids, b.asks, b.seq, b.ready = bids, asks, m.Seq, true
	return b.verifyLocked(m.CS)
}

// ApplyDelta applies a delta that must follow the book's seq directly. It
// returns ErrBookNotReady, ErrBookGap (the book is left unchanged),
// ErrBadLevel or ErrChecksum (the book is left not ready).
func (b *Book) ApplyDelta(m *wire.BookDelta) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case !b.ready:
		return ErrBookNotReady
	case m.Seq != b.seq+1:
		return fmt.Errorf("%w: have %d, got %d", ErrBookGap, b.seq, m.Seq)
	}
	for _, side := range [2]struct {
		levels []wire.Level
		desc   bool
	}{{m.Bids, true}, {m.Asks, false}} {
		for _, l := range side.levels {
			if !validDecimal(l.Px) || !validDecimal(l.Qty) {
				b.ready = false
				return ErrBadLevel
			}
			if side.desc {
				b.bids = upsert(b.bids, l, true)
			} else {
				b.asks = upsert(b.asks, l, false)
			}
		}
	}
	b.seq = m.Seq
	return b.verifyLocked(m.CS)
}

// verifyLocked compares the book's checksum with cs.
func (b *Book) verifyLocked(cs uint32) error {
	b.scratch = appendChecksumInput(b.scratch[:0], b.asks, b.bids)
	if got := crc32.ChecksumIEEE(b.scratch); got != cs {
		b.ready = false
		return fmt.Errorf("%w: seq %d: computed %d, message says %d", ErrChecksum, b.seq, got, cs)
	}
	return nil
}

func (b *Book) fail(err error) error {
	b.mu.Lock()
	b.ready = false
	b.mu.Unlock()
	return err
}

// Reset empties the book; it is not ready until the next snapshot.
func (b *Book) Reset() {
	b.mu.Lock()
	b.bids, b.asks, b.seq, b.ready = nil, nil, 0, false
	b.mu.Unlock()
}

// Ready reports whether the book holds a verified state.
func (b *Book) Ready() bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.ready
}

// Seq returns the seq of the last message applied.
func (b *Book) Seq() uint64 {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.seq
}

// Bids returns a copy of the best depth bids, descending (all if depth <= 0).
func (b *Book) Bids(depth int) []wire.Level {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return top(b.bids, depth)
}

// Asks returns a copy of the best depth asks, ascending (all if depth <= 0).
func (b *Book) Asks(depth int) []wire.Level {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return top(b.asks, depth)
}

// Checksum computes the checksum of the book's current state.
func (b *Book) Checksum() uint32 {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return Checksum(b.asks, b.bids)
}

func top(levels []wire.Level, depth int) []wire.Level {
	if depth <= 0 || depth > len(levels) {
		depth = len(levels)
	}
	return slices.Clone(levels[:depth])
}

// cmpLevel orders levels on one side: ascending prices for asks,
// descending for bids.
func cmpLevel(desc bool) func(a, b wire.Level) int {
	if desc {
		return func(a, b wire.Level) int { return cmpDecimal(b.Px, a.Px) }
	}
	return func(a, b wire.Level) int { return cmpDecimal(a.Px, b.Px) }
}

// normalizeSide validates a snapshot side and returns it sorted, without
// zero levels, as a new slice.
func normalizeSide(levels []wire.Level, desc bool) ([]wire.Level, error) {
	out := make([]wire.Level, 0, len(levels))
	for _, l := range levels {
		if !validDecimal(l.Px) || !validDecimal(l.Qty) {
			return nil, ErrBadLevel
		}
		if !isZeroDecimal(l.Qty) {
			out = append(out, l)
		}
	}
	cmp := cmpLevel(desc)
	if !slices.IsSortedFunc(out, cmp) {
		slices.SortStableFunc(out, cmp)
	}
	return out, nil
}

// upsert sets the quantity of the level at l.Px, inserting or (for a
// zero quantity) removing it.
func upsert(levels []wire.Level, l wire.Level, desc bool) []wire.Level {
	i, found := slices.BinarySearchFunc(levels, l, cmpLevel(desc))
	switch zero := isZeroDecimal(l.Qty); {
	case found && zero:
		return slices.Delete(levels, i, i+1)
	case found:
		levels[i] = l
	case !zero:
		levels = slices.Insert(levels, i, l)
	}
	return levels
}
