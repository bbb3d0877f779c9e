package hub

import (
	"fmt"
	"slices"
	"testing"

	"github.com/tickcast/tickcast/feed/wire"
)

func lv(px, qty string) wire.Level { return wire.Level{Px: px, Qty: qty} }

// TestMirrorDepthAndOrder: levels are kept best first on each side,
// changed and removed in place, and a snapshot carries the best depth.
func TestMirrorDepthAndOrder(t *testing.T) {
	m := newMirror(0, 3)
	m.apply(&wire.BookDelta{BookLevels: wire.BookLevels{
		Bids: []wire.Level{lv("99.00", "1"), lv("101.00", "2"), lv("100.00", "3"), lv("9.00", "4"), lv("100.50", "5")},
		Asks: []wire.Level{lv("103.00", "1"), lv("102.00", "2"), lv("1000.00", "3")},
	}})
	m.apply(&wire.BookDelta{BookLevels: wire.BookLevels{
		Bids: []wire.Level{lv("101.00", "0"), lv("100.00", "7")}, // remove the best, change one
		Asks: []wire.Level{lv("102.00", "0.000"), lv("999.99", "1")},
	}})
	s := &Stream{Symbol: "X"}
	got := m.message(s, 3)
	wantBids := []wire.Level{lv("100.50", "5"), lv("100.00", "7"), lv("99.00", "1")}
	wantAsks := []wire.Level{lv("103.00", "1"), lv("999.99", "1"), lv("1000.00", "3")}
	if !slices.Equal(got.Bids, wantBids) || !slices.Equal(got.Asks, wantAsks) {
		t.Fatalf("snapshot bids %v asks %v", got.Bids, got.Asks)
	}
	if all := m.message(s, 0); len(all.Bids) != 4 || all.Bids[3] != lv("9.00", "4") {
		t.Fatalf("full book bids %v", all.Bids)
	}
	if b, a := m.Levels(); b != 4 || a != 3 {
		t.Fatalf("levels %d/%d", b, a)
	}
}

// BenchmarkMirrorDeep: one new level at the touch of a book that grows to
// b.N levels (the order that made the sorted slice move every level each
// time).
func BenchmarkMirrorDeep(b *testing.B) {
	b.ReportAllocs()
	m := newMirror(0, 1000)
	d := &wire.BookDelta{BookLevels: wire.BookLevels{Bids: make([]wire.Level, 1)}}
	for i := range b.N {
		d.Bids[0] = lv(fmt.Sprintf("%d.00", 1_000_000+i), "1")
		m.apply(d)
	}
}
