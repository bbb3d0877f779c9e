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
	rngP *rand.Rand // the price process
	rngA *rand.Rand // the agents
	env  quoteEnv

	makers        []maker
	noiseAgent    orders.Owner
	momentumAgent orders.Owner
	takerInv      [2]float64 // the noise and momentum agents' inventories, lots
	takerBase0    [2]int64
	noise         poissonClock
	momentum      poissonClock
	idleGap       int64 // ns
	idleAt        int64 // when the idle taker comes unless another does first

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
		rngP:    rand.New(rand.NewPCG(cfg.Seed, streamSeed(in.Symbol, 1))),
		rngA:    rand.New(rand.NewPCG(cfg.Seed, streamSeed(in.Symbol, 2))),
		idleGap: max(int64(p.MaxIdle*1e9/cfg.Rate), 1),
		hedgeHL: p.HedgeHalfLife,
		stats:   Stats{Symbol: in.Symbol},
	}
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
		s.redraw(mk)
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
	return nil
}

// expGap draws an exponential gap of mean seconds/Rate, in ns.
func (s *instSim) expGap(seconds float64) int64 {
	return max(int64(s.rngA.ExpFloat64()*seconds*1e9/s.rate), 1)
}

// redraw gives a maker new level sizes.
func (s *instSim) redraw(mk *maker) {
	for k := range mk.jitter {
		mk.jitter[k] = 0.6 + 0.8*s.rngA.Float64()
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

	// Fills since the last step: the agents' inventories, hedging, impact.
	agentsBought := 0.0
	hedge := 1 - math.Exp2(-dt/s.hedgeHL)
	for i := range s.makers {
		mk := &s.makers[i]
		inv := mk.inventory(x, s.in.Base, s.unitsPerLot)
		agentsBought += inv - mk.inv
		mk.inv = inv
		mk.hedged += hedge * (inv - mk.hedged)
	}
	for i, a := range [2]orders.Owner{s.noiseAgent, s.momentumAgent} {
		total, _ := x.Balance(a, s.in.Base)
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

	r := f.vol.ratio()
	s.noise.setRate(now, takerRate(s.p.NoiseRate, s.rate, r, s.p.RateVolExp)/1e9)
	s.momentum.setRate(now, takerRate(s.p.MomentumRate, s.rate, r, s.p.RateVolExp)/1e9)

	s.requote(x, s.env.fair < prevCentre, false)
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
		mk.target(&s.env)
		s.width = max(s.width, mk.width)
	}
	first := askSide
	if down {
		first = bidSide
	}
	for _, side := range [2]int{first, 1 - first} {
		for i := range s.makers {
			s.makers[i].apply(x, s.idx, side, lo, hi, strict, &s.stats)
		}
	}
}

// refreshMaker gives maker i new sizes and requotes it exactly.
func (s *instSim) refreshMaker(x *market.Exchange, i int, from int64) {
	mk := &s.makers[i]
	s.redraw(mk)
	s.buf = mk.sync(x, s.in, s.buf, &s.stats)
	mk.target(&s.env)
	lo, hi := x.Band(s.idx)
	mk.apply(x, s.idx, askSide, lo, hi, true, &s.stats)
	mk.apply(x, s.idx, bidSide, lo, hi, true, &s.stats)
	mk.refresh = from + s.expGap(mk.p.Refresh)
}

// Timer kinds of an instrument, as returned by due.
const (
	timerNoise = iota
	timerMomentum
	timerIdle
	timerMaker // + maker index
)

// due returns the instrument's earliest timer and which one it is.
func (s *instSim) due() (int64, int) {
	at, which := s.noise.at, timerNoise
	if s.momentum.at < at {
		at, which = s.momentum.at, timerMomentum
	}
	if s.idleAt < at {
		at, which = s.idleAt, timerIdle
	}
	for i := range s.makers {
		if r := s.makers[i].refresh; r < at {
			at, which = r, timerMaker+i
		}
	}
	return at, which
}

// fire runs timer which, due at at, when the venue's time is now.
func (s *instSim) fire(x *market.Exchange, which int, at, now int64) {
	from := at
	if now-at > maxLag {
		from = now // the venue stalled: do not replay the backlog
	}
	switch which {
	case timerNoise:
		s.take(x, takeNoise)
		s.noise.fired(s.rngA, from)
		s.idleAt = now + s.idleGap
	case timerMomentum:
		s.take(x, takeMomentum)
		s.momentum.fired(s.rngA, from)
		s.idleAt = now + s.idleGap
	case timerIdle:
		s.take(x, takeIdle)
		s.idleAt = now + s.idleGap
	default:
		s.refreshMaker(x, which-timerMaker, from)
	}
}

// maxLag is how late a timer may fire before its successor is counted
// from the venue's time instead of its own (live venues under load).
const maxLag = int64(1e9)
