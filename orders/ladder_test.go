package orders

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestLadderAgainstSortedSlice drives a ladder with random inserts and
// removals over thousands of levels (so that chunks split, empty and
// merge), near the touch, deep and in between, and checks it after every
// change against a plain sorted slice: same levels in the same order, the
// same best, find agreeing, and chunk bookkeeping sound.
func TestLadderAgainstSortedSlice(t *testing.T) {
	for _, sign := range []int64{1, -1} {
		for seed := range uint64(4) {
			rng := rand.New(rand.NewPCG(seed, 99))
			l := &ladder{sign: sign}
			var ref []int64 // keys, ascending
			slot := map[int64]int32{}
			next := int32(1)
			for step := range 20_000 {
				grow := len(ref) < 3000 && rng.IntN(100) < 55 || len(ref) == 0
				var price int64
				switch r := rng.IntN(10); {
				case r < 4: // near the touch
					price = 1_000_000 + sign*int64(rng.IntN(20)-10)
				case r < 7: // anywhere
					price = 1_000_000 - sign*int64(rng.IntN(20_000))
				default: // the deep end
					price = 1_000_000 - sign*int64(15_000+rng.IntN(5_000))
				}
				k := l.key(price)
				i, present := slices.BinarySearch(ref, k)
				switch {
				case grow && !present:
					s, p := l.find(price)
					if s != 0 {
						t.Fatalf("step %d: find(%d) = %d for an absent level", step, price, s)
					}
					l.insertAt(p, price, next)
					slot[k] = next
					next++
					ref = slices.Insert(ref, i, k)
				case !grow && len(ref) > 0:
					k = ref[rng.IntN(len(ref))]
					if rng.IntN(3) == 0 {
						k = ref[len(ref)-1] // the best level empties
					}
					i, _ = slices.BinarySearch(ref, k)
					l.remove(k * sign)
					ref = slices.Delete(ref, i, i+1)
					delete(slot, k)
				default:
					continue
				}
				checkLadder(t, step, l, ref, slot)
			}
		}
	}
}

func checkLadder(t *testing.T, step int, l *ladder, ref []int64, slot map[int64]int32) {
	t.Helper()
	keys, lvls, err := ladderEntries(l)
	if err != nil {
		t.Fatalf("step %d: %v", step, err)
	}
	if !slices.Equal(keys, ref) {
		t.Fatalf("step %d: ladder holds %d levels out of order or wrong (want %d)", step, len(keys), len(ref))
	}
	for i, k := range keys {
		if lvls[i] != slot[k] {
			t.Fatalf("step %d: key %d has slot %d, want %d", step, k, lvls[i], slot[k])
		}
	}
	var walked []int32
	l.each(func(s int32) bool { walked = append(walked, s); return true })
	if len(walked) != len(ref) {
		t.Fatalf("step %d: each visited %d of %d", step, len(walked), len(ref))
	}
	if len(ref) > 0 {
		if l.best() != slot[ref[len(ref)-1]] || walked[0] != l.best() {
			t.Fatalf("step %d: best %d, want %d", step, l.best(), slot[ref[len(ref)-1]])
		}
		k := ref[len(ref)/2]
		if s, _ := l.find(k * l.sign); s != slot[k] {
			t.Fatalf("step %d: find middle: %d, want %d", step, s, slot[k])
		}
	} else if l.best() != 0 {
		t.Fatalf("step %d: empty ladder has a best", step)
	}
	// Chunks never degenerate into many small ones: on average at least a
	// quarter full (one partial chunk at each end allowed).
	if nc := len(l.chunks); nc > 2 && l.size() < (nc-2)*chunkCap/4 {
		t.Fatalf("step %d: %d chunks for %d levels", step, nc, l.size())
	}
}

// TestDeepBookAllocs: once a deep book's chunks exist, adding and removing
// levels anywhere allocates nothing.
func TestDeepBookAllocs(t *testing.T) {
	b := NewBook(&nopSink{})
	id := OrderID(1)
	for i := range int64(5000) {
		b.Submit(Request{ID: id, Owner: 1, Side: Buy, Type: Limit, TIF: GTC, Price: 100_000 - 2*i, Qty: 1})
		id++
	}
	allocs := testing.AllocsPerRun(200, func() {
		px := 100_000 - 2*int64(id%5000) - 1 // a new level between two deep ones
		b.Submit(Request{ID: id, Owner: 2, Side: Buy, Type: Limit, TIF: GTC, Price: px, Qty: 1})
		b.Cancel(2, id, DoneCanceled)
		id++
	})
	if allocs != 0 {
		t.Fatalf("%.1f allocations per deep insert and cancel", allocs)
	}
}
