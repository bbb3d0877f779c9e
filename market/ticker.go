package market

import "math"

const (
	minuteNS      = int64(60e9)
	tickerMinutes = 24 * 60
)

// tickerState keeps 24 hours of one-minute buckets for the rolling ticker.
type tickerState struct {
	buckets [tickerMinutes]minuteBucket
	last    int64 // last trade price, ticks
	any     bool
	agg     tickerAgg // the window's aggregate as of aggMinute
	aggMin  int64
}

type minuteBucket struct {
	minute int64
	o      int64
	h, l   int64
	v      int64
	n      int
}

type tickerAgg struct {
	open, high, low int64
	vol             int64
	oldest          int64 // minute of the oldest bucket in the window
}

func (t *tickerState) trade(now, px, q int64) {
	m := now / minuteNS
	b := &t.buckets[m%tickerMinutes]
	if b.minute != m || b.n == 0 {
		*b = minuteBucket{minute: m, o: px, h: px, l: px}
	}
	b.h, b.l = max(b.h, px), min(b.l, px)
	b.v += q
	b.n++
	t.last, t.any = px, true
	if t.aggMin == m && t.agg.oldest > m-tickerMinutes {
		a := &t.agg
		if a.oldest == math.MaxInt64 {
			a.oldest, a.open = m, px
		}
		a.high, a.low = max(a.high, px), min(a.low, px)
		a.vol += q
		return
	}
	t.recompute(m)
}

// recompute aggregates the buckets of the 24 hours ending at minute m.
func (t *tickerState) recompute(m int64) {
	a := tickerAgg{high: math.MinInt64, low: math.MaxInt64, oldest: math.MaxInt64}
	for i := range t.buckets {
		b := &t.buckets[i]
		if b.n == 0 || b.minute <= m-tickerMinutes || b.minute > m {
			continue
		}
		if b.minute < a.oldest {
			a.oldest, a.open = b.minute, b.o
		}
		a.high, a.low = max(a.high, b.h), min(a.low, b.l)
		a.vol += b.v
	}
	t.agg, t.aggMin = a, m
}

// data returns the ticker as of now.
func (t *tickerState) data(in *Instrument, now int64) *Ticker {
	return t.fill(&Ticker{}, in, now)
}

// fill sets d to the ticker as of now.
func (t *tickerState) fill(d *Ticker, in *Instrument, now int64) *Ticker {
	ps := in.price
	if !t.any {
		r := ps.Dec(in.refTick)
		*d = Ticker{Last: r, Open: r, High: r, Low: r, Vol: in.qty.Dec(0), Change: MakeDec(0, 2)}
		return d
	}
	if m := now / minuteNS; m != t.aggMin {
		t.recompute(m)
	}
	a := t.agg
	if a.oldest == math.MaxInt64 { // no trade in 24 hours
		a = tickerAgg{open: t.last, high: t.last, low: t.last}
	}
	*d = Ticker{Last: ps.Dec(t.last), Open: ps.Dec(a.open), High: ps.Dec(a.high), Low: ps.Dec(a.low), Vol: in.qty.Dec(a.vol), Change: changePct(t.last, a.open)}
	return d
}

// changePct is (last-open)/open in percent with two decimals, rounded half
// away from zero.
func changePct(last, open int64) Dec {
	d := last - open
	var bp int64
	if d > -(1<<49) && d < 1<<49 {
		num := d * 10000
		bp = num / open
		if r := num % open; 2*abs(r) >= open {
			if d < 0 {
				bp--
			} else {
				bp++
			}
		}
	} else {
		bp = int64(math.Round(float64(d) * 10000 / float64(open)))
	}
	return MakeDec(bp, 2)
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
