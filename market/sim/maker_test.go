package sim

import (
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
	mk.target(&env)
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
	flat.target(&env)
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
			mk.target(&env)
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
	mk.target(&env)
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
		mk.target(&env)
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
