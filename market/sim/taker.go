package sim

import (
	"math"
	"math/rand/v2"

	"github.com/tickcast/tickcast/market"
	"github.com/tickcast/tickcast/orders"
)

// Kinds of taker arrival.
const (
	takeNoise = iota
	takeMomentum
	takeIdle
)

// takerRate is a taker's arrival rate per second: base × Rate ×
// (σ/σ̄)^exp, σ/σ̄ bounded to [0.1, 10].
func takerRate(base, rate, volRatio, exp float64) float64 {
	return base * rate * math.Pow(min(max(volRatio, 0.1), 10), exp)
}

// logNormal draws a size with the given median and log-dispersion.
func logNormal(rng *rand.Rand, median, disp float64) float64 {
	return median * math.Exp(disp*rng.NormFloat64())
}

// momentumBuyProb is the probability that a momentum taker buys given the
// trend signal z (in standard deviations).
func momentumBuyProb(z, gain float64) float64 { return 0.5 + 0.5*math.Tanh(gain*z) }

// take sends one taker order of kind: a noise order of random side, an
// idle order of random side unless only the other side has liquidity, or
// a momentum order on the side of the trend. It is an IOC limit
// order priced at the makers' outermost level from the fair value, so
// that a book thinned by someone else's sweep never prints far away.
func (s *instSim) take(x *market.Exchange, kind int) {
	rng, p := s.rngA, &s.p
	var side orders.Side
	var units float64
	agent := s.noiseAgent
	switch kind {
	case takeMomentum:
		agent = s.momentumAgent
		side = orders.Sell
		if rng.Float64() < momentumBuyProb(s.fair.momentum(), p.MomentumGain) {
			side = orders.Buy
		}
		units = logNormal(rng, p.MomentumSize, p.SizeDispersion)
		s.stats.Momentum++
	default:
		side = orders.Buy
		if rng.Uint64()&1 == 0 {
			side = orders.Sell
		}
		if kind == takeIdle { // an idle trader takes what is there
			if _, hasBid, _, hasAsk := x.Best(s.idx); side == orders.Buy && !hasAsk || side == orders.Sell && !hasBid {
				side = side.Opposite()
			}
		}
		units = logNormal(rng, p.NoiseSize, p.SizeDispersion)
		if kind == takeIdle {
			s.stats.Idle++
		} else {
			s.stats.Noise++
		}
	}
	units = min(units, maxTakerUnits)
	lots := int64(math.Round(units * s.env.unitLots))
	lots = min(max(lots, s.env.minLots), s.env.maxLots)
	lo, hi := x.Band(s.idx)
	reach := s.width + 1
	px := int64(math.Ceil(s.env.fair + reach))
	if side == orders.Sell {
		px = int64(math.Floor(s.env.fair - reach))
	}
	px = min(max(px, lo), hi)
	if _, r := x.Place(agent, s.idx, market.Order{Side: side, Type: orders.Limit, TIF: orders.IOC, Px: px, Qty: lots}); r != "" {
		s.stats.Rejects.count(r)
	}
}

// maxTakerUnits caps a taker order, in size units.
const maxTakerUnits = 25
