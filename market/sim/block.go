package sim

import (
	"math"

	"github.com/tickcast/tickcast/market"
	"github.com/tickcast/tickcast/orders"
)

// maxBlocks bounds the block orders resting at once on one instrument.
const maxBlocks = 8

// blockOrder is one resting block order.
type blockOrder struct {
	oid     orders.OrderID
	side    orders.Side
	px      int64
	expires int64 // ns
	alive   bool
}

// blockAgent places the occasional large resting order a few levels from
// the touch: arrivals are Poisson (block_rate), sizes log-normal
// (block_size, block_dispersion), each rests for an exponential lifetime
// (block_life_s) unless it is filled, or pulled when the fair value comes
// within block_pull spacings of it — before any maker requotes, so that no
// maker's quote ever meets it; only takers trade with it. Every field is
// plain data.
type blockAgent struct {
	agent   orders.Owner
	base0   int64
	inv     float64 // lots
	next    int64   // next arrival, ns
	orders  [maxBlocks]blockOrder
	expires int64 // earliest expiry of a live block, ns; math.MaxInt64 for none
}

// blockDistance is how far from the fair value, in ticks, n spacings are
// at the current volatility estimate.
func (s *instSim) blockDistance(n float64) float64 {
	return max(n*s.p.Spacing*math.Sqrt(s.env.volRatio), 1)
}

// placeBlock places a new block order at now: a random side, a distance
// of block_near to block_far spacings from the fair value.
func (s *instSim) placeBlock(x *market.Exchange, now int64) {
	b, rng, p := &s.block, s.rngA, &s.p
	side := orders.Buy
	if rng.Uint64()&1 == 0 {
		side = orders.Sell
	}
	dist := s.blockDistance(p.BlockNear + (p.BlockFar-p.BlockNear)*rng.Float64())
	units := logNormal(rng, p.BlockSize, p.BlockDispersion)
	life := s.expGap(p.BlockLife)
	i := -1
	for j := range b.orders {
		if !b.orders[j].alive {
			i = j
			break
		}
	}
	if i < 0 {
		return // as many blocks as the book holds: this one does not come
	}
	px := int64(math.Floor(s.env.fair - dist))
	if side == orders.Sell {
		px = int64(math.Ceil(s.env.fair + dist))
	}
	lo, hi := x.Band(s.idx)
	lots := min(max(int64(math.Round(units*s.env.unitLots)), s.env.minLots), s.env.maxLots)
	if px < lo || px > hi {
		return
	}
	oid, r := x.Place(b.agent, s.idx, market.Order{Side: side, Type: orders.Limit, TIF: orders.GTC, PostOnly: true, Px: px, Qty: lots})
	if r != "" {
		s.stats.Rejects.count(r)
		return
	}
	b.orders[i] = blockOrder{oid: oid, side: side, px: px, expires: now + life, alive: true}
	b.expires = min(b.expires, now+life)
	s.stats.Blocks++
}

// expireBlocks cancels the blocks whose lifetime ended by now.
func (s *instSim) expireBlocks(x *market.Exchange, now int64) {
	b := &s.block
	for i := range b.orders {
		if o := &b.orders[i]; o.alive && o.expires <= now {
			x.Cancel(b.agent, o.oid)
			o.alive = false
		}
	}
	b.resetExpiry()
}

// pullBlocks cancels the blocks the fair value came near, and forgets
// those that were filled. It runs at every step, before the makers
// requote.
func (s *instSim) pullBlocks(x *market.Exchange) {
	b := &s.block
	near := s.blockDistance(s.p.BlockPull)
	changed := false
	for i := range b.orders {
		o := &b.orders[i]
		if !o.alive {
			continue
		}
		close := float64(o.px) > s.env.fair-near
		if o.side == orders.Sell {
			close = float64(o.px) < s.env.fair+near
		}
		if close {
			x.Cancel(b.agent, o.oid)
			o.alive, changed = false, true
		} else if !x.IsOpen(b.agent, o.oid) {
			o.alive, changed = false, true // filled
		}
	}
	if changed {
		b.resetExpiry()
	}
}

func (b *blockAgent) resetExpiry() {
	b.expires = math.MaxInt64
	for i := range b.orders {
		if o := &b.orders[i]; o.alive {
			b.expires = min(b.expires, o.expires)
		}
	}
}
