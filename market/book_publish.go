package market

import (
	"cmp"
	"hash/crc32"
	"slices"

	"github.com/tickcast/tickcast/orders"
)

// publishTrade publishes a trade and feeds candles and ticker; it returns
// the trade id.
func (bs *bookState) publishTrade(px, q int64, aggressor orders.Side) uint64 {
	bs.touch()
	bs.traded = true
	bs.lastPx = px
	bs.tradeID++
	built := bs.next(KindTrade, streamTrades)
	r := tradeRec{id: bs.tradeID, px: px, qty: q, side: aggressor, st: bs.stamp(streamTrades)}
	if built {
		h := bs.v.slabs.trades.get()
		r.ev = bs.head(&h.e, KindTrade, streamTrades)
		r.ev.Trade = bs.tradeData(&r, &h.p)
	}
	bs.trades.push(r)
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
	if bs.changed {
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
	bs.changed = false
	built := bs.next(KindBook, streamBook)
	bs.delta = bs.stamp(streamBook)
	if !built {
		return
	}
	h := bs.v.slabs.books.get()
	e := bs.head(&h.e, KindBook, streamBook)
	in := bs.inst
	// Sorted stably, so that of several changes of one level the last
	// comes last and is the one kept.
	slices.SortStableFunc(bs.changes, func(a, b levelChange) int {
		if a.side != b.side {
			return int(a.side) - int(b.side) // bids first
		}
		if a.side == orders.Buy {
			return cmp.Compare(b.price, a.price) // bids descending
		}
		return cmp.Compare(a.price, b.price) // asks ascending
	})
	// Bids come first (sorted so): they take the front of h.levels, the
	// asks what follows, each slice's capacity cut to its length; levels
	// past the array spill to the heap.
	d := &h.p
	all := h.levels[:0]
	nb := 0
	for i, c := range bs.changes {
		if i+1 < len(bs.changes) && bs.changes[i+1].side == c.side && bs.changes[i+1].price == c.price {
			continue // changed again later in this flush
		}
		all = append(all, PriceLevel{in.price.Dec(c.price), in.qty.Dec(c.qty)})
		if c.side == orders.Buy {
			nb++
		}
	}
	bs.changes = bs.changes[:0]
	d.Bids, d.Asks = all[:nb:nb], all[nb:len(all):len(all)]
	d.Checksum = bs.checksum()
	e.Book = d
}

// checksum computes protocol.md 6.2's CRC-32 of the book as it is now.
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
	bs.emitQuote()
}

// emitQuote publishes the quote as it is in bs.quote, if quotes are built.
func (bs *bookState) emitQuote() {
	if !bs.next(KindQuote, streamQuote) {
		return
	}
	h := bs.v.slabs.quotes.get()
	e := bs.head(&h.e, KindQuote, streamQuote)
	in, q := bs.inst, bs.quote
	if q.hasBid {
		h.p.Bid, h.p.BidQty = in.price.Dec(q.bid.Price), in.qty.Dec(q.bid.Qty)
	}
	if q.hasAsk {
		h.p.Ask, h.p.AskQty = in.price.Dec(q.ask.Price), in.qty.Dec(q.ask.Qty)
	}
	e.Quote = &h.p
}

func (bs *bookState) publishTicker() {
	built := bs.next(KindTicker, streamTicker)
	bs.tkr, bs.lastTkr = bs.stamp(streamTicker), nil
	if built {
		h := bs.v.slabs.tickers.get()
		bs.lastTkr = bs.head(&h.e, KindTicker, streamTicker)
		bs.lastTkr.Ticker = bs.ticker.fill(&h.p, bs.inst, bs.v.now)
	}
}

// snapshot returns the full book as a book_snapshot event: its seq is the
// last delta's, so deltas with seq+1 onwards apply on top of it.
func (bs *bookState) snapshot() *Event {
	in := bs.inst
	d := &BookData{Bids: []PriceLevel{}, Asks: []PriceLevel{}}
	for _, l := range bs.book.Depth(orders.Buy, 0, nil) {
		d.Bids = append(d.Bids, PriceLevel{in.price.Dec(l.Price), in.qty.Dec(l.Qty)})
	}
	for _, l := range bs.book.Depth(orders.Sell, 0, nil) {
		d.Asks = append(d.Asks, PriceLevel{in.price.Dec(l.Price), in.qty.Dec(l.Qty)})
	}
	d.Checksum = bs.checksum()
	return &Event{Kind: KindBookSnapshot, Symbol: in.Symbol, Seq: bs.seq[streamBook], Off: bs.v.off, TS: bs.v.now, Epoch: bs.v.epoch, Book: d}
}

// tradeData fills d, a zero Trade, from a trade record.
func (bs *bookState) tradeData(r *tradeRec, d *Trade) *Trade {
	in := bs.inst
	// Field by field: d is zero (fresh from a slab or new), and a
	// whole-struct assignment goes through the bulk write barrier.
	d.ID, d.Px, d.Qty, d.Side = r.id, in.price.Dec(r.px), in.qty.Dec(r.qty), r.side.String()
	return d
}

// tradeEvent returns a trade record's event, building it (once) if trades
// were not built when it happened.
func (bs *bookState) tradeEvent(r *tradeRec) *Event {
	if r.ev == nil {
		h := &tradeEvent{e: Event{Kind: KindTrade, Symbol: bs.inst.Symbol, Seq: r.st.seq, Off: r.st.off, TS: r.st.ts, Epoch: bs.v.epoch}}
		h.e.Trade = bs.tradeData(r, &h.p)
		r.ev = &h.e
	}
	return r.ev
}

// recentTrades returns up to n of the newest trade events, oldest first.
func (bs *bookState) recentTrades(n int) []*Event {
	var out []*Event
	bs.trades.each(n, func(r *tradeRec) { out = append(out, bs.tradeEvent(r)) })
	return out
}

// tickerEvent returns the last ticker event, building it (once) if
// tickers were not built when it was published: nothing traded since, so
// the rolling window as of its time is what it was then. Before any
// ticker it returns one built from the reference price, with seq 0.
func (bs *bookState) tickerEvent() *Event {
	v := bs.v
	if bs.tkr.seq == 0 {
		return &Event{Kind: KindTicker, Symbol: bs.inst.Symbol, TS: v.now, Epoch: v.epoch, Ticker: bs.ticker.data(bs.inst, v.now)}
	}
	if bs.lastTkr == nil {
		t := bs.tkr
		bs.lastTkr = &Event{Kind: KindTicker, Symbol: bs.inst.Symbol, Seq: t.seq, Off: t.off, TS: t.ts, Epoch: v.epoch, Ticker: bs.ticker.data(bs.inst, t.ts)}
	}
	return bs.lastTkr
}
