package sim

import (
	"math"

	"github.com/tickcast/tickcast/market"
	"github.com/tickcast/tickcast/orders"
)

// profileLevels is how many levels per side the depth profile, the
// mirror fraction and the imbalance look at (the levels the book checksum
// covers).
const profileLevels = market.ChecksumDepth

// bookFacts are the shape of one instrument's book, sampled every
// simulated second on the sequencer.
type bookFacts struct {
	pairs, mirrored int                    // top-10 level pairs seen, and those with equal bid and ask size
	thinner         []float64              // levels on the thinner side, per sample
	size            [profileLevels]float64 // summed size (lots) at the k-th level from the touch, both sides
	sizeN           [profileLevels]int     // samples that had a k-th level
	imbalance       []float64              // (bid − ask)/(bid + ask) of the top-10 sizes, per sample
	flow            []float64              // takers' net buying (EWMA, half-life 30 s), per sample
	inventory       []float64              // the makers' unhedged inventory, size units, per sample
	ages            [maxAge + 1]int        // maker orders by whole seconds resting at their price and size (the last bin: longer), per sample
	since           [][2][]slotAge         // per maker, side and level
	bids, asks      []orders.Level         // scratch
}

// maxAge is the last bin of bookFacts.ages, s.
const maxAge = 600

type slotAge struct {
	oid     orders.OrderID
	px, qty int64
	from    int64
}

// sample records the book of instrument 0 as it is now, with the takers'
// flow as measured from the trades published so far.
func (b *bookFacts) sample(x *market.Exchange, s *instSim, now int64, flow float64) {
	b.bids = x.Depth(0, orders.Buy, 0, b.bids[:0])
	b.asks = x.Depth(0, orders.Sell, 0, b.asks[:0])
	b.thinner = append(b.thinner, float64(min(len(b.bids), len(b.asks))))
	for k := range min(profileLevels, len(b.bids), len(b.asks)) {
		b.pairs++
		if b.bids[k].Qty == b.asks[k].Qty {
			b.mirrored++
		}
	}
	var sum [2]float64
	for i, side := range [2][]orders.Level{b.bids, b.asks} {
		for k := range min(profileLevels, len(side)) {
			b.size[k] += float64(side[k].Qty)
			b.sizeN[k]++
			sum[i] += float64(side[k].Qty)
		}
	}
	if sum[0]+sum[1] > 0 {
		b.imbalance = append(b.imbalance, (sum[0]-sum[1])/(sum[0]+sum[1]))
		b.flow = append(b.flow, flow)
		inv := 0.0
		for i := range s.makers {
			inv += s.makers[i].units(&s.env)
		}
		b.inventory = append(b.inventory, inv)
	}
	if b.since == nil {
		b.since = make([][2][]slotAge, len(s.makers))
		for i := range s.makers {
			for side := range b.since[i] {
				b.since[i][side] = make([]slotAge, len(s.makers[i].slots[side]))
			}
		}
	}
	for i := range s.makers {
		for side := range s.makers[i].slots {
			for k, sl := range s.makers[i].slots[side] {
				a := &b.since[i][side][k]
				if !sl.alive {
					continue
				}
				if a.oid != sl.oid || a.px != sl.px || a.qty != sl.qty {
					*a = slotAge{oid: sl.oid, px: sl.px, qty: sl.qty, from: now}
				}
				b.ages[min((now-a.from)/1e9, maxAge)]++
			}
		}
	}
}

// ageQuantile is the q-quantile of the maker orders' ages, s.
func (b *bookFacts) ageQuantile(q float64) float64 {
	total := 0
	for _, n := range b.ages {
		total += n
	}
	seen := 0
	for age, n := range b.ages {
		if seen += n; float64(seen) >= q*float64(total) {
			return float64(age)
		}
	}
	return maxAge
}

// ageOver is the share of maker orders that rested at their price and
// size for more than sec seconds.
func (b *bookFacts) ageOver(sec int) float64 {
	total, over := 0, 0
	for age, n := range b.ages {
		total += n
		if age > sec {
			over += n
		}
	}
	return float64(over) / float64(max(total, 1))
}

// mirror is the share of top-10 level pairs whose bid and ask carry the
// same size.
func (b *bookFacts) mirror() float64 { return float64(b.mirrored) / float64(max(b.pairs, 1)) }

// thinnerMedian is the median number of levels on the thinner side.
func (b *bookFacts) thinnerMedian() float64 { return quantile(b.thinner, 0.5) }

// profile is the mean size at the k-th level from the touch relative to
// the mean size at the touch.
func (b *bookFacts) profile() [profileLevels]float64 {
	var p [profileLevels]float64
	touch := b.size[0] / float64(max(b.sizeN[0], 1))
	for k := range p {
		p[k] = b.size[k] / float64(max(b.sizeN[k], 1)) / touch
	}
	return p
}

// correlation is Pearson's correlation of x and y.
func correlation(x, y []float64) float64 {
	mx, my := mean(x), mean(y)
	var sxy, sxx, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	return sxy / math.Sqrt(sxx*syy)
}

// takerFlow follows the takers' net buying from the trades as they are
// published: an EWMA of signed volume per second, half-life 30 s.
type takerFlow struct {
	v    float64
	last int64
}

func (f *takerFlow) add(e *market.Event, lots float64) {
	f.at(e.TS)
	if e.Trade.Side == "sell" {
		lots = -lots
	}
	f.v += lots
}

// at decays the flow to time ts.
func (f *takerFlow) at(ts int64) float64 {
	if f.last != 0 {
		f.v *= math.Exp2(-float64(ts-f.last) / 30e9)
	}
	f.last = ts
	return f.v
}
