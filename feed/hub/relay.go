package hub

import (
	"runtime"
	"time"

	"github.com/tickcast/tickcast/market"
)

// How the hub relays the venue's batches.
//
// A batch's replies and private messages go out the moment the hub takes
// the batch from the bus, each straight into its session's priority lane
// (its writer woken at once, or the message written then and there): a
// trader's ack does not wait for the fan-out of the public messages of its
// own batch or of the batches before it. The public messages follow in
// order, a chunk of up to maxCoalesce batches at a time, after which the
// subscribers' writers are woken once, each to send all it got in one
// write. Between any two public events, and within an event's fan-out
// every arrivedSubs subscribers, the hub takes what the venue published
// meanwhile and routes its replies, so an ack waits for at most
// arrivedSubs pushes, not for the rest of a fan-out (milliseconds at
// 10,000 subscribers on one core, where it was most of the ack's tail),
// however far behind the public messages are (while no control request
// waits: see take). The batches taken are kept in backlog,
// at most Config.BusBuffer of them; past that the hub takes no more, the
// bus fills, and the venue slows down (nothing lossless is dropped).

// maxCoalesce is how many batches' public messages the hub relays before
// it wakes their subscribers' writers.
const maxCoalesce = 64

// take takes first and the batches waiting behind it (up to maxCoalesce),
// runs the registrations queued so far (and, with nothing else in the
// backlog, every control request), then routes the batches' replies and
// private messages, and keeps the batches for relay.
//
// The order matters. The registrations queued before a batch was
// published must run before its replies are routed: a session registers
// (Add) before its welcome, so the venue's reply to its first operation
// comes after, and a reply routed before the registration ran finds no
// session and is dropped (an auth that never got its authed). The other
// control requests (subscribe, resume, the REST book, an edge's resync)
// read or set the public state, so they run only where every batch whose
// replies went out is relayed: a trader who has its ack and then
// subscribes, or asks REST for the book, sees its order there.
func (h *Hub) take(first []*market.Event) {
	start := len(h.backlog)
	h.backlog = append(h.backlog, first)
	for len(h.backlog)-start < maxCoalesce && len(h.backlog) < h.cfg.BusBuffer && len(h.src) > 0 {
		b, ok := <-h.src
		if !ok {
			h.srcClosed = true
			break
		}
		h.backlog = append(h.backlog, b)
	}
	h.runReg()
	if start == 0 {
		for n := len(h.ctrl); n > 0; n-- {
			(<-h.ctrl)()
		}
	}
	for _, b := range h.backlog[start:] {
		h.routeBatch(b)
	}
}

// runReg runs the registrations queued.
func (h *Hub) runReg() {
	for n := len(h.reg); n > 0; n-- {
		(<-h.reg)()
	}
}

// relay publishes the public messages of the backlog, in order, a chunk at
// a time, taking the batches published meanwhile (take) between two
// events while the backlog has room and no control request waits: one
// that does then waits for the backlog alone, not for batches to come.
// Between chunks it drops the slow consumers found.
func (h *Hub) relay() {
	for len(h.backlog) > 0 {
		n := min(len(h.backlog), maxCoalesce)
		for i := range n {
			for _, e := range h.backlog[i] {
				if !e.Kind.Public() {
					continue
				}
				h.publishPublic(e)
				h.runBetween()
				h.takeArrived()
			}
		}
		for i, sub := range h.wake {
			sub.Q.Notify()
			h.wake[i] = nil
		}
		h.wake = h.wake[:0]
		h.relayed.Add(uint64(n))
		rest := copy(h.backlog, h.backlog[n:])
		clear(h.backlog[rest:])
		h.backlog = h.backlog[:rest]
		h.dropOverflowed()
	}
}

// takeArrived takes a batch the venue published meanwhile (take), while
// the backlog has room and no control request waits.
func (h *Hub) takeArrived() {
	if len(h.src) > 0 && len(h.ctrl) == 0 && !h.srcClosed && len(h.backlog) < h.cfg.BusBuffer {
		if b, ok := <-h.src; ok {
			h.take(b)
		} else {
			h.srcClosed = true
		}
	}
}

// routeBatch routes a batch's replies and private messages.
func (h *Hub) routeBatch(batch []*market.Event) {
	var origin uint64 // the session whose operation this batch answers, if any
	for _, e := range batch {
		if e.Origin.Session != 0 {
			origin = e.Origin.Session
		}
	}
	// The venue answers each operation in one batch: that operation is
	// done, and its session may send another. It is so before the answer
	// is routed: the answer may reach the socket at once (urgent), and a
	// client that has it and sends its next operation must not find the
	// answered one still counted in flight.
	if origin != 0 {
		h.completed(origin)
	}
	for _, e := range batch {
		if !e.Kind.Public() {
			h.route(e)
		}
	}
}

// betweenEvery is the least time between two runs of the between hook:
// at 10,000 subscribers an event's fan-out takes about a millisecond, at
// ten a microsecond, and the hook's look costs a system call.
const betweenEvery = 50 * time.Microsecond

// SetBetween sets fn to run on the hub's goroutine between two public
// events of a fan-out, at most every 50 µs: the WebSocket server wakes
// there the readers of traders whose orders came in (their network
// poller does not run while the hub and the writers keep every P busy).
// fn must not block. Safe to call at any time; nil removes it.
func (h *Hub) SetBetween(fn func()) {
	if fn == nil {
		h.between.Store(nil)
		return
	}
	h.between.Store(&fn)
}

// runBetween runs the between hook if it is due, and, on one P, yields it
// if the hub has kept it for yieldEvery.
func (h *Hub) runBetween() {
	now := monotonic()
	if fn := h.between.Load(); fn != nil && now-h.betweenAt >= int64(betweenEvery) {
		h.betweenAt = now
		(*fn)()
	}
	if now-h.yieldAt >= int64(yieldEvery) {
		h.yieldAt = now
		if runtime.GOMAXPROCS(0) == 1 {
			runtime.Gosched()
		}
	}
}

// yieldEvery is the longest the hub keeps its P through a relay, on one P,
// before it lets the goroutines readied meanwhile run: the pool's writers,
// the venue with an order, timers. Go's scheduler takes a P from a
// goroutine that keeps it only after 10 ms, and on one P (GOMAXPROCS=1, or
// a server pinned to one core) an execution trace showed the writers and
// the venue waiting those 10 ms behind the hub's fan-out at 10,000
// subscribers. On more Ps the pool leaves one to the hub and the rest
// (defaultWriters), and a yield there only gave the hub's P to a writer:
// the public fan-out's p99 at 10,000 was 277 ms against 234 ms without it
// (medians of 6 alternating runs, BENCHMARKS.md "Fifth round").
const yieldEvery = 500 * time.Microsecond

// betweenSubs is how many subscribers an event's fan-out pushes to between
// two looks at the between hook and the yield: a fan-out to 10,000 takes a
// millisecond or more.
const betweenSubs = 512

// arrivedSubs is how many subscribers an event's fan-out pushes to between
// two looks at the bus (takeArrived): a look is a channel length, a push
// about 0.1 µs, so 64 pushes keep an ack's wait there to microseconds.
const arrivedSubs = 64
