package sim

import (
	"math"
	"testing"
	"time"

	"github.com/tickcast/tickcast/market"
)

var testStart = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

// counter is a Publisher that counts events and remembers, per symbol,
// the longest gap between trades.
type counter struct {
	events  int
	byKind  [16]int
	syms    []string
	lastTS  []int64
	maxGap  []int64
	trades  []int
	onEvent func(e *market.Event)
}

func (c *counter) sym(s string) int {
	for i, x := range c.syms {
		if x == s {
			return i
		}
	}
	c.syms = append(c.syms, s)
	c.lastTS = append(c.lastTS, 0)
	c.maxGap = append(c.maxGap, 0)
	c.trades = append(c.trades, 0)
	return len(c.syms) - 1
}

func (c *counter) Publish(batch []*market.Event) {
	c.events += len(batch)
	for _, e := range batch {
		c.byKind[e.Kind]++
		if e.Kind == market.KindTrade {
			i := c.sym(e.Symbol)
			if c.lastTS[i] != 0 {
				c.maxGap[i] = max(c.maxGap[i], e.TS-c.lastTS[i])
			}
			c.lastTS[i] = e.TS
			c.trades[i]++
		}
		if c.onEvent != nil {
			c.onEvent(e)
		}
	}
}

// probe wraps a Market and calls sample every `every` ns of simulated time,
// on the sequencer, after the market's own wake at that time.
type probe struct {
	m        *Market
	next     int64
	every    int64
	sampleAt int64
	sample   func(x *market.Exchange, now int64)
}

func (p *probe) Start(x *market.Exchange) int64 {
	p.next = p.m.Start(x)
	p.sampleAt = x.Now() + p.every
	return min(p.next, p.sampleAt)
}

func (p *probe) Wake(x *market.Exchange, now int64) int64 {
	if now >= p.next {
		p.next = p.m.Wake(x, now)
	}
	for p.sampleAt <= now {
		p.sample(x, p.sampleAt)
		p.sampleAt += p.every
	}
	return min(p.next, p.sampleAt)
}

// run simulates d on insts with actor and publisher pub.
func run(t testing.TB, insts []market.Instrument, actor market.Actor, pub market.Publisher, d time.Duration) {
	t.Helper()
	runChannels(t, insts, actor, pub, d, nil)
}

// runChannels is run with a venue that builds only the events of channels
// (nil: all).
func runChannels(t testing.TB, insts []market.Instrument, actor market.Actor, pub market.Publisher, d time.Duration, channels []string) {
	t.Helper()
	clock := market.NewManualClock(testStart)
	v, err := market.New(market.Config{
		Instruments: insts, Publisher: pub, Clock: clock, Seed: 7, Epoch: "simtest",
		TokenKey: []byte("k"), Actors: []market.Actor{actor}, Channels: channels,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Simulate(testStart.Add(d).UnixNano()); err != nil {
		t.Fatal(err)
	}
}

func newMarket(t testing.TB, cfg Config) *Market {
	t.Helper()
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// only returns the default instrument named sym.
func only(sym string) []market.Instrument {
	for _, in := range market.DefaultInstruments() {
		if in.Symbol == sym {
			return []market.Instrument{in}
		}
	}
	panic(sym)
}

func logReturns(px []float64) []float64 {
	r := make([]float64, 0, len(px))
	for i := 1; i < len(px); i++ {
		r = append(r, math.Log(px[i]/px[i-1]))
	}
	return r
}
