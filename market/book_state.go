package market

import (
	"cmp"
	"hash/crc32"
	"math/bits"
	"slices"

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
	changes []levelChange       // L2 changes since the last flush
	touched bool                // in v.touched
	traded  bool                // trades since the last flush
	quote   quoteState          // last published best bid and offer
	lastPx  int64               // last trade price in ticks; 0 before any
	tradeID uint64
	trades  ring[*Event]
	candles [2]candleSeries
	ticker  tickerState
	lastTkr *Event
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
	bs.trades = newRing[*Event](v.cfg.TradeHistory)
	bs.candles[0] = newCandleSeries(1e9, KindCandle1s, streamCandles1s, v.cfg.CandleHistory)
	bs.candles[1] = newCandleSeries(60e9, KindCandle1m, streamCandles1m, v.cfg.CandleHistory)
	return bs
}

// band returns the lowest and highest price accepted now: band_pct around
// the last trade price, or around ref before the first trade.
func (bs *bookState) band() (lo, hi int64) {
	c := bs.lastPx
	if c == 0 {
		c = bs.inst.refTick
	}
	h, l := bits.Mul64(uint64(c), uint64(bs.inst.bandBP))
	d, _ := bits.Div64(h, l, 10000)
	lo = max(c-int64(d), 1)
	hi = min(c+int64(d), orders.MaxPrice)
	return lo, hi
}

func (bs *bookState) touch() {
	if !bs.touched {
		bs.touched = true
		bs.v.touched = append(bs.v.touched, bs)
	}
}

func (bs *bookState) levelChanged(side orders.Side, price, qty int64) {
	bs.touch()
	for i := range bs.changes {
		if c := &bs.changes[i]; c.side == side && c.price == price {
			c.qty = qty
			return
		}
	}
	bs.changes = append(bs.changes, levelChange{side, price, qty})
}

// public appends a public event on stream s of this symbol.
func (bs *bookState) public(k Kind, s int) *Event {
	v := bs.v
	bs.seq[s]++
	v.off++
	e := &Event{Kind: k, Symbol: bs.inst.Symbol, Seq: bs.seq[s], Off: v.off, TS: v.now, Epoch: v.epoch}
	v.batch = append(v.batch, e)
	return e
}

// publishTrade publishes a trade and feeds candles and ticker; it returns
// the trade id.
func (bs *bookState) publishTrade(px, q int64, aggressor orders.Side) uint64 {
	bs.touch()
	bs.traded = true
	bs.lastPx = px
	bs.tradeID++
	in := bs.inst
	e := bs.public(KindTrade, streamTrades)
	e.Trade = &Trade{ID: bs.tradeID, Px: in.price.Format(px), Qty: in.qty.Format(q), Side: aggressor.String()}
	bs.trades.push(e)
	for i := range bs.candles {
		bs.candles[i].trade(bs, bs.v.now, px, q)
	}
	bs.ticker.trade(bs.v.now, px, q)
	return bs.tradeID
}

// flush publishes what the last command changed: the book delta with its
// checksum, the quote if the best levels moved, ticker and candles after
// trades.
func (bs *bookState) flush() {
	if len(bs.changes) > 0 {
		bs.publishDelta()
	}
	bs.publishQuote()
	if bs.traded {
		for i := range bs.candles {
			bs.candles[i].publish(bs)
		}
		bs.publishTicker()
		bs.traded = false
	}
	bs.touched = false
}

func (bs *bookState) publishDelta() {
	in := bs.inst
	slices.SortFunc(bs.changes, func(a, b levelChange) int {
		if a.side != b.side {
			return int(a.side) - int(b.side) // bids first
		}
		if a.side == orders.Buy {
			return cmp.Compare(b.price, a.price) // bids descending
		}
		return cmp.Compare(a.price, b.price) // asks ascending
	})
	d := &BookData{}
	for _, c := range bs.changes {
		l := PriceLevel{in.price.Format(c.price), in.qty.Format(c.qty)}
		if c.side == orders.Buy {
			d.Bids = append(d.Bids, l)
		} else {
			d.Asks = append(d.Asks, l)
		}
	}
	bs.changes = bs.changes[:0]
	d.Checksum = bs.checksum()
	if d.Bids == nil {
		d.Bids = []PriceLevel{}
	}
	if d.Asks == nil {
		d.Asks = []PriceLevel{}
	}
	bs.public(KindBook, streamBook).Book = d
}

// checksum computes PROTOCOL 4.4's CRC-32 of the book as it is now.
func (bs *bookState) checksum() uint32 {
	v := bs.v
	buf := v.scratch[:0]
	buf = bs.appendSide(buf, orders.Sell)
	buf = append(buf, '|')
	buf = bs.appendSide(buf, orders.Buy)
	v.scratch = buf
	return crc32.ChecksumIEEE(buf)
}

// ChecksumDepth is how many levels per side the book checksum covers.
const ChecksumDepth = 10

func (bs *bookState) appendSide(buf []byte, side orders.Side) []byte {
	in := bs.inst
	bs.v.levels = bs.book.Depth(side, ChecksumDepth, bs.v.levels[:0])
	for i, l := range bs.v.levels {
		if i > 0 {
			buf = append(buf, ';')
		}
		buf = in.price.Append(buf, l.Price)
		buf = append(buf, ':')
		buf = in.qty.Append(buf, l.Qty)
	}
	return buf
}

func (bs *bookState) publishQuote() {
	var q quoteState
	q.bid, q.hasBid = bs.book.Best(orders.Buy)
	q.ask, q.hasAsk = bs.book.Best(orders.Sell)
	q.bid.Count, q.ask.Count = 0, 0 // a new order behind the best changes nothing quoted
	if q == bs.quote {
		return
	}
	bs.quote = q
	bs.public(KindQuote, streamQuote).Quote = bs.quoteData()
}

func (bs *bookState) quoteData() *Quote {
	in, q := bs.inst, bs.quote
	d := &Quote{}
	if q.hasBid {
		d.Bid, d.BidQty = in.price.Format(q.bid.Price), in.qty.Format(q.bid.Qty)
	}
	if q.hasAsk {
		d.Ask, d.AskQty = in.price.Format(q.ask.Price), in.qty.Format(q.ask.Qty)
	}
	return d
}

func (bs *bookState) publishTicker() {
	e := bs.public(KindTicker, streamTicker)
	e.Ticker = bs.ticker.data(bs.inst, bs.v.now)
	bs.lastTkr = e
}

// snapshot returns the full book as a book_snapshot event: its seq is the
// last delta's, so deltas with seq+1 onwards apply on top of it.
func (bs *bookState) snapshot() *Event {
	in := bs.inst
	d := &BookData{Bids: []PriceLevel{}, Asks: []PriceLevel{}}
	for _, l := range bs.book.Depth(orders.Buy, 0, nil) {
		d.Bids = append(d.Bids, PriceLevel{in.price.Format(l.Price), in.qty.Format(l.Qty)})
	}
	for _, l := range bs.book.Depth(orders.Sell, 0, nil) {
		d.Asks = append(d.Asks, PriceLevel{in.price.Format(l.Price), in.qty.Format(l.Qty)})
	}
	d.Checksum = bs.checksum()
	return &Event{Kind: KindBookSnapshot, Symbol: in.Symbol, Seq: bs.seq[streamBook], Off: bs.v.off, TS: bs.v.now, Epoch: bs.v.epoch, Book: d}
}
