package sim

import (
	"github.com/tickcast/tickcast/market"
	"github.com/tickcast/tickcast/orders"
)

// profileLevels is how many levels per side the depth profile and the
// mirror fraction look at (the levels the book checksum covers).
const profileLevels = market.ChecksumDepth

// bookFacts are the shape of one instrument's book, sampled every
// simulated second on the sequencer.
type bookFacts struct {
	pairs, mirrored int                    // top-10 level pairs seen, and those with equal bid and ask size
	thinner         []float64              // levels on the thinner side, per sample
	size            [profileLevels]float64 // summed size (lots) at the k-th level from the touch, both sides
	sizeN           [profileLevels]int     // samples that had a k-th level
	levels          []orders.Level         // scratch
	bids, asks      []orders.Level         // scratch
}

// sample records the book of instrument 0 as it is now.
func (b *bookFacts) sample(x *market.Exchange) {
	b.bids = x.Depth(0, orders.Buy, 0, b.bids[:0])
	b.asks = x.Depth(0, orders.Sell, 0, b.asks[:0])
	b.thinner = append(b.thinner, float64(min(len(b.bids), len(b.asks))))
	for k := range min(profileLevels, len(b.bids), len(b.asks)) {
		b.pairs++
		if b.bids[k].Qty == b.asks[k].Qty {
			b.mirrored++
		}
	}
	for _, side := range [2][]orders.Level{b.bids, b.asks} {
		for k := range min(profileLevels, len(side)) {
			b.size[k] += float64(side[k].Qty)
			b.sizeN[k]++
		}
	}
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
