package sim

import (
	"math"
	"strconv"

	"github.com/tickcast/tickcast/market"
)

// Market is the simulated market: every instrument's fair value and
// agents, run by the venue as its Actor. A Market serves one venue at a
// time; Start resets it.
type Market struct {
	cfg      Config
	step     int64 // ns between fair-value steps
	insts    []*instSim
	nextStep int64
	lastStep int64
	errs     []error
}

var _ market.Actor = (*Market)(nil)

// New returns a simulated market for cfg (zero fields take their
// defaults). Give it to the venue in market.Config.Actors.
func New(cfg Config) (*Market, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	return &Market{cfg: cfg, step: cfg.stepNS()}, nil
}

// agentWorth is what each agent holds of every asset, in quote-currency
// units (for a base asset, at its instrument's reference price).
const agentWorth = 1e9

// maxAgentUnits caps an agent's balance in the venue's integer units, far
// from int64 overflow whatever an asset's decimals.
const maxAgentUnits = 1e17

// Start creates the agents of every instrument and returns the time of
// the first fair-value step: now. An instrument whose Sim parameters do
// not decode is simulated with its defaults, and the error is logged and
// kept for Err.
func (m *Market) Start(x *market.Exchange) int64 {
	now := x.Now()
	m.insts, m.errs = nil, nil
	deposit := agentDeposit(x)
	for _, in := range x.Instruments() {
		p, err := ParamsFor(in)
		if err != nil {
			m.cfg.Logger.Error("sim: parameters rejected, using defaults", "symbol", in.Symbol, "err", err)
			m.errs = append(m.errs, err)
			p = DefaultParams(in)
		}
		s := newInstSim(in, p, &m.cfg, now)
		if err := s.begin(x, deposit, now); err != nil {
			m.cfg.Logger.Error("sim: cannot create agents", "symbol", in.Symbol, "err", err)
			m.errs = append(m.errs, err)
			continue
		}
		m.insts = append(m.insts, s)
	}
	m.nextStep, m.lastStep = now, now
	return now
}

// agentDeposit is every agent's starting balance: agentWorth of each quote
// currency and agentWorth's worth of each base asset at its reference
// price.
func agentDeposit(x *market.Exchange) map[string]string {
	amount := map[string]float64{}
	var names []string
	add := func(asset string, v float64) {
		if _, ok := amount[asset]; !ok {
			names = append(names, asset)
		}
		limit := maxAgentUnits / math.Pow10(int(x.AssetDecimals(asset)))
		amount[asset] = max(amount[asset], min(math.Floor(v), limit))
	}
	for _, in := range x.Instruments() {
		ps := in.PriceScale()
		ref := float64(in.RefTicks()) * float64(ps.Unit) * math.Pow10(-int(ps.Decimals))
		add(in.Quote, agentWorth)
		add(in.Base, agentWorth/ref)
	}
	deposit := make(map[string]string, len(names))
	for _, a := range names {
		deposit[a] = strconv.FormatFloat(amount[a], 'f', 0, 64)
	}
	return deposit
}

// Wake runs every step and timer due by now, in time order (a step before
// the timers due at the same time, then instruments in order), and returns
// the time of the next one.
func (m *Market) Wake(x *market.Exchange, now int64) int64 {
	for {
		if m.nextStep <= now {
			m.stepAll(x, now)
			continue
		}
		best, bi := int64(math.MaxInt64), -1
		for i, s := range m.insts {
			if s.nextAt < best {
				best, bi = s.nextAt, i
			}
		}
		if best > now {
			return min(best, m.nextStep)
		}
		m.insts[bi].fire(x, now)
	}
}

// stepAll advances every instrument's fair value to now and requotes.
func (m *Market) stepAll(x *market.Exchange, now int64) {
	dt := float64(now-m.lastStep) / 1e9
	for _, s := range m.insts {
		s.step(x, now, dt)
	}
	m.lastStep = now
	m.nextStep += m.step
	if m.nextStep <= now {
		m.nextStep = now + m.step
	}
}

// Stats returns the counters of every simulated instrument, in the
// venue's order. Call it on the sequencer (from an Actor) or while the
// venue is not running, e.g. after Simulate returns.
func (m *Market) Stats() []Stats {
	out := make([]Stats, len(m.insts))
	for i, s := range m.insts {
		out[i] = s.stats
	}
	return out
}

// Err returns the errors of the last Start: instruments whose parameters
// were rejected (simulated with defaults) or whose agents could not be
// created (not simulated). Same calling rule as Stats.
func (m *Market) Err() []error { return m.errs }
