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
	history ring[closedCandle]
}

// closedCandle is a candle of the history, and its wire form once built
// (when it was published, or when first asked for if candles were not
// built).
type closedCandle struct {
	c    candle
	data *Candle
}

func newCandleSeries(width int64, k Kind, stream, keep int) candleSeries {
	return candleSeries{width: width, kind: k, stream: stream, history: newRing[closedCandle](keep)}
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
	// The closed candle does not keep its event's payload: that would pin
	// the event's slab for as long as the history keeps it (event_alloc.go).
	cs.emit(bs, true)
	cs.history.push(closedCandle{c: cs.cur})
	cs.open, cs.dirty = false, false
}

func (cs *candleSeries) publish(bs *bookState) {
	if cs.dirty && cs.open {
		cs.emit(bs, false)
		cs.dirty = false
	}
}

// emit publishes the current candle; it returns nil when candles of this
// interval are not built.
func (cs *candleSeries) emit(bs *bookState, closed bool) *Event {
	return cs.emitCandle(bs, &cs.cur, closed)
}

// emitCandle publishes c on the series' stream, if its kind is built.
func (cs *candleSeries) emitCandle(bs *bookState, c *candle, closed bool) *Event {
	if !bs.next(cs.kind, cs.stream) {
		return nil
	}
	h := bs.v.slabs.candles.get()
	e := bs.head(&h.e, cs.kind, cs.stream)
	e.Candle = fillCandle(&h.p, bs.inst, c, closed)
	return e
}

func candleData(in *Instrument, c *candle, closed bool) *Candle {
	return fillCandle(&Candle{}, in, c, closed)
}

// fillCandle sets d to c.
func fillCandle(d *Candle, in *Instrument, c *candle, closed bool) *Candle {
	ps, qs := in.price, in.qty
	*d = Candle{Start: c.start, O: ps.Dec(c.o), H: ps.Dec(c.h), L: ps.Dec(c.l), C: ps.Dec(c.c), V: qs.Dec(c.v), N: c.n, Closed: closed}
	return d
}

// recent returns up to n candles, oldest first, the open one last.
func (cs *candleSeries) recent(in *Instrument, n int) []*Candle {
	var out []*Candle
	keep := n
	if cs.open {
		keep--
	}
	cs.history.each(keep, func(h *closedCandle) {
		if h.data == nil {
			h.data = candleData(in, &h.c, true)
		}
		out = append(out, h.data)
	})
	if cs.open && n > 0 {
		out = append(out, candleData(in, &cs.cur, false))
	}
	return out
}

// publishLatest publishes the series' current candle again: the open one,
// or else the last closed one (nothing, before the first trade).
func (cs *candleSeries) publishLatest(bs *bookState) {
	if cs.open {
		cs.emit(bs, false)
		cs.dirty = false
		return
	}
	var last *closedCandle
	cs.history.each(1, func(h *closedCandle) { last = h })
	if last == nil {
		return
	}
	cs.emitCandle(bs, &last.c, true)
}
