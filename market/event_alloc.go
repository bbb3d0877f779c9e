package market

import "unsafe"

// How the sequencer allocates events (issue 14.2). Matching and settlement
// work in ticks and lots; each event's decimals are formatted once, when
// the event is built, into a buffer inside the event's own object: an
// event, its payload and its strings are one object.
//
// Those objects come from slabs (an array of a few dozen of one kind),
// except where one event may outlive its neighbours by far and would pin
// their whole slab: book deltas (the hub's book mirror keeps a level's
// strings for as long as the level rests), fills and the order events that
// end an order (an account's history keeps them), and rarities (replies,
// rejects). Those are allocated one by one. What stays is kept about as
// long as its neighbours: the hub's history and writer queues and the
// venue's recent trades keep the newest events of every kind, in order; a
// stream's last ticker or quote pins one slab. Closed candles do not keep
// their event (REST formats them again when asked).
//
// Balances are the other exception: their strings are cached per account
// (see acctText) and only the assets that changed are formatted again.
//
// The invariant that makes the strings safe: a text only ever appends, so
// bytes below its length are never written again once a string refers to
// them; and an event is never modified once published.

// text writes an event's strings into the buffer it was made on.
type text struct{ b []byte }

// fixed formats v/10^dec with exactly dec decimals and returns it.
func (t *text) fixed(v int64, dec int32) string {
	start := len(t.b)
	t.b = appendFixed(t.b, v, dec)
	return t.since(start)
}

// scaled formats count n of sc.
func (t *text) scaled(sc Scale, n int64) string { return t.fixed(n*sc.Unit, sc.Decimals) }

// since returns the bytes appended from start on as a string sharing the
// buffer. If an append outgrew the buffer, those bytes are in the new
// array: the string is as valid (only the allocation was not avoided).
func (t *text) since(start int) string {
	if len(t.b) == start {
		return ""
	}
	return unsafe.String(&t.b[start], len(t.b)-start)
}

// The events of each kind with their payload and text buffer. The buffers
// fit the default instruments' usual values (a price like 60000.00 and a
// quantity like 0.0010 take 14 bytes); a longer value spills to the heap.
// They are kept small: in steady state the garbage collector's work is in
// proportion to the bytes allocated, and these are most of them.
type (
	tradeEvent struct {
		e   Event
		p   Trade
		buf [32]byte
	}
	orderEvent struct {
		e   Event
		p   OrderUpdate
		buf [48]byte
	}
	fillEvent struct {
		e   Event
		p   Fill
		buf [32]byte
	}
	quoteEvent struct {
		e   Event
		p   Quote
		buf [48]byte
	}
	tickerEvent struct {
		e   Event
		p   Ticker
		buf [64]byte
	}
	candleEvent struct {
		e   Event
		p   Candle
		buf [64]byte
	}
	bookEvent struct {
		e      Event
		p      BookData
		levels [4]PriceLevel
		buf    [64]byte
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

// acctText is what the sequencer last formatted of one user account's
// balances: the values shown and their strings. Strings are written into
// chunk, which only appends; a full chunk is replaced by a new one (the old
// one lives on while strings or events refer to it). It is the sequencer's
// cache, indexed by the account's orders.Owner, not the account's state.
type acctText struct {
	shown []balance
	strs  []Balance
	chunk []byte
}

const acctChunk = 512

// balancesInto appends a's balances to dst, formatting only the assets
// whose total or reservation changed since they were last formatted.
func (v *Venue) balancesInto(a *account, dst []Balance) []Balance {
	for int(a.owner) >= len(v.acctText) {
		v.acctText = append(v.acctText, nil)
		if n := len(v.acctText); n&(n-1) == 0 {
			v.dropExpiredText()
		}
	}
	at := v.acctText[a.owner]
	if at == nil {
		at = &acctText{shown: make([]balance, len(v.assets)), strs: make([]Balance, len(v.assets))}
		for i, as := range v.assets {
			at.shown[i].total = a.bal[i].total + 1 // differs: formatted below
			at.strs[i].Asset = as.name
		}
		v.acctText[a.owner] = at
	}
	for i, as := range v.assets {
		b := a.bal[i]
		if b == at.shown[i] {
			continue
		}
		if cap(at.chunk)-len(at.chunk) < 2*(22+maxFixedDecimals) {
			at.chunk = make([]byte, 0, acctChunk)
		}
		t := text{at.chunk}
		at.strs[i].Total = t.fixed(b.total, as.dec)
		at.strs[i].Available = at.strs[i].Total // nothing reserved: the same digits
		if b.reserved != 0 {
			at.strs[i].Available = t.fixed(b.available(), as.dec)
		}
		at.chunk = t.b
		at.shown[i] = b
	}
	return append(dst, at.strs...)
}

// dropExpiredText forgets the cached balances of accounts that no longer
// exist (expired: their owner slot is nil). It runs each time the cache's
// index doubles, so that it costs O(1) per account.
func (v *Venue) dropExpiredText() {
	for i := range v.acctText {
		if i < len(v.owners) && v.owners[i] == nil {
			v.acctText[i] = nil
		}
	}
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
