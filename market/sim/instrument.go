package sim

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/tickcast/tickcast/market"
	"github.com/tickcast/tickcast/orders"
)

// instSim is the simulated market of one instrument: its fair value, its
// makers and takers, their random sources and counters.
type instSim struct {
	idx  int
	in   *market.Instrument
	p    Params
	rate float64 // Config.Rate

	fair fairValue
	// The random sources: the price process's and the agents'. The PCG
	// states are what a snapshot would save (encoding.BinaryMarshaler);
	// the rand.Rand wrappers hold nothing else.
	pcgP, pcgA *rand.PCG
	rngP       *rand.Rand
	rngA       *rand.Rand
	env        quoteEnv

	makers        []maker
	block         blockAgent
	noiseAgent    orders.Owner
	momentumAgent orders.Owner
	takerInv      [2]float64 // the noise and momentum agents' inventories, lots
	takerBase0    [2]int64
	noise         poissonClock
	momentum      poissonClock
	idleGap       int64 // ns
	idleAt        int64 // when the idle taker comes unless another does first

	buyFlow  float64 // EWMA of what takers bought from the makers and blocks, lots per s
	sellFlow float64 // the same for what they sold
	nextAt   int64   // the earliest timer (due)
	next     timer   // which one

	width       float64 // widest maker ladder, ticks from the fair value
	unitsPerLot float64 // base-asset balance units per lot
	notionalLot float64 // quote value of one lot per tick of price
	impact      float64 // log-price move for one size unit of users' net flow (square-root law)
	hedgeHL     float64 // s
	buf         []orders.Order
	stats       Stats
}

// streamSeed derives an instrument's random stream from its symbol, so
// that an instrument behaves the same whatever else is listed.
func streamSeed(symbol string, stream uint64) uint64 {
	h := fnv.New64a()
	h.Write([]byte(symbol))
	return h.Sum64() ^ stream*0x9E3779B97F4A7C15
}

func newInstSim(in *market.Instrument, p Params, cfg *Config, now int64) *instSim {
	s := &instSim{
		idx:     in.Index(),
		in:      in,
		p:       p,
		rate:    cfg.Rate,
		pcgP:    rand.NewPCG(cfg.Seed, streamSeed(in.Symbol, 1)),
		pcgA:    rand.NewPCG(cfg.Seed, streamSeed(in.Symbol, 2)),
		idleGap: max(int64(p.MaxIdle*1e9/cfg.Rate), 1),
		hedgeHL: p.HedgeHalfLife,
		stats:   Stats{Symbol: in.Symbol},
	}
	s.rngP, s.rngA = rand.New(s.pcgP), rand.New(s.pcgA)
	ps, qs := in.PriceScale(), in.QtyScale()
	s.notionalLot = float64(ps.Unit) * math.Pow10(-int(ps.Decimals)) * float64(qs.Unit) * math.Pow10(-int(qs.Decimals))
	s.fair = newFairValue(&s.p, in.RefTicks(), s.rngP, now)
	s.impact = p.Impact * s.fair.sigmaBar * math.Sqrt(60)
	s.env = quoteEnv{spacing: p.Spacing, minLots: in.MinLots(), maxLots: in.MaxLots()}
	s.updateEnv()
	for _, mp := range p.Makers {
		s.makers = append(s.makers, newMaker(mp))
	}
	return s
}

// updateEnv refreshes what makers and takers see of the fair value.
func (s *instSim) updateEnv() {
	s.env.fair = s.fair.ticks()
	s.env.volRatio = s.fair.volRatio()
	s.env.unitLots = s.p.Notional / (s.env.fair * s.notionalLot)
	if tot := s.buyFlow + s.sellFlow; tot > 0 {
		s.env.flow = (s.buyFlow - s.sellFlow) / tot
	}
}

// begin creates the agents' accounts and starts their clocks.
func (s *instSim) begin(x *market.Exchange, deposit map[string]string, now int64) error {
	sym := s.in.Symbol
	var err error
	qs := s.in.QtyScale()
	s.unitsPerLot = float64(qs.Unit) * math.Pow10(int(x.AssetDecimals(s.in.Base)-qs.Decimals))
	for i := range s.makers {
		mk := &s.makers[i]
		if mk.agent, err = x.NewAgent(sym+"_mm"+strconv.Itoa(i+1), deposit); err != nil {
			return err
		}
		mk.base0, _ = x.Balance(mk.agent, s.in.Base)
		mk.seen[0] = -1 // sync reads the book the first time
		mk.refresh = now + s.expGap(mk.p.Refresh)
		mk.revise = s.reviseGap(mk, now)
		s.redraw(mk)
	}
	b := &s.block
	if b.agent, err = x.NewAgent(sym+"_block", deposit); err != nil {
		return err
	}
	b.base0, _ = x.Balance(b.agent, s.in.Base)
	b.expires, b.next = math.MaxInt64, math.MaxInt64
	if s.p.BlockRate > 0 {
		b.next = now + s.expGap(1/s.p.BlockRate)
	}
	if s.noiseAgent, err = x.NewAgent(sym+"_noise", deposit); err != nil {
		return err
	}
	if s.momentumAgent, err = x.NewAgent(sym+"_momentum", deposit); err != nil {
		return err
	}
	s.takerBase0[0], _ = x.Balance(s.noiseAgent, s.in.Base)
	s.takerBase0[1], _ = x.Balance(s.momentumAgent, s.in.Base)
	r := s.fair.vol.ratio()
	s.noise.start(s.rngA, now, takerRate(s.p.NoiseRate, s.rate, r, s.p.RateVolExp)/1e9)
	s.momentum.start(s.rngA, now, takerRate(s.p.MomentumRate, s.rate, r, s.p.RateVolExp)/1e9)
	s.idleAt = now + s.idleGap
	s.reschedule()
	return nil
}

// expGap draws an exponential gap of mean seconds/Rate, in ns.
func (s *instSim) expGap(seconds float64) int64 {
	return max(int64(s.rngA.ExpFloat64()*seconds*1e9/s.rate), 1)
}

// reviseGap is when a maker's next size revision comes after from.
func (s *instSim) reviseGap(mk *maker, from int64) int64 {
	if mk.p.ReviseRate <= 0 {
		return math.MaxInt64
	}
	return from + s.expGap(1/mk.p.ReviseRate)
}

// redraw gives every order of a maker a new size multiplier, each drawn
// on its own: the two sides of a ladder do not mirror each other.
func (s *instSim) redraw(mk *maker) {
	for side := range mk.jitter {
		for k := range mk.jitter[side] {
			mk.jitter[side][k] = mk.drawJitter(s.rngA)
		}
	}
}

// step advances the fair value to now (dt seconds after the last step),
// applies the users' net flow to it (impact), updates the agents'
// estimates and the takers' rates, and requotes every maker.
//
// Users' net flow in a step moves log F by impact·σ̄·√60 per square root
// of size units (the square-root law). Only users' trades have permanent
// impact: the fair value's own path is
// the agents' aggregate information, and letting the momentum takers'
// flow move it would make returns autocorrelated. What the agents
// together bought since the last step, the users sold.
func (s *instSim) step(x *market.Exchange, now int64, dt float64) {
	s.stats.Steps++
	f := &s.fair
	prevLog, prevCentre := f.logF, s.env.fair
	jumps := f.jumps
	if dt > 0 {
		f.evolve(s.rngP, now, dt)
	}
	s.stats.Jumps += f.jumps - jumps

	// Fills since the last step: the agents' inventories, hedging, the
	// order flow the passive agents saw, impact.
	passiveBought := 0.0
	hedge := 1 - math.Exp2(-dt/s.hedgeHL)
	for i := range s.makers {
		mk := &s.makers[i]
		inv := mk.inventory(x, s.idx, s.unitsPerLot)
		passiveBought += inv - mk.inv
		mk.inv = inv
		mk.hedged += hedge * (inv - mk.hedged)
	}
	b := &s.block
	total, _ := x.Holdings(b.agent, s.idx)
	inv := float64(total-b.base0) / s.unitsPerLot
	passiveBought += inv - b.inv
	b.inv = inv
	s.observeFlow(passiveBought, dt)
	agentsBought := passiveBought
	for i, a := range [2]orders.Owner{s.noiseAgent, s.momentumAgent} {
		total, _ := x.Holdings(a, s.idx)
		inv := float64(total-s.takerBase0[i]) / s.unitsPerLot
		agentsBought += inv - s.takerInv[i]
		s.takerInv[i] = inv
	}
	if agentsBought != 0 { // users sold: the price goes down
		units := agentsBought / s.env.unitLots
		f.shift(-math.Copysign(s.impact*math.Sqrt(math.Abs(units)), units))
	}
	f.observe(prevLog, dt)
	s.updateEnv()
	s.guardBand(x)
	s.pullBlocks(x)

	r := f.vol.ratio()
	s.noise.setRate(now, takerRate(s.p.NoiseRate, s.rate, r, s.p.RateVolExp)/1e9)
	s.momentum.setRate(now, takerRate(s.p.MomentumRate, s.rate, r, s.p.RateVolExp)/1e9)

	s.requote(x, s.env.fair < prevCentre, false)
	s.reschedule()
}

// observeFlow updates the makers' estimate of the order-flow imbalance
// from what the passive agents (makers and blocks) bought in the last dt
// seconds: what they sold, takers bought.
func (s *instSim) observeFlow(passiveBought, dt float64) {
	if dt <= 0 {
		return
	}
	w := math.Exp2(-dt / s.p.FlowHalfLife)
	s.buyFlow = w*s.buyFlow + (1-w)*max(-passiveBought, 0)/dt
	s.sellFlow = w*s.sellFlow + (1-w)*max(passiveBought, 0)/dt
}

// guardBand keeps the centre the agents quote and trade around inside the
// venue's price band (band_pct around the last trade), far enough for the
// makers' ladders to fit but leaving at least half the band free. The
// fair value itself is left alone: when it runs ahead of the band (a jump
// larger than the band), trades at the band's edge move the band, and the
// market walks to the fair value over a few trades, as a limit move does.
func (s *instSim) guardBand(x *market.Exchange) {
	lo, hi := x.Band(s.idx)
	margin := min(s.width+2, float64(hi-lo)/4)
	flo, fhi := float64(lo)+margin, float64(hi)-margin
	switch F := s.env.fair; {
	case F < flo:
		s.env.fair = flo
		s.stats.BandGuards++
	case F > fhi:
		s.env.fair = fhi
		s.stats.BandGuards++
	}
}

// requote moves every maker's ladder to its target: all makers' bids
// first when the fair value fell (they move away from the asks), asks
// first when it rose, so that no maker's new quote meets another's old
// one.
func (s *instSim) requote(x *market.Exchange, down, strict bool) {
	lo, hi := x.Band(s.idx)
	s.width = 0
	for i := range s.makers {
		mk := &s.makers[i]
		s.buf = mk.sync(x, s.in, s.buf, &s.stats)
		mk.target(&s.env, false)
		s.width = max(s.width, mk.width)
	}
	first := askSide
	if down {
		first = bidSide
	}
	for _, side := range [2]int{first, 1 - first} {
		for i := range s.makers {
			s.makers[i].apply(x, s.idx, side, lo, hi, s.env.maxLots, strict, &s.stats)
		}
	}
}

// refreshMaker gives maker i new sizes and requotes it exactly.
func (s *instSim) refreshMaker(x *market.Exchange, i int, from int64) {
	mk := &s.makers[i]
	s.redraw(mk)
	s.buf = mk.sync(x, s.in, s.buf, &s.stats)
	mk.target(&s.env, true)
	lo, hi := x.Band(s.idx)
	mk.apply(x, s.idx, askSide, lo, hi, s.env.maxLots, true, &s.stats)
	mk.apply(x, s.idx, bidSide, lo, hi, s.env.maxLots, true, &s.stats)
	mk.refresh = from + s.expGap(mk.p.Refresh)
}

// reviseMaker revises the size of one of maker i's orders: a side at
// random, a level nearer the touch more often (exponential with mean a
// quarter of the ladder).
func (s *instSim) reviseMaker(x *market.Exchange, i int, from int64) {
	mk := &s.makers[i]
	side := int(s.rngA.Uint64() & 1)
	k := min(int(s.rngA.ExpFloat64()*float64(mk.p.Levels)/4), mk.p.Levels-1)
	s.buf = mk.sync(x, s.in, s.buf, &s.stats)
	lo, hi := x.Band(s.idx)
	mk.reviseOne(x, &s.env, side, k, lo, hi, s.rngA, &s.stats)
	mk.revise = s.reviseGap(mk, from)
}
