package market

import (
	"math/bits"

	"github.com/tickcast/tickcast/orders"
)

// Stream indexes of a symbol's public channels.
const (
	streamTrades = iota
	streamBook
	streamQuote
	streamTicker
	streamCandles1s
	streamCandles1m
	streamCount
)

// bookState is everything the venue keeps per instrument: the engine's
// book and the market data derived from its events.
type bookState struct {
	v       *Venue
	inst    *Instrument
	book    *orders.Book
	seq     [streamCount]uint64 // last seq published per stream
	changes []levelChange       // L2 changes since the last flush, in order (when deltas are built)
	changed bool                // the book changed since the last flush
	touched bool                // in v.touched
	traded  bool                // trades since the last flush
	quote   quoteState          // last published best bid and offer
	lastPx  int64               // last trade price in ticks; 0 before any
	tradeID uint64
	trades  ring[tradeRec]
	candles [2]candleSeries
	ticker  tickerState
	tkr     stamp  // the last ticker's
	delta   stamp  // the last book delta's
	lastTkr *Event // the last ticker, once built
	bandAt  int64  // the centre bandLo and bandHi were computed for; 0: none yet
	bandLo  int64
	bandHi  int64
}

// stamp is what numbers a public event: its seq, the global offset, its
// time.
type stamp struct {
	seq, off uint64
	ts       int64
}

// tradeRec is a trade as REST's recent trades need it; its event is built
// when it is published, or when first asked for if trades were not built.
type tradeRec struct {
	id      uint64
	px, qty int64
	side    orders.Side
	st      stamp
	ev      *Event
}

type levelChange struct {
	side  orders.Side
	price int64
	qty   int64
}

type quoteState struct {
	bid, ask orders.Level
	hasBid   bool
	hasAsk   bool
}

func newBookState(v *Venue, in *Instrument) *bookState {
	bs := &bookState{v: v, inst: in}
	bs.book = orders.NewBook(bs)
	bs.trades = newRing[tradeRec](v.cfg.TradeHistory)
	bs.candles[0] = newCandleSeries(1e9, KindCandle1s, streamCandles1s, v.cfg.CandleHistory)
	bs.candles[1] = newCandleSeries(60e9, KindCandle1m, streamCandles1m, v.cfg.CandleHistory)
	return bs
}

// band returns the lowest and highest price accepted now: band_pct around
// the last trade price, or around ref before the first trade.
// It is asked for every order and amend, and changes only with the last
// trade price: it is kept for the price it was computed for.
func (bs *bookState) band() (lo, hi int64) {
	c := bs.lastPx
	if c == 0 {
		c = bs.inst.refTick
	}
	if c != bs.bandAt {
		h, l := bits.Mul64(uint64(c), uint64(bs.inst.bandBP))
		d, _ := bits.Div64(h, l, 10000)
		bs.bandAt = c
		bs.bandLo = max(c-int64(d), 1)
		bs.bandHi = min(c+int64(d), orders.MaxPrice)
	}
	return bs.bandLo, bs.bandHi
}

func (bs *bookState) touch() {
	if !bs.touched {
		bs.touched = true
		bs.v.touched = append(bs.v.touched, bs)
	}
}

// levelChanged records that a level of the book changed: the changes
// themselves only when book deltas are built (the last change of a level
// wins when the delta is made).
func (bs *bookState) levelChanged(side orders.Side, price, qty int64) {
	bs.touch()
	bs.changed = true
	if bs.v.builds(KindBook) {
		bs.changes = append(bs.changes, levelChange{side, price, qty})
	}
}

// next numbers the next public event on stream s of this symbol and
// reports whether its kind is built; if so, the caller builds it with head.
// Either way the stream's seq and the global offset advance, so that what
// is built is the same whatever else is.
func (bs *bookState) next(k Kind, s int) bool {
	v := bs.v
	bs.seq[s]++
	v.off++
	return v.builds(k)
}

// head fills e, a zero Event, as the public event of kind k just numbered
// on stream s and appends it to the batch (field by field, as private).
func (bs *bookState) head(e *Event, k Kind, s int) *Event {
	v := bs.v
	e.Kind, e.Seq, e.Off, e.TS = k, bs.seq[s], v.off, v.now
	e.Symbol, e.Epoch = bs.inst.Symbol, v.epoch
	v.emit(e)
	return e
}

// stamp returns the numbers of the last public event on stream s.
func (bs *bookState) stamp(s int) stamp {
	return stamp{seq: bs.seq[s], off: bs.v.off, ts: bs.v.now}
}
