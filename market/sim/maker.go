package sim

import (
	"math"

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

// maker is one market maker on one instrument.
type maker struct {
	p       Maker
	agent   orders.Owner
	slots   [2][]slot
	want    [2][]quote
	jitter  []float64 // per-level size multipliers, redrawn at refresh
	sp      float64   // current level spacing, ticks
	width   float64   // distance of its outermost level from the fair value, ticks
	base0   int64     // base balance at start
	seen    [2]int64  // base and quote balances at the last sync
	inv     float64   // inventory, lots
	hedged  float64   // part of inv hedged off-venue, lots
	refresh int64     // next refresh, ns
}

func newMaker(p Maker) maker {
	mk := maker{p: p, jitter: make([]float64, p.Levels)}
	for s := range mk.slots {
		mk.slots[s] = make([]slot, p.Levels)
		mk.want[s] = make([]quote, p.Levels)
	}
	for k := range mk.jitter {
		mk.jitter[k] = 1
	}
	return mk
}

// halfSpread is the inner half-spread in ticks at the given vol ratio.
func (mk *maker) halfSpread(volRatio float64) float64 {
	return max(mk.p.HalfSpread*volRatio, 0.5)
}

// skew is the shift of the maker's centre in ticks for its unhedged
// inventory: against the inventory, proportional to it, and less than
// half the half-spread so that makers never cross one another.
func (mk *maker) skew(env *quoteEnv) float64 {
	hs := mk.halfSpread(env.volRatio)
	units := (mk.inv - mk.hedged) / (mk.p.Size * env.unitLots)
	return min(max(-mk.p.Skew*units*hs, -0.45*hs), 0.45*hs)
}

// target computes the maker's desired ladder: level k of the bids at
// floor(c − h − k·d) and of the asks at ceil(c + h + k·d), where c is the
// fair value plus the inventory skew, h the half-spread and d the level
// spacing (both widening with volatility); sizes grow with depth. A side
// whose unhedged inventory passed max_inventory is pulled.
func (mk *maker) target(env *quoteEnv) {
	hs := mk.halfSpread(env.volRatio)
	c := env.fair + mk.skew(env)
	mk.sp = max(mk.p.Spacing*env.spacing*math.Sqrt(env.volRatio), 1)
	mk.width = hs + float64(mk.p.Levels-1)*mk.sp
	units := (mk.inv - mk.hedged) / (mk.p.Size * env.unitLots)
	pullBid, pullAsk := units > mk.p.MaxInventory, units < -mk.p.MaxInventory
	bids, asks := mk.want[bidSide], mk.want[askSide]
	for k := range bids {
		off := hs + float64(k)*mk.sp
		bid, ask := int64(math.Floor(c-off)), int64(math.Ceil(c+off))
		if k > 0 {
			bid = min(bid, bids[k-1].px-1)
			ask = max(ask, asks[k-1].px+1)
		}
		q := int64(math.Round(mk.p.Size * env.unitLots * (1 + mk.p.SizeGrowth*float64(k)) * mk.jitter[k]))
		q = min(max(q, env.minLots), env.maxLots)
		bids[k], asks[k] = quote{bid, q}, quote{ask, q}
		if pullBid || bid < 1 {
			bids[k].qty = 0
		}
		if pullAsk || ask > orders.MaxPrice {
			asks[k].qty = 0
		}
	}
}

// inventory reads the maker's position in lots from its base balance.
func (mk *maker) inventory(x *market.Exchange, base string, unitsPerLot float64) float64 {
	total, _ := x.Balance(mk.agent, base)
	return float64(total-mk.base0) / unitsPerLot
}

// sync brings the slots up to date with the maker's open orders on inst:
// fills happen without the maker being told. Every fill moves both its
// base and its quote balance (the maker's account trades nothing else), so
// while neither moved since the last sync the slots are still exact and
// the book is not read. (Self-trade cancels cannot happen: a maker's bids
// stay below its asks.)
func (mk *maker) sync(x *market.Exchange, in *market.Instrument, buf []orders.Order, st *Stats) []orders.Order {
	base, _ := x.Balance(mk.agent, in.Base)
	quote, _ := x.Balance(mk.agent, in.Quote)
	if base == mk.seen[0] && quote == mk.seen[1] {
		return buf
	}
	mk.seen = [2]int64{base, quote}
	for s := range mk.slots {
		for k := range mk.slots[s] {
			mk.slots[s][k].alive = false
		}
	}
	buf = x.OpenOrders(mk.agent, in.Index(), buf[:0])
	for _, o := range buf {
		s := bidSide
		if o.Side == orders.Sell {
			s = askSide
		}
		found := false
		for k := range mk.slots[s] {
			if sl := &mk.slots[s][k]; sl.oid == o.ID {
				sl.alive, sl.px, sl.qty, sl.filled = true, o.Price, o.Qty, o.Filled
				found = true
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
func (mk *maker) apply(x *market.Exchange, inst, side int, lo, hi int64, strict bool, st *Stats) {
	ob := orders.Buy
	if side == askSide {
		ob = orders.Sell
	}
	want, slots := mk.want[side], mk.slots[side]
	inner := want[0].px
	for k := range slots {
		w, sl := want[k], &slots[k]
		if w.qty == 0 || w.px < lo || w.px > hi {
			if sl.alive {
				x.Cancel(mk.agent, sl.oid)
				sl.alive = false
				st.Canceled++
			}
			continue
		}
		if sl.alive {
			if mk.keep(sl, w, k, side, inner, strict) {
				continue
			}
			if r := x.Amend(mk.agent, sl.oid, w.px, sl.filled+w.qty); r == "" {
				sl.px, sl.qty = w.px, sl.filled+w.qty
				st.Amended++
				continue
			} else if r != market.CodeUnknownOrder {
				st.Rejects.count(r)
				x.Cancel(mk.agent, sl.oid)
			}
			sl.alive = false
		}
		oid, r := x.Place(mk.agent, inst, market.Order{Side: ob, Type: orders.Limit, TIF: orders.GTC, Px: w.px, Qty: w.qty})
		if r != "" {
			st.Rejects.count(r)
			continue
		}
		*sl = slot{oid: oid, px: w.px, qty: w.qty, alive: true}
		st.Placed++
	}
}

// keep reports whether the resting order in sl may stay as it is.
func (mk *maker) keep(sl *slot, w quote, k, side int, inner int64, strict bool) bool {
	rem := sl.qty - sl.filled
	if sl.px == w.px && rem == w.qty {
		return true
	}
	if strict || 2*rem < w.qty || rem > 2*w.qty {
		return false
	}
	if sl.px == w.px {
		return true
	}
	if k == 0 {
		return false
	}
	behind := sl.px < inner
	if side == askSide {
		behind = sl.px > inner
	}
	return behind && math.Abs(float64(sl.px-w.px)) <= float64(k)*mk.sp
}
