package bench

import (
	"sync"
	"sync/atomic"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/tickcast/tickcast/feed/wire"
)

// tradeRegistry publishes the trades the worker's own orders caused:
// trade id → the order's scheduled time. Traders add entries as their
// fills arrive; every subscriber reads the new ones, lock-free when there
// are none.
type tradeRegistry struct {
	mu   sync.Mutex
	ring [regSize]regEntry
	n    atomic.Uint64 // entries ever added
}

// regSize bounds how far behind (in our trades) a subscriber may fall
// before it misses some; at 100 orders/s it is 40 s.
const regSize = 4096

type regEntry struct {
	id    uint64 // trade id
	sched int64  // scheduled time of the order, ns
}

func (r *tradeRegistry) add(id uint64, sched int64) {
	r.mu.Lock()
	n := r.n.Load()
	r.ring[n%regSize] = regEntry{id: id, sched: sched}
	r.n.Store(n + 1)
	r.mu.Unlock()
}

// since appends the entries from index from on to dst; lost counts those
// already overwritten.
func (r *tradeRegistry) since(from uint64, dst []regEntry) (out []regEntry, next, lost uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.n.Load()
	if n-from > regSize {
		lost = n - from - regSize
		from = n - regSize
	}
	for i := from; i < n; i++ {
		dst = append(dst, r.ring[i%regSize])
	}
	return dst, n, lost
}

// fanoutTracker measures, for one subscriber, order → public trade: the
// time from an order's scheduled time to this subscriber receiving the
// trade it caused. The subscriber may see the trade before or after the
// trader learns its id from the fill, so it remembers its last few trades
// and the registered trades it has not seen yet.
type fanoutTracker struct {
	reg     *tradeRegistry
	sym     string
	next    uint64 // registry entries consumed
	recent  [recentTrades]seenTrade
	nrecent int
	lastID  uint64
	waiting []regEntry
	buf     []regEntry
	hist    *hdr.PackedHistogram
	missed  int64 // our trades this subscriber never saw
}

// recentTrades is how many trades a subscriber remembers while the trader
// is still waiting for the fill that names one of them, and that reaches
// this worker (relayed by the coordinator from the order worker's
// process: tens of milliseconds on a busy machine).
const recentTrades = 256

type seenTrade struct {
	id uint64
	at int64
}

func newFanoutTracker(reg *tradeRegistry, sym string) *fanoutTracker {
	return &fanoutTracker{reg: reg, sym: sym, hist: newPacked()}
}

// trade handles one public trade received at now.
func (f *fanoutTracker) trade(h *wire.Header, now int64) {
	if h.S != f.sym || !h.ID.Valid {
		return
	}
	id := h.ID.Value
	f.recent[f.nrecent%recentTrades] = seenTrade{id: id, at: now}
	f.nrecent++
	f.lastID = id
	kept := f.waiting[:0]
	for _, e := range f.waiting {
		switch {
		case e.id == id:
			_ = f.hist.RecordValue(clampNS(now - e.sched))
		case e.id < id:
			f.missed++ // trade ids only grow: it went by unseen
		default:
			kept = append(kept, e)
		}
	}
	f.waiting = kept
	f.catchUp()
}

// catchUp matches the trades registered since the last call.
func (f *fanoutTracker) catchUp() {
	if f.reg.n.Load() == f.next {
		return
	}
	var lost uint64
	f.buf, f.next, lost = f.reg.since(f.next, f.buf[:0])
	f.missed += int64(lost)
	for _, e := range f.buf {
		if e.id > f.lastID {
			f.waiting = append(f.waiting, e)
			continue
		}
		if at, ok := f.seen(e.id); ok {
			_ = f.hist.RecordValue(clampNS(at - e.sched))
		} else {
			f.missed++
		}
	}
}

// seen returns when the subscriber received trade id, if it still
// remembers.
// It looks from the newest back: the trade looked for is most often a
// recent one, and ids only grow.
func (f *fanoutTracker) seen(id uint64) (int64, bool) {
	for i := range min(f.nrecent, recentTrades) {
		t := f.recent[(f.nrecent-1-i)%recentTrades]
		if t.id == id {
			return t.at, true
		}
		if t.id < id {
			break
		}
	}
	return 0, false
}

// finish matches what was registered last and counts the trades still
// unseen as missed. Call it once the subscriber has stopped.
func (f *fanoutTracker) finish() {
	f.catchUp()
	f.missed += int64(len(f.waiting))
	f.waiting = nil
}
