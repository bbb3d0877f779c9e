package market

// candle is an OHLCV bar in ticks and lots.
type candle struct {
	start      int64
	o, h, l, c int64
	v          int64
	n          int
}

// candleSeries builds the candles of one symbol and interval. A candle is
// published (closed:false) after each flush with trades in it, and once more
// with closed:true when its interval ends: at the first command or timer at
// or after its end. Intervals without trades have no candle.
type candleSeries struct {
	width   int64 // ns
	kind    Kind
	stream  int
	cur     candle
	open    bool
	dirty   bool
	history ring[*Event]
}

func newCandleSeries(width int64, k Kind, stream, keep int) candleSeries {
	return candleSeries{width: width, kind: k, stream: stream, history: newRing[*Event](keep)}
}

func (cs *candleSeries) trade(bs *bookState, now, px, q int64) {
	start := now - now%cs.width
	if cs.open && start != cs.cur.start {
		cs.close(bs)
	}
	if !cs.open {
		cs.cur = candle{start: start, o: px, h: px, l: px}
		cs.open = true
	}
	c := &cs.cur
	c.h, c.l, c.c = max(c.h, px), min(c.l, px), px
	c.v += q
	c.n++
	cs.dirty = true
}

// end is when the open candle's interval ends.
func (cs *candleSeries) end() int64 { return cs.cur.start + cs.width }

// closeDue closes the open candle if its interval has ended by now.
func (cs *candleSeries) closeDue(bs *bookState, now int64) {
	if cs.open && now >= cs.end() {
		cs.close(bs)
	}
}

func (cs *candleSeries) close(bs *bookState) {
	e := cs.emit(bs, true)
	cs.history.push(e)
	cs.open, cs.dirty = false, false
}

func (cs *candleSeries) publish(bs *bookState) {
	if cs.dirty && cs.open {
		cs.emit(bs, false)
		cs.dirty = false
	}
}

func (cs *candleSeries) emit(bs *bookState, closed bool) *Event {
	e := bs.public(cs.kind, cs.stream)
	e.Candle = cs.data(bs.inst, closed)
	return e
}

func (cs *candleSeries) data(in *Instrument, closed bool) *Candle {
	c := &cs.cur
	ps, qs := in.price, in.qty
	return &Candle{Start: c.start, O: ps.Format(c.o), H: ps.Format(c.h), L: ps.Format(c.l), C: ps.Format(c.c), V: qs.Format(c.v), N: c.n, Closed: closed}
}

// recent returns up to n candles, oldest first, the open one last.
func (cs *candleSeries) recent(in *Instrument, n int) []*Candle {
	var out []*Candle
	keep := n
	if cs.open {
		keep--
	}
	for _, e := range cs.history.last(keep) {
		out = append(out, e.Candle)
	}
	if cs.open && n > 0 {
		out = append(out, cs.data(in, false))
	}
	return out
}
