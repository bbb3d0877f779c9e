package sim

import (
	"math"
	"math/rand/v2"

	"github.com/tickcast/tickcast/market"
	"github.com/tickcast/tickcast/orders"
)

// quoteEnv is what every maker of an instrument quotes from, as of the
// last fair-value step.
type quoteEnv struct {
	fair     float64 // fair value, ticks
	volRatio float64 // the agents' estimate of σ/σ̄
	unitLots float64 // lots per size unit (Params.Notional at the fair value)
	spacing  float64 // ticks per unit of a maker's spacing (Params.Spacing)
	flow     float64 // order-flow imbalance of the makers' fills, in [−1, 1]: positive when takers bought
	minLots  int64
	maxLots  int64
}

// quote is a desired resting order: price in ticks, remaining lots (0:
// none).
type quote struct{ px, qty int64 }

// slot is the maker's record of its order for one level of one side.
type slot struct {
	oid    orders.OrderID
	px     int64
	qty    int64 // total, filled part included
	filled int64
	alive  bool
}

// Side indexes of a maker's slots and targets.
const (
	bidSide = 0
	askSide = 1
)

// maker is one market maker on one instrument. Every field is plain data.
type maker struct {
	p       Maker
	agent   orders.Owner
	slots   [2][]slot
	want    [2][]quote
	jitter  [2][]float64 // per-order size multipliers, per side and level
	sideMul [2]float64   // size multiplier of each side (inventory and flow), as of the last target
	sp      float64      // current level spacing, ticks
	width   float64      // distance of its outermost level from the fair value, ticks
	lag     float64      // ticks the inner orders may lag their target: the half-spread less a tick, or inner_lag spacings
	safe    [2]float64   // an inner order may lag only at or behind these prices (bid, ask)
	base0   int64        // base balance at start
	seen    [2]int64     // base and quote balances at the last sync
	inv     float64      // inventory, lots
	hedged  float64      // part of inv hedged off-venue, lots
	refresh int64        // next full requote, ns
	revise  int64        // next single-order size revision, ns
	// The deep levels (k >= innerLevels) are reviewed only when the
	// ladder moved: n is how many levels the last target computed, and
	// review what the deep ones were last computed from.
	n      int
	review review
	moved  bool // fills since the last target (sync saw the balances move)
	// deepEdge is the innermost price of the deep levels' resting orders
	// per side (the highest bid, the lowest ask) as of the last review.
	deepEdge [2]int64
}

// review is what a maker's deep levels were last computed from.
type review struct {
	ok  bool
	c   float64    // centre, ticks
	sp  float64    // level spacing, ticks
	mul [2]float64 // side size multipliers
}

// innerLevels is how many levels of each side a maker recomputes at every
// step; the deeper ones wait for a review.
const innerLevels = 2

// due reports whether the deep levels need a review: the centre moved a
// spacing or more since the last one, the spacing or a side's size
// multiplier changed by a tenth, or orders were filled.
func (r *review) due(c, sp float64, mul [2]float64, moved bool) bool {
	return !r.ok || moved || math.Abs(c-r.c) >= sp || math.Abs(sp-r.sp) > 0.1*r.sp ||
		math.Abs(mul[0]-r.mul[0]) > 0.1*r.mul[0] || math.Abs(mul[1]-r.mul[1]) > 0.1*r.mul[1]
}

func newMaker(p Maker) maker {
	mk := maker{p: p, sideMul: [2]float64{1, 1}}
	for s := range mk.slots {
		mk.slots[s] = make([]slot, p.Levels)
		mk.want[s] = make([]quote, p.Levels)
		mk.jitter[s] = make([]float64, p.Levels)
		for k := range mk.jitter[s] {
			mk.jitter[s][k] = 1
		}
	}
	return mk
}

// drawJitter draws one order's size multiplier: log-normal with median 1
// and log-dispersion size_dispersion, within [¼, 4].
func (mk *maker) drawJitter(rng *rand.Rand) float64 {
	return min(max(math.Exp(mk.p.SizeDispersion*rng.NormFloat64()), 0.25), 4)
}

// halfSpread is the inner half-spread in ticks at the given vol ratio.
func (mk *maker) halfSpread(volRatio float64) float64 {
	return max(mk.p.HalfSpread*volRatio, 0.5)
}

// units is the maker's unhedged inventory in its own size units.
func (mk *maker) units(env *quoteEnv) float64 {
	return (mk.inv - mk.hedged) / (mk.p.Size * env.unitLots)
}

// skew is the shift of the maker's centre in ticks for its unhedged
// inventory: against the inventory, proportional to it, and less than
// half the half-spread so that makers never cross one another.
func (mk *maker) skew(env *quoteEnv) float64 {
	hs := mk.halfSpread(env.volRatio)
	return min(max(-mk.p.Skew*mk.units(env)*hs, -0.45*hs), 0.45*hs)
}

// sideMultipliers are the size factors of the bids and the asks: a long
// maker shows more on the ask and less on the bid (size_skew at
// max_inventory), and after one-sided buying it thins its asks and
// thickens its bids (flow_skew at a fully one-sided flow).
func (mk *maker) sideMultipliers(env *quoteEnv) [2]float64 {
	inv := min(max(mk.units(env)/mk.p.MaxInventory, -1), 1)
	m := math.Exp(-mk.p.SizeSkew*inv + mk.p.FlowSkew*env.flow)
	return [2]float64{m, 1 / m}
}

// target computes the maker's desired ladder: level k of the bids at
// floor(c − h − k·d) and of the asks at ceil(c + h + k·d), where c is the
// fair value plus the inventory skew, h the half-spread and d the level
// spacing (both widening with volatility); sizes grow with depth, and
// each order's size has its own multiplier and its side's. A side whose
// unhedged inventory passed max_inventory is pulled. The inner levels are
// computed every time, the deep ones when a review is due or full is set
// (a refresh); mk.n says how many were.
func (mk *maker) target(env *quoteEnv, full bool) {
	hs := mk.halfSpread(env.volRatio)
	c := env.fair + mk.skew(env)
	mk.sp = max(mk.p.Spacing*env.spacing*math.Sqrt(env.volRatio), 1)
	mk.width = hs + float64(mk.p.Levels-1)*mk.sp
	units := mk.units(env)
	pullBid, pullAsk := units > mk.p.MaxInventory, units < -mk.p.MaxInventory
	mk.sideMul = mk.sideMultipliers(env)
	mk.lag = max(math.Floor(hs)-1, mk.p.InnerLag*mk.sp)
	mk.safe = [2]float64{env.fair - 0.5, env.fair + 0.5}
	bids, asks := mk.want[bidSide], mk.want[askSide]
	mk.n = min(innerLevels, mk.p.Levels)
	mk.levels(env, 0, mk.n, c, hs, pullBid, pullAsk)
	// A deep order must stay behind the new inner price; otherwise, or
	// when the ladder moved, every level is recomputed.
	if full || mk.review.due(c, mk.sp, mk.sideMul, mk.moved) || bids[0].px <= mk.deepEdge[bidSide] || asks[0].px >= mk.deepEdge[askSide] {
		mk.levels(env, mk.n, mk.p.Levels, c, hs, pullBid, pullAsk)
		mk.n = mk.p.Levels
		mk.review = review{ok: true, c: c, sp: mk.sp, mul: mk.sideMul}
	}
	mk.moved = false
}

// levels computes the targets of levels [from, to) on both sides around
// centre c with half-spread hs; pullBid and pullAsk empty a side. Level k
// of the bids is at floor(c − hs − k·sp), of the asks at ceil(c + hs +
// k·sp), each at least a tick behind level k−1; its size is size's.
//
// It is the makers' innermost loop (a step computes two levels of each
// maker, a review all of them): the factors of size that do not depend on
// the level are read once, and the products are the same, in the same
// order, as size computes them.
func (mk *maker) levels(env *quoteEnv, from, to int, c, hs float64, pullBid, pullAsk bool) {
	bids, asks := mk.want[bidSide][:to], mk.want[askSide][:to]
	jb, ja := mk.jitter[bidSide][:to], mk.jitter[askSide][:to]
	su, g := mk.p.Size*env.unitLots, mk.p.SizeGrowth
	mb, ma := mk.sideMul[bidSide], mk.sideMul[askSide]
	minLots, maxLots, sp := env.minLots, env.maxLots, mk.sp
	for k := from; k < to; k++ {
		off := hs + float64(k)*sp
		bid, ask := int64(math.Floor(c-off)), int64(math.Ceil(c+off))
		if k > 0 {
			bid = min(bid, bids[k-1].px-1)
			ask = max(ask, asks[k-1].px+1)
		}
		grow := su * (1 + g*float64(k))
		var qb, qa int64
		if !pullBid && bid >= 1 {
			qb = min(max(int64(math.Round(grow*jb[k]*mb)), minLots), maxLots)
		}
		if !pullAsk && ask <= orders.MaxPrice {
			qa = min(max(int64(math.Round(grow*ja[k]*ma)), minLots), maxLots)
		}
		bids[k], asks[k] = quote{bid, qb}, quote{ask, qa}
	}
}

// size is the target size of the order at level k of side, in lots.
func (mk *maker) size(env *quoteEnv, side, k int) int64 {
	q := int64(math.Round(mk.p.Size * env.unitLots * (1 + mk.p.SizeGrowth*float64(k)) * mk.jitter[side][k] * mk.sideMul[side]))
	return min(max(q, env.minLots), env.maxLots)
}

// inventory reads the maker's position in lots from its base balance.
func (mk *maker) inventory(x *market.Exchange, inst int, unitsPerLot float64) float64 {
	total, _ := x.Holdings(mk.agent, inst)
	return float64(total-mk.base0) / unitsPerLot
}

// sync brings the slots up to date with the maker's open orders on inst:
// fills happen without the maker being told. Every fill moves both its
// base and its quote balance (the maker's account trades nothing else), so
// while neither moved since the last sync the slots are still exact and
// the book is not read. (Self-trade cancels cannot happen: a maker's bids
// stay below its asks.)
func (mk *maker) sync(x *market.Exchange, in *market.Instrument, buf []orders.Order, st *Stats) []orders.Order {
	base, quote := x.Holdings(mk.agent, in.Index())
	if base == mk.seen[0] && quote == mk.seen[1] {
		return buf
	}
	mk.seen = [2]int64{base, quote}
	mk.moved = true
	buf = x.OpenOrders(mk.agent, in.Index(), buf[:0])
	// The orders come oldest first, mostly in the order their slots were
	// filled: each side's search starts after the last slot found (slots
	// hold distinct order ids, so where a search starts changes nothing
	// but its length).
	var from [2]int
	for _, o := range buf {
		s := bidSide
		if o.Side == orders.Sell {
			s = askSide
		}
		slots, found := mk.slots[s], false
		for j := range slots {
			k := from[s] + j
			if k >= len(slots) {
				k -= len(slots)
			}
			if sl := &slots[k]; sl.oid == o.ID {
				sl.alive, sl.px, sl.qty, sl.filled = true, o.Price, o.Qty, o.Filled
				from[s], found = k+1, true
				break
			}
		}
		if !found { // not ours to keep: cannot happen, but never leak orders
			x.Cancel(mk.agent, o.ID)
			st.Canceled++
		}
	}
	return buf
}

// apply moves the orders of one side to the target. Unless strict, an
// order at level k > 0 stays where it is while it is within k spacings
// of its target and behind the new inner price, and any order keeps its
// place while its remaining size is within a factor of two of the target:
// deep quotes are sticky, as real ones are.
//
// Most orders stay (a review looks at every level, and moves few): the
// rule's loop (keepRule.next) finds the ones that move, and move moves
// them.
func (mk *maker) apply(x *market.Exchange, inst, side int, lo, hi, maxLots int64, strict bool, st *Stats) {
	want := mk.want[side][:mk.n]
	slots := mk.slots[side][:len(want)]
	r := mk.keepRule(side, want[0].px, lo, hi, strict)
	for k := r.next(want, slots, 0); k < len(want); k = r.next(want, slots, k+1) {
		mk.move(x, inst, side, k, lo, hi, maxLots, st)
	}
	if mk.n == len(mk.slots[side]) {
		mk.edge(side)
	}
}

// move brings the order of level k of side to its target, which keep
// refused (or for which there is no order): it cancels the order if the
// target is empty or outside the band [lo, hi], amends it, or places a
// new one.
func (mk *maker) move(x *market.Exchange, inst, side, k int, lo, hi, maxLots int64, st *Stats) {
	w, sl := mk.want[side][k], &mk.slots[side][k]
	if w.qty == 0 || w.px < lo || w.px > hi {
		if sl.alive {
			x.Cancel(mk.agent, sl.oid)
			sl.alive = false
			st.Canceled++
		}
		return
	}
	if sl.alive {
		total := min(sl.filled+w.qty, maxLots) // the instrument's max_qty bounds the filled part too
		if total <= sl.filled {
			x.Cancel(mk.agent, sl.oid)
			st.Canceled++
		} else if r := x.Amend(mk.agent, sl.oid, w.px, total); r == "" {
			sl.px, sl.qty = w.px, total
			st.Amended++
			return
		} else if r != market.CodeUnknownOrder {
			st.Rejects.count(r)
			x.Cancel(mk.agent, sl.oid)
		}
		sl.alive = false
	}
	ob := orders.Buy
	if side == askSide {
		ob = orders.Sell
	}
	oid, r := x.Place(mk.agent, inst, market.Order{Side: ob, Type: orders.Limit, TIF: orders.GTC, Px: w.px, Qty: w.qty})
	if r != "" {
		st.Rejects.count(r)
		return
	}
	*sl = slot{oid: oid, px: w.px, qty: w.qty, alive: true}
	st.Placed++
}

// edge records the innermost price of one side's deep orders after a
// review.
func (mk *maker) edge(side int) {
	e := int64(math.MinInt64)
	if side == askSide {
		e = math.MaxInt64
	}
	for k := innerLevels; k < len(mk.slots[side]); k++ {
		if sl := &mk.slots[side][k]; sl.alive {
			if side == bidSide {
				e = max(e, sl.px)
			} else {
				e = min(e, sl.px)
			}
		}
	}
	mk.deepEdge[side] = e
}

// keep reports whether the resting order in sl may stay as it is. An
// inner order (k = 0) may lag its target by the maker's lag (its
// half-spread less a tick, or inner_lag spacings) while it is half a tick
// or more behind the fair value: every maker's ask is above
// F + ¼ (its half-spread is at least ½ tick, its skew less than half of
// that), every bid below F − ¼, so a lagging order crosses no one.
//
// It is keepRule.next's rule (apply's) for one order.
func (mk *maker) keep(sl *slot, w quote, k, side int, inner int64, strict bool) bool {
	r := mk.keepRule(side, inner, math.MinInt64, math.MaxInt64, strict)
	want := [1]quote{w}
	slots := [1]slot{*sl}
	slots[0].alive = true
	r.k0 = k
	return r.next(want[:], slots[:], 0) == 1
}

// keepRule is keep's rule for one side of a maker, as of its last target,
// with the band apply moves orders into. The asks' comparisons are the
// bids' on negated prices (fs = −1), and "behind the inner price" (px <
// inner for a bid) is px ≤ inner − 1, so that both kinds of level test fs
// × px ≤ bound (exact in float64: prices are far below 2⁵³).
type keepRule struct {
	fs     float64 // 1 for the bids, −1 for the asks
	safe   float64 // level 0's bound: fs × the price an inner order may lag at or behind
	behind float64 // the deep levels' bound: fs × the new inner price, less 1
	lag    float64 // ticks an inner order may lag
	sp     float64 // ticks per level a deep order may lag
	lo, hi int64   // the band
	k0     int     // the level of want[0] and slots[0] in next
	strict bool
}

func (mk *maker) keepRule(side int, inner, lo, hi int64, strict bool) keepRule {
	r := keepRule{fs: 1, lag: mk.lag, sp: mk.sp, lo: lo, hi: hi, strict: strict}
	if side == askSide {
		r.fs = -1
	}
	r.safe, r.behind = r.fs*mk.safe[side], r.fs*float64(inner)-1
	return r
}

// next returns the first index from i on of an order that must move to
// its target (want[i] for the order in slots[i], of level k0 + i), or
// len(want): an order must move unless it is alive, its target is an
// order within the band, and keep's rule lets it stay. It is the makers'
// hottest loop, and calls nothing.
func (r *keepRule) next(want []quote, slots []slot, i int) int {
	slots = slots[:len(want)]
	for ; i < len(want); i++ {
		w, sl := want[i], &slots[i]
		if !sl.alive || w.qty == 0 || w.px < r.lo || w.px > r.hi {
			return i
		}
		rem := sl.qty - sl.filled
		if r.strict || 2*rem < w.qty || rem > 2*w.qty {
			if sl.px == w.px && rem == w.qty {
				continue
			}
			return i
		}
		if sl.px == w.px {
			continue
		}
		bound, lim := r.safe, r.lag
		if k := r.k0 + i; k > 0 {
			bound, lim = r.behind, float64(k)*r.sp
		}
		if !(r.fs*float64(sl.px) <= bound && math.Abs(float64(sl.px-w.px)) <= lim) {
			return i
		}
	}
	return i
}

// reviseOne changes the size of one resting order, level k of side, to a
// new draw, at the price it rests at: a smaller order keeps its place in
// the queue, a larger one goes to the back (orders.Book.Amend). It
// reports whether an order was amended.
func (mk *maker) reviseOne(x *market.Exchange, env *quoteEnv, side, k int, lo, hi int64, rng *rand.Rand, st *Stats) bool {
	mk.jitter[side][k] = mk.drawJitter(rng)
	sl := &mk.slots[side][k]
	if !sl.alive || mk.want[side][k].qty == 0 || sl.px < lo || sl.px > hi {
		return false
	}
	q := mk.size(env, side, k)
	mk.want[side][k].qty = q
	q = min(q, env.maxLots-sl.filled)
	if q <= 0 || sl.qty-sl.filled == q {
		return false
	}
	if r := x.Amend(mk.agent, sl.oid, sl.px, sl.filled+q); r != "" {
		if r == market.CodeUnknownOrder {
			sl.alive = false // filled since the last sync
		} else {
			st.Rejects.count(r)
		}
		return false
	}
	sl.qty = sl.filled + q
	st.Revised++
	return true
}
