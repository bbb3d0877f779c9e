package orders

import (
	"math/rand/v2"
	"testing"
)

// The benchmarks replay operation streams generated in advance against a
// book of about 10,000 resting orders on about 1,000 price levels, so that
// ns/op measures the book alone. When a stream runs out, the book is rebuilt
// and the stream replayed with the timer stopped.

const (
	benchOrders = 10_000
	benchLevels = 500 // per side
	benchMid    = 100_000
)

type nopSink struct{ n int }

func (s *nopSink) Event(Event) { s.n++ }

// benchBook builds the standard starting book: benchLevels levels a side,
// the touch one tick either side of benchMid, ten orders per level from
// four owners. It returns the next free order id.
func benchBook(sink Sink) (*Book, OrderID) {
	b := NewBook(sink)
	id := OrderID(1)
	for lvl := range int64(benchLevels) {
		for k := range benchOrders / (2 * benchLevels) {
			b.Submit(Request{ID: id, Owner: Owner(k%4 + 1), Side: Buy, Type: Limit, TIF: GTC, Price: benchMid - 1 - lvl, Qty: 1 + int64(k)})
			id++
			b.Submit(Request{ID: id, Owner: Owner(k%4 + 1), Side: Sell, Type: Limit, TIF: GTC, Price: benchMid + 1 + lvl, Qty: 1 + int64(k)})
			id++
		}
	}
	return b, id
}

// mixedStream generates n operations of the mix a busy venue sees: about
// 50% new limit orders near the touch, 35% cancels of resting orders, 10%
// aggressive orders matching 1–3 levels, 5% amends. It drives a book of its
// own while generating, so every cancel and amend names a live order and
// every aggressive order is sized against the levels it will meet. Sizes
// adapt to hold the book near benchOrders resting orders.
func mixedStream(n int, seed uint64) []op {
	b, next := benchBook(&nopSink{})
	rng := rand.New(rand.NewPCG(seed, 1))
	live := make([]OrderID, 0, 2*benchOrders)
	for id := OrderID(1); id < next; id++ {
		live = append(live, id)
	}
	pickLive := func() (OrderID, Order, bool) {
		for len(live) > 0 {
			i := rng.IntN(len(live))
			id := live[i]
			if o, ok := b.Order(id); ok {
				return id, o, true
			}
			live[i] = live[len(live)-1] // filled or gone: drop it
			live = live[:len(live)-1]
		}
		return 0, Order{}, false
	}
	ops := make([]op, 0, n)
	var depth []Level
	for len(ops) < n {
		if len(ops)%1000 == 0 {
			mixedShape.orders += float64(b.Len())
			mixedShape.levels += float64(b.Levels(Buy) + b.Levels(Sell))
			mixedShape.samples++
		}
		side := Side(1 + rng.IntN(2))
		owner := Owner(1 + rng.IntN(8))
		var o op
		switch x := rng.IntN(100); {
		case x < 50: // passive limit: mostly a few ticks behind the touch, a tail deep in the book
			best, ok := b.Best(side.Opposite())
			ref := int64(benchMid)
			if ok {
				ref = best.Price
			}
			dist := 1 + int64(rng.ExpFloat64()*10)
			if rng.IntN(4) == 0 {
				dist = 1 + rng.Int64N(benchLevels)
			}
			px := ref - dist
			if side == Sell {
				px = ref + dist
			}
			o = op{kind: opSubmit, req: Request{ID: next, Owner: owner, Side: side, Type: Limit, TIF: GTC, Price: px, Qty: 1 + rng.Int64N(10)}}
			live = append(live, next)
			next++
		case x < 85:
			id, ord, ok := pickLive()
			if !ok {
				continue
			}
			o = op{kind: opCancel, owner: ord.Owner, id: id}
		case x < 95: // aggressive: all of k-1 levels and part of the k-th
			depth = b.Depth(side.Opposite(), 3, depth[:0])
			if len(depth) == 0 {
				continue
			}
			k := 1 + rng.IntN(len(depth))
			if b.Len() < benchOrders {
				k = 1
			}
			var qty int64
			for _, l := range depth[:k-1] {
				qty += l.Qty
			}
			last := depth[k-1]
			qty += 1 + rng.Int64N(last.Qty)
			if b.Len() < benchOrders {
				qty = 1 + rng.Int64N(min(last.Qty, 5))
			}
			o = op{kind: opSubmit, req: Request{ID: next, Owner: owner, Side: side, Type: Limit, TIF: IOC, Price: last.Price, Qty: qty}}
			next++
		default:
			id, ord, ok := pickLive()
			if !ok {
				continue
			}
			px, qty := ord.Price, ord.Qty
			if rng.IntN(2) == 0 && ord.Remaining() > 1 {
				qty-- // down: keeps priority
			} else if ord.Side == Buy {
				px--
			} else {
				px++
			}
			o = op{kind: opAmend, owner: ord.Owner, id: id, price: px, qty: qty}
		}
		o.applyBook(b)
		ops = append(ops, o)
	}
	return ops
}

// replay runs b.N operations from stream against the standard book. When
// the stream runs out, reset (with the timer stopped) must bring the book
// back to the state the stream starts from.
func replay(b *testing.B, stream []op, reset func(*Book) *Book) {
	book, _ := benchBook(&nopSink{})
	b.ReportAllocs()
	b.ResetTimer()
	k := 0
	for range b.N {
		if k == len(stream) {
			b.StopTimer()
			book = reset(book)
			k = 0
			b.StartTimer()
		}
		stream[k].applyBook(book)
		k++
	}
}

// fresh resets by building a new standard book.
func fresh(*Book) *Book {
	b, _ := benchBook(&nopSink{})
	return b
}

var (
	mixed      []op
	mixedShape struct{ orders, levels, samples float64 }
)

// BenchmarkBookMixed measures one operation of the mixed stream (see
// mixedStream) against a book holding about 10,000 orders on about 1,000
// levels.
func BenchmarkBookMixed(b *testing.B) {
	if mixed == nil {
		mixed = mixedStream(1_000_000, 42)
	}
	replay(b, mixed, fresh)
	b.ReportMetric(mixedShape.orders/mixedShape.samples, "resting-orders")
	b.ReportMetric(mixedShape.levels/mixedShape.samples, "levels")
}

// BenchmarkBookAdd measures adding a passive limit order near the touch.
func BenchmarkBookAdd(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 7))
	stream := make([]op, benchOrders)
	for i := range stream {
		side := Side(1 + rng.IntN(2))
		dist := 1 + int64(rng.ExpFloat64()*40)
		px := int64(benchMid) - dist
		if side == Sell {
			px = benchMid + dist
		}
		stream[i] = sub(Request{ID: OrderID(1_000_000 + i), Owner: Owner(9 + rng.IntN(8)), Side: side, Type: Limit, TIF: GTC, Price: px, Qty: 1 + rng.Int64N(10)})
	}
	// Reset by canceling what the stream added: the book's slabs, index and
	// ladders keep their capacity, as they do in a venue's steady state.
	replay(b, stream, func(book *Book) *Book {
		for _, o := range stream {
			book.Cancel(o.req.Owner, o.req.ID, DoneCanceled)
		}
		return book
	})
}

// BenchmarkBookCancel measures canceling a random resting order.
func BenchmarkBookCancel(b *testing.B) {
	book, next := benchBook(&nopSink{})
	rng := rand.New(rand.NewPCG(9, 9))
	ids := rng.Perm(int(next - 1))
	stream := make([]op, len(ids))
	for i, x := range ids {
		o, _ := book.Order(OrderID(x + 1))
		stream[i] = cxl(o.Owner, o.ID)
	}
	replay(b, stream, fresh)
}

// BenchmarkBookMatch measures an aggressive order that trades through one
// to three levels (ten orders a level) and fills.
func BenchmarkBookMatch(b *testing.B) {
	rng := rand.New(rand.NewPCG(11, 11))
	// Each side holds sum(1..10) = 55 lots a level; 120 consecutive takers
	// a side of 1–2 levels each stay inside the 500 levels of a fresh book.
	var stream []op
	id := OrderID(10_000_000)
	for range 200 {
		for _, side := range []Side{Buy, Sell} {
			qty := 55*int64(rng.IntN(2)) + 1 + rng.Int64N(55)
			limit := int64(benchMid + benchLevels)
			if side == Sell {
				limit = benchMid - benchLevels
			}
			stream = append(stream, sub(Request{ID: id, Owner: 9, Side: side, Type: Limit, TIF: IOC, Price: limit, Qty: qty}))
			id++
		}
	}
	replay(b, stream, fresh)
}

// BenchmarkDeepBook adds levels one tick further from the touch each time
// (the order an attacker resting 1-lot bids at distinct ticks would
// choose): ns/op is the cost of one new level in a book that grows to
// b.N levels. With one sorted slice this grew linearly with the depth
// (33 s for 250,000 levels); chunked it stays flat.
func BenchmarkDeepBook(b *testing.B) {
	for _, dir := range []string{"away", "toward"} {
		b.Run(dir, func(b *testing.B) {
			b.ReportAllocs()
			book := NewBook(&nopSink{})
			for i := range int64(b.N) {
				px := 10_000_000 - i
				if dir == "toward" {
					px = 10_000_000 - int64(b.N) + i
				}
				book.Submit(Request{ID: OrderID(i + 1), Owner: Owner(i%200 + 1), Side: Buy, Type: Limit, TIF: GTC, Price: px, Qty: 1})
			}
		})
	}
}
