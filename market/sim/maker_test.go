package sim

import (
	"math/rand/v2"
	"testing"
)

func testEnv() quoteEnv {
	return quoteEnv{fair: 100_000.3, volRatio: 1, unitLots: 100, spacing: 2, minLots: 1, maxLots: 1_000_000}
}

func testMaker() maker {
	return newMaker(Maker{HalfSpread: 4, Levels: 5, Spacing: 1, Size: 1, SizeGrowth: 0.5, Refresh: 5, Skew: 0.5, MaxInventory: 10})
}

// TestMakerLadder checks the shape of a maker's quotes: levels strictly
// ordered away from the fair value, the inner ones a half-spread from it,
// sizes growing with depth.
func TestMakerLadder(t *testing.T) {
	mk, env := testMaker(), testEnv()
	mk.target(&env, true)
	bids, asks := mk.want[bidSide], mk.want[askSide]
	if bids[0].px != 99_996 || asks[0].px != 100_005 {
		t.Errorf("inner quotes %d / %d, want 99996 / 100005", bids[0].px, asks[0].px)
	}
	for k := 1; k < len(bids); k++ {
		if bids[k].px >= bids[k-1].px || asks[k].px <= asks[k-1].px {
			t.Errorf("level %d not behind level %d: bids %v asks %v", k, k-1, bids, asks)
		}
		if bids[k].qty <= bids[k-1].qty {
			t.Errorf("level %d size %d not above level %d's %d", k, bids[k].qty, k-1, bids[k-1].qty)
		}
	}
	if bids[0].qty != 100 || bids[2].qty != 200 {
		t.Errorf("sizes %v, want 100 at level 0 and 200 at level 2", bids)
	}
}

// TestMakerInventorySkew: a long maker shifts its quotes down (it wants to
// sell), a short one up, never by half a half-spread or more.
func TestMakerInventorySkew(t *testing.T) {
	env := testEnv()
	flat := testMaker()
	flat.target(&env, true)
	for _, tc := range []struct {
		name  string
		inv   float64 // lots; one size unit is 100
		shift int     // expected sign of the quotes' move
	}{
		{"long", 300, -1},
		{"short", -300, +1},
		{"long but hedged", 300, 0},
		{"flat", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mk := testMaker()
			mk.inv = tc.inv
			if tc.name == "long but hedged" {
				mk.hedged = tc.inv
			}
			mk.target(&env, true)
			for s, side := range []string{"bid", "ask"} {
				d := mk.want[s][0].px - flat.want[s][0].px
				if sign(d) != tc.shift {
					t.Errorf("%s moved by %d ticks, want sign %d", side, d, tc.shift)
				}
			}
			if sk := mk.skew(&env); abs1(sk) >= 0.5*mk.halfSpread(env.volRatio) {
				t.Errorf("skew %.2f ticks, want under half the half-spread", sk)
			}
		})
	}
}

// TestMakerInventoryLimit: past max_inventory the side that would add to
// the position is pulled.
func TestMakerInventoryLimit(t *testing.T) {
	env := testEnv()
	mk := testMaker()
	mk.inv = 11 * 100 // 11 size units, limit 10
	mk.target(&env, true)
	for k := range mk.want[bidSide] {
		if mk.want[bidSide][k].qty != 0 || mk.want[askSide][k].qty == 0 {
			t.Fatalf("long past the limit: bids %v asks %v, want no bids", mk.want[bidSide], mk.want[askSide])
		}
	}
}

// TestMakerSpreadWidens: the spread and the ladder widen with the
// volatility estimate.
func TestMakerSpreadWidens(t *testing.T) {
	spreadAt := func(ratio float64) (spread, width int64) {
		env := testEnv()
		env.volRatio = ratio
		mk := testMaker()
		mk.target(&env, true)
		n := len(mk.want[askSide]) - 1
		return mk.want[askSide][0].px - mk.want[bidSide][0].px, mk.want[askSide][n].px - mk.want[bidSide][n].px
	}
	calmS, calmW := spreadAt(0.5)
	s1, w1 := spreadAt(1)
	hotS, hotW := spreadAt(3)
	if !(calmS < s1 && s1 < hotS) || !(calmW < w1 && w1 < hotW) {
		t.Errorf("spreads %d, %d, %d and widths %d, %d, %d at vol ratios 0.5, 1, 3: want increasing", calmS, s1, hotS, calmW, w1, hotW)
	}
}

func sign(d int64) int {
	switch {
	case d < 0:
		return -1
	case d > 0:
		return 1
	}
	return 0
}

func abs1(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// TestMakerSizesPerOrder: every order's size has its own draw, so the two
// sides of a ladder do not mirror each other; without dispersion they do.
func TestMakerSizesPerOrder(t *testing.T) {
	for _, tc := range []struct {
		name     string
		disp     float64
		mirrored bool
	}{{"drawn per order", 0.35, false}, {"no dispersion", 0, true}} {
		t.Run(tc.name, func(t *testing.T) {
			env := testEnv()
			mk := testMaker()
			mk.p.SizeDispersion = tc.disp
			s := &instSim{rngA: rand.New(rand.NewPCG(5, 6))}
			s.redraw(&mk)
			mk.target(&env, true)
			equal := 0
			for k := range mk.want[bidSide] {
				if mk.want[bidSide][k].qty == mk.want[askSide][k].qty {
					equal++
				}
			}
			if tc.mirrored && equal != len(mk.want[bidSide]) || !tc.mirrored && equal > 0 {
				t.Errorf("%d of %d levels with equal bid and ask sizes: bids %v asks %v", equal, len(mk.want[bidSide]), mk.want[bidSide], mk.want[askSide])
			}
		})
	}
}

// TestMakerSizeSkew: a long maker shows more on its asks than on its bids,
// a short one the reverse; after one-sided buying by takers it shows more
// on the bids.
func TestMakerSizeSkew(t *testing.T) {
	for _, tc := range []struct {
		name string
		inv  float64 // lots; one size unit is 100
		flow float64
		more int // the side with more size
	}{
		{"long", 500, 0, askSide},
		{"short", -500, 0, bidSide},
		{"takers bought", 0, 1, bidSide},
		{"takers sold", 0, -1, askSide},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := testEnv()
			env.flow = tc.flow
			mk := testMaker()
			mk.p.SizeSkew, mk.p.FlowSkew = 1, 0.4
			mk.inv = tc.inv
			mk.target(&env, true)
			for k := range mk.want[bidSide] {
				if mk.want[tc.more][k].qty <= mk.want[1-tc.more][k].qty {
					t.Fatalf("level %d: side %d has %d lots, the other %d: want more", k, tc.more, mk.want[tc.more][k].qty, mk.want[1-tc.more][k].qty)
				}
			}
		})
	}
}

// TestMakerDeepReview: the deep levels are recomputed only when the
// ladder moved by a spacing, or when an inner target comes up to a deep
// order; the inner ones always are.
func TestMakerDeepReview(t *testing.T) {
	env := testEnv()
	mk := testMaker()
	mk.target(&env, true)
	deep := mk.want[bidSide][3]
	for i := range mk.slots {
		for k := range mk.slots[i] {
			mk.slots[i][k] = slot{px: mk.want[i][k].px, qty: mk.want[i][k].qty, alive: true}
		}
		mk.edge(i)
	}
	env.fair += 0.6 * mk.sp
	mk.target(&env, false)
	if mk.n != innerLevels || mk.want[bidSide][3] != deep {
		t.Fatalf("moved %.1f ticks, less than a spacing (%.1f): %d levels recomputed, deep bid %v (was %v); want %d and unchanged", 0.6*mk.sp, mk.sp, mk.n, mk.want[bidSide][3], deep, innerLevels)
	}
	env.fair += 0.6 * mk.sp
	mk.target(&env, false)
	if mk.n != mk.p.Levels || mk.want[bidSide][3] == deep {
		t.Fatalf("moved over a spacing: %d levels recomputed, want all %d", mk.n, mk.p.Levels)
	}
	mk.target(&env, false) // a review just happened: nothing moved since
	if mk.n != innerLevels {
		t.Fatalf("no move: %d levels recomputed", mk.n)
	}
	mk.deepEdge[bidSide] = mk.want[bidSide][0].px // a deep bid at the inner price
	mk.target(&env, false)
	if mk.n != mk.p.Levels {
		t.Fatalf("a deep order at the inner price: %d levels recomputed, want all", mk.n)
	}
}

// TestMakerInnerLag: a maker's inner order may lag its target by its
// half-spread less a tick, but only while it stays half a tick or more
// behind the fair value.
func TestMakerInnerLag(t *testing.T) {
	env := testEnv() // fair 100000.3; half-spread 4: lag 3 ticks
	mk := testMaker()
	mk.target(&env, true)
	w := mk.want[bidSide][0] // 99996
	for _, tc := range []struct {
		px   int64
		keep bool
	}{{w.px, true}, {w.px - 3, true}, {w.px + 3, true}, {w.px - 4, false}, {w.px + 4, false}} {
		sl := slot{px: tc.px, qty: w.qty, alive: true}
		if got := mk.keep(&sl, w, 0, bidSide, w.px, false); got != tc.keep {
			t.Errorf("inner bid at %d, target %d: keep %v, want %v", tc.px, w.px, got, tc.keep)
		}
	}
	// inner_lag 2 spacings (4 ticks) lets it lag more.
	mk.p.InnerLag = 2
	mk.target(&env, true)
	if sl := (slot{px: w.px - 4, qty: w.qty, alive: true}); !mk.keep(&sl, w, 0, bidSide, w.px, false) {
		t.Errorf("inner_lag 2 spacings of 2 ticks: a bid 4 ticks behind its target was moved")
	}
	mk.p.InnerLag = 0
	// Short: the maker's centre is 0.45 half-spreads above the fair
	// value, and so is its bid; lagging 3 ticks above that target would
	// put it within half a tick of the fair value.
	mk.inv = -500
	mk.target(&env, true)
	w = mk.want[bidSide][0]
	for _, tc := range []struct {
		px   int64
		keep bool
	}{{w.px + 1, true}, {w.px + 3, false}} {
		sl := slot{px: tc.px, qty: w.qty, alive: true}
		if got := mk.keep(&sl, w, 0, bidSide, w.px, false); got != tc.keep {
			t.Errorf("short maker: inner bid at %d, target %d, fair %.1f: keep %v, want %v", tc.px, w.px, env.fair, got, tc.keep)
		}
	}
}
