package market

// How the sequencer allocates events (issue 14.2). Matching and settlement
// work in ticks and lots, and so do the events: their decimals are Decs
// (mantissa and decimals), written as text only where an event is encoded
// for the wire. An event and its payload are one object.
//
// Those objects come from slabs (an array of a few dozen of one kind),
// rarities apart (replies, rejects, the auth snapshot), which are
// allocated one by one. No event should outlive its neighbours by far, as
// it would pin their whole slab: what stays is kept about as long as its
// neighbours (the hub's history and writer queues and the venue's recent
// trades keep the newest events of every kind, in order; a stream's last
// ticker or quote pins one slab). What is kept longer is kept as a copy:
// an account's history copies the fills and the order events that end an
// order (account_history.go); closed candles do not keep their event (REST
// builds them again when asked). (The hub's book mirror keeps the strings
// of resting levels, but those are the hub's, written when it converts the
// event: the event itself is not kept.)
//
// An event is never modified once published.

// The events of each kind with their payload.
type (
	tradeEvent struct {
		e Event
		p Trade
	}
	orderEvent struct {
		e Event
		p OrderUpdate
	}
	fillEvent struct {
		e Event
		p Fill
	}
	quoteEvent struct {
		e Event
		p Quote
	}
	tickerEvent struct {
		e Event
		p Ticker
	}
	candleEvent struct {
		e Event
		p Candle
	}
	bookEvent struct {
		e      Event
		p      BookData
		levels [4]PriceLevel
	}
)

// slabSize is how many events of one kind a slab holds.
const slabSize = 32

// slab hands out zeroed T from arrays of slabSize.
type slab[T any] struct{ free []T }

func (s *slab[T]) get() *T {
	if len(s.free) == 0 {
		s.free = make([]T, slabSize)
	}
	p := &s.free[0]
	s.free = s.free[1:]
	return p
}

// slabs are the sequencer's slabs, one per kind that uses them; balances
// is where account events' Balances are carved from (balanceSlab at a
// time).
type slabs struct {
	trades   slab[tradeEvent]
	orders   slab[orderEvent]
	fills    slab[fillEvent]
	books    slab[bookEvent]
	accounts slab[Event]
	quotes   slab[quoteEvent]
	tickers  slab[tickerEvent]
	candles  slab[candleEvent]
	balances []Balance
}

const balanceSlab = 256

// balanceSlice returns n Balances of the slab, capacity cut to n.
func (s *slabs) balanceSlice(n int) []Balance {
	if len(s.balances) < n {
		s.balances = make([]Balance, max(balanceSlab, n))
	}
	b := s.balances[:0:n]
	s.balances = s.balances[n:]
	return b
}

// batchChunk is how many event pointers the sequencer's batches are
// carved from at a time.
const batchChunk = 1024

// emit appends e to the batch being built. Batches are carved from a
// shared array, each handed over with its capacity cut to its length, so
// that neither side can write into the other's part.
func (v *Venue) emit(e *Event) {
	if v.batch == nil {
		if cap(v.batchFree) < 64 {
			v.batchFree = make([]*Event, 0, batchChunk)
		}
		v.batch = v.batchFree[:0]
	}
	v.batch = append(v.batch, e)
}

// takeBatch returns the batch built and starts the next one.
func (v *Venue) takeBatch() []*Event {
	b := v.batch
	n := len(b)
	v.batch = nil
	if n > 0 && n <= cap(v.batchFree) && &v.batchFree[:1][0] == &b[0] {
		v.batchFree = v.batchFree[n:n]
	} // else it outgrew the array into its own: the array's space is still free
	return b[:n:n]
}
