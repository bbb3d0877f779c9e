package hub

import (
	"sync"
	"time"
	"unsafe"
)

// Item is one queued message: a shared Frame, or bytes for this subscriber
// alone (a reply, a control frame), already framed for its transport.
type Item struct {
	Frame *Frame
	Own   []byte
}

// entry is a message being queued, and a slot of the priority lane (the
// ring keeps its entries in slots, queue_ring.go).
type entry struct {
	Item
	at   int64  // when queued (monotonic ns)
	key  uint64 // conflation key, 0 for lossless
	size int
}

// Queue is a subscriber's outbound queue. The hub pushes, never blocking;
// the subscriber's writer pops. Conflatable frames (Frame.Key != 0) replace
// a queued frame with the same key: the old entry dies and the new one goes
// to the back, so offsets stay in increasing order. Lossless frames and own
// messages are never dropped; when their backlog passes the Limits the
// queue overflows: it refuses everything and the subscriber must be closed
// (WebSocket close code 4008).
type Queue struct {
	mu   sync.Mutex
	ring []slot
	head int // index of the oldest entry
	n    int // entries, dead included
	dead int // dead entries
	// ordered holds the bytes of the ring's own messages (PushOrdered), in
	// ring order from ordHead: their slots hold no frame, which keeps a
	// slot at 24 bytes for the frames that fill the ring.
	ordered   [][]byte
	ordHead   int
	pos       uint64 // absolute position of ring[head]
	keys      map[uint64]uint64
	lossBytes int
	lossN     int
	// pri is the priority lane: a trader's own replies and private
	// messages, which the writer takes before anything in the ring (the
	// public frames, and the hub's replies that must stay in order with
	// them). priHead indexes its oldest entry.
	pri     []entry
	priHead int
	// ringLoss counts the ring's lossless entries; ringLossAt is when the
	// oldest of them was queued, unless ringLossStale (it was popped, and
	// the next is found on demand). A stalled subscriber, whose ring has
	// conflated entries before its first lossless one, then costs no walk
	// per push.
	ringLoss      int
	ringLossAt    int64
	ringLossStale bool
	limits        Limits
	overflow      bool
	overNews      bool    // overflowed by a push that has not yet told onOver and the waker
	cut           Backlog // the backlog when it overflowed
	closed        bool
	signal        chan struct{}
	conflated     uint64
	clock         func() int64
	waker         func()
	urgent        func()
	onOver        func()
	stats         *Stats    // the hub's counters and backlog budget; nil for a queue of no hub
	tr            Transport // whose bytes a frame weighs
	epochLen      int       // SSE: the length of the epoch in every record id
	charged       int       // lossless bytes counted in stats.backlog
}

// chargeStep is how far a queue's lossless backlog moves before the
// hub-wide total is updated: queues that keep up never touch the shared
// counter.
const chargeStep = 64 << 10

// entryCost is what a queued entry costs the queue itself, at most: its
// slot in the ring (24 bytes, the ring growing by doubling) or in the
// priority lane (an entry).
const entryCost = 2 * int(unsafe.Sizeof(entry{}))

// useLocked is the memory the backlog holds on to, as the hub's budget
// counts it: the lossless bytes in the subscriber's format and the ring's
// slots.
func (q *Queue) useLocked() int { return q.lossBytes + q.lossN*entryCost }

// NewQueue returns an empty queue with limits (zero fields: defaults).
func NewQueue(limits Limits) *Queue {
	limits.fill()
	// The ring starts empty (an idle session costs next to nothing) and
	// takes ringStart slots at the first push (queue_ring.go).
	return &Queue{limits: limits, signal: make(chan struct{}, 1), clock: monotonic}
}

var start = time.Now()

// monotonic returns ns on the monotonic clock.
func monotonic() int64 { return int64(time.Since(start)) }

// Ready is signaled when the queue goes from empty to not empty, and when
// it overflows.
func (q *Queue) Ready() <-chan struct{} { return q.signal }

// SetWaker sets fn to be called, besides signaling Ready, whenever the
// queue needs its writer: a transport whose writer goroutine runs only
// while there is work starts it from fn. fn must not block; it is called
// without the queue's lock, and may look at the queue (Overflowed, Urgent,
// Len: the ws session's does). Set it before the queue is shared.
func (q *Queue) SetWaker(fn func()) { q.waker = fn }

// SetUrgent sets fn to be called instead of the waker whenever a message
// is pushed to the priority lane: with the queue empty (its writer idle) a
// transport may write it at once on the pushing goroutine, without waking a
// writer goroutine (which, behind thousands woken by a broadcast, can wait
// tens of milliseconds to run); with a writer waiting its turn, it may move
// that writer ahead. fn must not block or call back into the queue with
// its lock held (it is called without it). Set it before the queue is
// shared.
func (q *Queue) SetUrgent(fn func()) { q.urgent = fn }

// SetOnOverflow sets fn to be called when the queue overflows, besides the
// waker: a transport whose writer may be blocked on a full socket cuts that
// write short from fn. fn must not block; like the waker it is called
// without the queue's lock. Set it before the queue is shared.
func (q *Queue) SetOnOverflow(fn func()) { q.onOver = fn }

func (q *Queue) notify() {
	select {
	case q.signal <- struct{}{}:
	default:
	}
	if q.waker != nil {
		q.waker()
	}
}

// Push queues a shared frame. It reports false if the queue has
// overflowed or is closed; the subscriber must then be disconnected.
func (q *Queue) Push(f *Frame) bool {
	ok, woke := q.PushQuiet(f)
	if woke {
		q.notify()
	}
	return ok
}

// PushQuiet is Push without waking the writer: woke reports that the queue
// went from empty to not empty, and the caller must then call Notify once
// it has pushed the rest of its batch. The hub does this so that the
// frames of one venue batch reach a writer together, in one write.
func (q *Queue) PushQuiet(f *Frame) (ok, woke bool) {
	q.mu.Lock()
	ok, woke = q.pushLocked(entry{Item: Item{Frame: f}, key: f.Key, size: f.sizeFor(q.tr, q.epochLen)})
	over := q.takeOverNewsLocked()
	q.mu.Unlock()
	if over {
		q.tellOverflow()
	}
	return ok, woke
}

// Notify wakes the writer.
func (q *Queue) Notify() { q.notify() }

// PushOwn queues bytes for this subscriber alone in the priority lane: the
// writer sends them before any public frame queued, so that a trader's
// ack never waits behind a broadcast. They count as lossless.
func (q *Queue) PushOwn(b []byte) bool {
	return q.pushNotify(entry{Item: Item{Own: b}, size: len(b)}, true)
}

// PushOwnFrame queues a shared frame in the priority lane: a private
// message encoded once for every other session of an account.
func (q *Queue) PushOwnFrame(f *Frame) bool {
	return q.pushNotify(entry{Item: Item{Frame: f}, size: f.sizeFor(q.tr, q.epochLen)}, true)
}

// PushOrdered queues bytes for this subscriber alone in order with the
// public frames (the hub's replies to subscribe and unsubscribe, resets):
// what is queued before them goes first.
func (q *Queue) PushOrdered(b []byte) bool {
	return q.pushNotify(entry{Item: Item{Own: b}, size: len(b)}, false)
}

func (q *Queue) pushNotify(e entry, pri bool) bool {
	q.mu.Lock()
	var ok, woke bool
	if pri {
		ok, woke = q.pushPriLocked(e)
	} else {
		ok, woke = q.pushLocked(e)
	}
	over := q.takeOverNewsLocked()
	q.mu.Unlock()
	if over {
		q.tellOverflow()
	}
	switch {
	case pri && q.urgent != nil:
		// Also when the queue was not empty: the transport moves a writer
		// that waits its turn to the front (its writer pool's).
		if woke {
			select {
			case q.signal <- struct{}{}:
			default:
			}
		}
		q.urgent()
	case woke:
		q.notify()
	}
	return ok
}

// Urgent reports whether the priority lane holds a message.
func (q *Queue) Urgent() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.priHead < len(q.pri)
}

// PopPri moves up to max items of the priority lane, oldest first, to dst
// and returns it.
func (q *Queue) PopPri(dst []Item, max int) []Item {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.popPriLocked(dst, max)
}

// popPriLocked moves up to max items of the priority lane to dst.
func (q *Queue) popPriLocked(dst []Item, max int) []Item {
	for q.priHead < len(q.pri) && len(dst) < max {
		e := &q.pri[q.priHead]
		dst = append(dst, e.Item)
		q.lossBytes -= e.size
		q.lossN--
		*e = entry{}
		q.priHead++
	}
	q.pri, q.priHead = drained(q.pri, q.priHead)
	return dst
}

// pushPriLocked queues e in the priority lane.
func (q *Queue) pushPriLocked(e entry) (ok, woke bool) {
	if q.overflow || q.closed {
		return false, false
	}
	e.at = q.clock()
	if !q.admitLossLocked(e) {
		return false, false
	}
	wasEmpty := q.n == q.dead && len(q.pri) == q.priHead
	if q.priHead > 0 && q.priHead == len(q.pri) { // drained: start over at the front
		q.pri, q.priHead = q.pri[:0], 0
	}
	q.pri = append(q.pri, e)
	return true, wasEmpty
}

// pushLocked queues e in the ring; woke reports the empty to not empty
// transition.
func (q *Queue) pushLocked(e entry) (ok, woke bool) {
	if q.overflow || q.closed {
		return false, false
	}
	e.at = q.clock()
	if e.key != 0 {
		if p, ok := q.keys[e.key]; ok {
			q.ring[q.index(p)] = slot{dead: true}
			q.dead++
			q.conflated++
			if q.stats != nil { // tickcast_conflations_total
				q.stats.conflations.Add(1)
			}
		}
	} else if !q.admitLossLocked(e) {
		return false, false
	}
	if q.n == len(q.ring) {
		q.makeRoomLocked()
	}
	wasEmpty := q.n == q.dead && len(q.pri) == q.priHead
	q.ring[(q.head+q.n)%len(q.ring)] = slot{frame: e.Frame, at: e.at, size: int32(e.size)}
	if e.Frame == nil {
		q.ordered = append(q.ordered, e.Own)
	}
	if e.key != 0 {
		if q.keys == nil { // allocated on the first conflatable message
			q.keys = map[uint64]uint64{}
		}
		q.keys[e.key] = q.pos + uint64(q.n)
	}
	q.n++
	if e.key == 0 {
		if q.ringLoss == 0 {
			q.ringLossAt, q.ringLossStale = e.at, false
		}
		q.ringLoss++
	}
	return true, wasEmpty
}

func (q *Queue) index(abs uint64) int { return (q.head + int(abs-q.pos)) % len(q.ring) }

// Pop moves up to max queued items, oldest first, to dst and returns it.
func (q *Queue) Pop(dst []Item, max int) []Item {
	q.mu.Lock()
	defer q.mu.Unlock()
	dst = q.popPriLocked(dst, max)
	if q.charged > 0 && q.useLocked()+chargeStep <= q.charged {
		q.refundLocked()
	}
	for q.n > 0 && len(dst) < max {
		e := &q.ring[q.head]
		if !e.dead {
			if e.frame != nil {
				dst = append(dst, Item{Frame: e.frame})
			} else {
				dst = append(dst, Item{Own: q.popOrderedLocked()})
			}
			if k := e.key(); k != 0 {
				delete(q.keys, k)
			} else {
				q.lossBytes -= int(e.size)
				q.lossN--
				q.ringLoss--
				q.ringLossStale = q.ringLoss > 0
			}
			if q.charged > 0 && q.useLocked()+chargeStep <= q.charged {
				q.refundLocked()
			}
		} else {
			q.dead--
		}
		*e = slot{}
		q.head = (q.head + 1) % len(q.ring)
		q.n--
		q.pos++
	}
	return dst
}

// Behind reports whether the subscriber is falling behind: at least n
// items queued, or the oldest queued for longer than age.
func (q *Queue) Behind(n int, age time.Duration) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	live := q.n - q.dead + len(q.pri) - q.priHead
	if live == 0 {
		return false
	}
	oldest := q.clock()
	if q.priHead < len(q.pri) {
		oldest = q.pri[q.priHead].at
	}
	if q.n > 0 {
		oldest = min(oldest, q.ring[q.head].at)
	}
	return live >= n || q.clock()-oldest > int64(age)
}

// Len returns the number of live queued items.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n - q.dead + len(q.pri) - q.priHead
}

// Overflowed reports whether the lossless backlog passed the limits.
func (q *Queue) Overflowed() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.overflow
}

// Backlog returns the lossless backlog now, or, once the queue has
// overflowed, the backlog that overflowed it (the refused message
// included).
func (q *Queue) Backlog() Backlog {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.overflow {
		return q.cut
	}
	now := q.clock()
	return Backlog{Messages: q.lossN, Bytes: q.lossBytes, Age: time.Duration(now - q.oldestLossLocked(now))}
}

// Conflated returns how many queued messages newer ones have replaced.
func (q *Queue) Conflated() uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.conflated
}

// Close empties the queue and refuses further pushes. The writer is woken
// once the lock is released (its waker may look at the queue).
func (q *Queue) Close() {
	q.mu.Lock()
	q.refundLocked()
	q.closed = true
	q.ring, q.n, q.dead, q.head = nil, 0, 0, 0
	q.ordered, q.ordHead = nil, 0
	q.pri, q.priHead = nil, 0
	q.ringLoss = 0
	q.keys = nil
	q.mu.Unlock()
	q.notify()
}
