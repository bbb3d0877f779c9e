package client

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/tickcast/tickcast/feed/wire"
)

func TestChecksumSpecExample(t *testing.T) {
	asks := []wire.Level{{Px: "101.00", Qty: "1.0000"}, {Px: "102.00", Qty: "2.0000"}}
	bids := []wire.Level{{Px: "100.00", Qty: "3.0000"}}
	if got := string(appendChecksumInput(nil, asks, bids)); got != "101.00:1.0000;102.00:2.0000|100.00:3.0000" {
		t.Errorf("checksum input %q", got)
	}
	if got := Checksum(asks, bids); got != 2060812089 {
		t.Errorf("Checksum = %d, want 2060812089", got)
	}
}

func TestChecksumEdges(t *testing.T) {
	cases := []struct {
		name       string
		asks, bids []wire.Level
		input      string
	}{
		{"empty", nil, nil, "|"},
		{"no bids", []wire.Level{{Px: "1", Qty: "2"}}, nil, "1:2|"},
		{"no asks", nil, []wire.Level{{Px: "1", Qty: "2"}}, "|1:2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := string(appendChecksumInput(nil, c.asks, c.bids)); got != c.input {
				t.Errorf("input %q, want %q", got, c.input)
			}
		})
	}
	// Only the best ten levels count.
	var many []wire.Level
	for i := range 12 {
		many = append(many, wire.Level{Px: fmtPx(int64(100 + i)), Qty: "1.0000"})
	}
	if Checksum(many, nil) != Checksum(many[:10], nil) {
		t.Errorf("levels beyond ten changed the checksum")
	}
}

func TestCmpDecimal(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"1", "1", 0}, {"1.0", "1", 0}, {"01.00", "1", 0}, {"0.5", "0.50", 0},
		{"9.99", "10.00", -1}, {"100.00", "99.99", 1}, {"0.0001", "0.001", -1},
		{"64250.50", "64250.5", 0}, {"64250.51", "64250.5", 1}, {"0", "0.0000", 0},
		{"123456789012345678901234567890.1", "123456789012345678901234567890.09", 1},
	}
	for _, c := range cases {
		if got := cmpDecimal(c.a, c.b); got != c.want {
			t.Errorf("cmpDecimal(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := cmpDecimal(c.b, c.a); got != -c.want {
			t.Errorf("cmpDecimal(%q, %q) = %d, want %d", c.b, c.a, got, -c.want)
		}
	}
	for _, s := range []string{"", ".", "1.", ".5", "-1", "1e3", "1.2.3", "a", " 1"} {
		if validDecimal(s) {
			t.Errorf("validDecimal(%q) = true", s)
		}
	}
	for _, s := range []string{"0.0000", "0", "00.00"} {
		if !isZeroDecimal(s) {
			t.Errorf("isZeroDecimal(%q) = false", s)
		}
	}
	if isZeroDecimal("0.0001") {
		t.Errorf("isZeroDecimal(0.0001) = true")
	}
}

func snapshot(seq uint64, bids, asks []wire.Level) *wire.BookSnapshot {
	return &wire.BookSnapshot{BookLevels: wire.BookLevels{Meta: wire.Meta{Seq: seq}, Bids: bids, Asks: asks, CS: Checksum(sortedCopy(asks, false), sortedCopy(bids, true))}}
}

func sortedCopy(ls []wire.Level, desc bool) []wire.Level {
	out, _ := normalizeSide(ls, desc)
	return out
}

func TestBookApply(t *testing.T) {
	b := NewBook("BTC-USD")
	if err := b.ApplyDelta(&wire.BookDelta{}); !errors.Is(err, ErrBookNotReady) {
		t.Fatalf("delta before snapshot: %v", err)
	}
	// Unsorted snapshot with a zero level: normalized.
	snap := snapshot(10,
		[]wire.Level{{Px: "99.00", Qty: "1.0000"}, {Px: "100.00", Qty: "2.0000"}, {Px: "98.00", Qty: "0.0000"}},
		[]wire.Level{{Px: "102.00", Qty: "1.0000"}, {Px: "101.00", Qty: "3.0000"}})
	if err := b.ApplySnapshot(snap); err != nil {
		t.Fatal(err)
	}
	wantBids := []wire.Level{{Px: "100.00", Qty: "2.0000"}, {Px: "99.00", Qty: "1.0000"}}
	wantAsks := []wire.Level{{Px: "101.00", Qty: "3.0000"}, {Px: "102.00", Qty: "1.0000"}}
	if !reflect.DeepEqual(b.Bids(0), wantBids) || !reflect.DeepEqual(b.Asks(0), wantAsks) || !b.Ready() || b.Seq() != 10 {
		t.Fatalf("after snapshot: bids %v asks %v", b.Bids(0), b.Asks(0))
	}
	// Delta: remove 99, add 99.50, change 101, add 101.50.
	d := &wire.BookDelta{BookLevels: wire.BookLevels{Meta: wire.Meta{Seq: 11},
		Bids: []wire.Level{{Px: "99.00", Qty: "0.0000"}, {Px: "99.50", Qty: "5.0000"}},
		Asks: []wire.Level{{Px: "101.00", Qty: "0.5000"}, {Px: "101.50", Qty: "1.0000"}, {Px: "200.00", Qty: "0.0000"}}}}
	wantBids = []wire.Level{{Px: "100.00", Qty: "2.0000"}, {Px: "99.50", Qty: "5.0000"}}
	wantAsks = []wire.Level{{Px: "101.00", Qty: "0.5000"}, {Px: "101.50", Qty: "1.0000"}, {Px: "102.00", Qty: "1.0000"}}
	d.CS = Checksum(wantAsks, wantBids)
	if err := b.ApplyDelta(d); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(b.Bids(0), wantBids) || !reflect.DeepEqual(b.Asks(0), wantAsks) {
		t.Fatalf("after delta: bids %v asks %v", b.Bids(0), b.Asks(0))
	}
	if got := b.Bids(1); len(got) != 1 || got[0].Px != "100.00" {
		t.Errorf("Bids(1) = %v", got)
	}
	// A gap leaves the book alone.
	if err := b.ApplyDelta(&wire.BookDelta{BookLevels: wire.BookLevels{Meta: wire.Meta{Seq: 13}}}); !errors.Is(err, ErrBookGap) || !b.Ready() {
		t.Errorf("gap: %v", err)
	}
	// A wrong checksum makes it not ready.
	if err := b.ApplyDelta(&wire.BookDelta{BookLevels: wire.BookLevels{Meta: wire.Meta{Seq: 12}, CS: 1}}); !errors.Is(err, ErrChecksum) || b.Ready() {
		t.Errorf("checksum: %v", err)
	}
	if err := b.ApplySnapshot(snapshot(1, []wire.Level{{Px: "1e3", Qty: "1"}}, nil)); !errors.Is(err, ErrBadLevel) {
		t.Errorf("bad level: %v", err)
	}
	b.Reset()
	if b.Ready() || len(b.Bids(0)) != 0 {
		t.Errorf("Reset left state")
	}
}

// TestBookRandomDeltas applies many random deltas and compares with the
// reference book after each one.
func TestBookRandomDeltas(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ref := newRefBook()
	b := NewBook("X")
	if err := b.ApplySnapshot(&wire.BookSnapshot{BookLevels: wire.BookLevels{CS: ref.checksum()}}); err != nil {
		t.Fatal(err)
	}
	for seq := uint64(1); seq <= 3000; seq++ {
		d := &wire.BookDelta{BookLevels: wire.BookLevels{Meta: wire.Meta{Seq: seq}}}
		for range 1 + rng.IntN(4) {
			bid := rng.IntN(2) == 0
			cents := int64(10000 + rng.IntN(200))
			if bid {
				cents -= 150
			}
			qty := int64(0)
			if rng.IntN(3) > 0 {
				qty = int64(1 + rng.IntN(50000))
			}
			l := ref.set(bid, cents, qty)
			if bid {
				d.Bids = append(d.Bids, l)
			} else {
				d.Asks = append(d.Asks, l)
			}
		}
		d.CS = ref.checksum()
		if err := b.ApplyDelta(d); err != nil {
			t.Fatalf("seq %d: %v", seq, err)
		}
	}
	if !reflect.DeepEqual(b.Bids(0), ref.levels(true)) || !reflect.DeepEqual(b.Asks(0), ref.levels(false)) {
		t.Fatalf("book differs from reference")
	}
}

func BenchmarkBookApplyDelta(b *testing.B) {
	ref := newRefBook()
	for i := range 200 {
		ref.set(true, int64(10000-i), 10000)
		ref.set(false, int64(10001+i), 10000)
	}
	book := NewBook("X")
	if err := book.ApplySnapshot(&wire.BookSnapshot{BookLevels: wire.BookLevels{Bids: ref.levels(true), Asks: ref.levels(false), CS: ref.checksum()}}); err != nil {
		b.Fatal(err)
	}
	d := &wire.BookDelta{BookLevels: wire.BookLevels{Bids: []wire.Level{ref.set(true, 9990, 20000)}, Asks: []wire.Level{ref.set(false, 10011, 30000)}, CS: ref.checksum()}}
	b.ReportAllocs()
	for b.Loop() {
		d.Seq = book.Seq() + 1
		if err := book.ApplyDelta(d); err != nil {
			b.Fatal(err)
		}
	}
}
