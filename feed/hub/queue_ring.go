package hub

import "slices"

// The ring of a Queue: its slots, and room for one more.

// slot is a ring entry: 24 bytes, where an entry (the Item, its key and
// its size) takes 64. With 10,000 subscribers every ring holds the same
// backlog at the same moments (a stall of the hub or the writers is one
// for all of them), and the rings were most of the heap that grew once
// the clients were connected.
type slot struct {
	frame *Frame // nil for an own message (its bytes are next in Queue.ordered) and for a dead slot
	at    int64  // when queued (monotonic ns)
	size  int32  // bytes, in the subscriber's format
	dead  bool   // replaced by a newer entry with the same key
}

// key returns the slot's conflation key, 0 for lossless.
func (s *slot) key() uint64 {
	if s.frame == nil {
		return 0
	}
	return s.frame.Key
}

// ringStart is how many slots a ring takes at its first push (rounded up
// to its allocation's size class: 74, 1,792 bytes). The rings grew by
// doubling from 2 and never shrink, so they kept the largest backlog ever
// queued: with 10,000 subscribers on trades, book and quote, every ring
// went 16 → 32 slots in the first 20 s after the ramp and half of them to
// 64, all together (a stall is one for every subscriber), 20 MB allocated
// in the window, which was a collection there. 74 slots hold those
// backlogs from the start, for less than 32 slots of 64 bytes took.
const ringStart = 64

// makeRoomLocked compacts away dead entries if they are many, else grows.
// Compacting is done in place: a subscriber of conflated channels fills
// its ring with dead entries all the time, and a new ring per compaction
// was most of what the fan-out allocated in steady state (25 MB in 10 s
// with 10,000 subscribers), which is a collection every few seconds.
func (q *Queue) makeRoomLocked() {
	if q.dead > 0 && q.dead >= q.n/2 {
		q.compactLocked()
		return
	}
	if q.dead > 0 {
		q.compactLocked() // the copy below then keeps every entry's position
	}
	// The whole size class: a ring that is not a power of two costs
	// nothing (indexes wrap with %).
	ring := slices.Grow([]slot(nil), max(2*len(q.ring), ringStart))
	ring = ring[:cap(ring)]
	for i := 0; i < q.n; i++ {
		ring[i] = q.ring[(q.head+i)%len(q.ring)]
	}
	q.ring, q.head = ring, 0
}

// compactLocked moves the live entries to the front of the backlog, in
// order, within the ring: the slot written is never after the one read, so
// no entry is overwritten before it is moved. Own messages keep their
// order, and so their bytes in q.ordered.
func (q *Queue) compactLocked() {
	j := 0
	for i := 0; i < q.n; i++ {
		from := (q.head + i) % len(q.ring)
		e := q.ring[from]
		if e.dead {
			continue
		}
		to := (q.head + j) % len(q.ring)
		q.ring[to] = e
		if k := e.key(); k != 0 {
			q.keys[k] = q.pos + uint64(j)
		}
		j++
	}
	for k := j; k < q.n; k++ {
		q.ring[(q.head+k)%len(q.ring)] = slot{}
	}
	q.n, q.dead = j, 0
}

// popOrderedLocked takes the bytes of the oldest own message in the ring.
func (q *Queue) popOrderedLocked() []byte {
	b := q.ordered[q.ordHead]
	q.ordered[q.ordHead] = nil
	q.ordered, q.ordHead = drained(q.ordered, q.ordHead+1)
	return b
}

// drained returns a FIFO lane (a slice read from head on: the priority
// lane, the own messages' bytes) as it should be kept: unchanged while it
// holds something, else empty from its start, or dropped after a burst
// (more than 64) so as not to keep the burst's room.
func drained[T any](lane []T, head int) ([]T, int) {
	switch {
	case head < len(lane):
		return lane, head
	case cap(lane) > 64:
		return nil, 0
	}
	return lane[:0], 0
}
