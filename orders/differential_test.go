package orders

import "testing"

// TestDifferential feeds the Book and the naive reference the same seeded
// random stream of a million operations and requires identical events and
// identical L2 levels after every one, with the invariants (not crossed,
// quantity conserved, FIFO within a level, consistent structure) checked
// throughout.
func TestDifferential(t *testing.T) {
	ops := 1_000_000
	if testing.Short() {
		ops = 100_000
	}
	for _, seed := range []uint64{1, 2} {
		p := newPair()
		g := newGen(seed)
		for range ops / 2 {
			if err := p.apply(g.next()); err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
		}
		if p.book.Len() == 0 {
			t.Fatalf("seed %d: book ended empty: the stream does not exercise resting orders", seed)
		}
	}
}
