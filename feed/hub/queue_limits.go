package hub

// The lossless limits of a Queue: what a subscriber's backlog may hold
// before it is cut, and the share of the hub's budget it holds.

import "time"

// Limits bound a subscriber's backlog of lossless messages (protocol.md
// 3.3): past any of them, the subscriber is a slow consumer and is cut off.
// Bytes are counted in the subscriber's own format (a JSON session's
// backlog in JSON bytes, an SSE viewer's in the bytes of its records).
type Limits struct {
	MaxBytes    int           // queued lossless bytes; default 4 MiB
	MaxDelay    time.Duration // age of the oldest queued lossless message; default 10 s
	MaxMessages int           // queued lossless messages; default 16,384 (each costs the queue ~64 bytes of its own)
}

func (l *Limits) fill() {
	if l.MaxBytes <= 0 {
		l.MaxBytes = 4 << 20
	}
	if l.MaxDelay <= 0 {
		l.MaxDelay = 10 * time.Second
	}
	if l.MaxMessages <= 0 {
		l.MaxMessages = 16384
	}
}

// admitLossLocked counts a lossless entry e against the limits: false if
// it overflowed the queue.
func (q *Queue) admitLossLocked(e entry) bool {
	q.lossBytes += e.size
	q.lossN++
	age := e.at - q.oldestLossLocked(e.at)
	over := q.lossBytes > q.limits.MaxBytes || age > int64(q.limits.MaxDelay) || q.lossN > q.limits.MaxMessages
	if use := q.useLocked(); !over && q.stats != nil && use >= q.charged+chargeStep {
		// A growing backlog while all of them together are over the
		// hub's budget: this one is among the largest, and goes.
		over = q.stats.charge(use - q.charged)
		q.charged = use
	}
	if over {
		q.overflow = true
		q.cut = Backlog{Messages: q.lossN, Bytes: q.lossBytes, Age: time.Duration(age)}
		q.refundLocked()
		q.overNews = true // told by the caller once it has let go of the lock
	}
	return !over
}

// takeOverNewsLocked reports, once, that a push overflowed the queue.
func (q *Queue) takeOverNewsLocked() bool {
	news := q.overNews
	q.overNews = false
	return news
}

// tellOverflow runs onOver and wakes the writer, without the lock: both
// call into the transport, whose waker may look at the queue (Overflowed,
// Urgent), which with the lock held would deadlock the pushing goroutine
// (a session's heartbeat, or the hub's fan-out and with it every session).
func (q *Queue) tellOverflow() {
	if q.onOver != nil {
		q.onOver()
	}
	q.notify()
}

// oldestLossLocked returns when the oldest queued lossless entry was
// queued, or now if there is none.
func (q *Queue) oldestLossLocked(now int64) int64 {
	if q.lossN == 0 {
		return now
	}
	oldest := now
	if q.priHead < len(q.pri) {
		oldest = q.pri[q.priHead].at
	}
	if q.ringLoss == 0 {
		return oldest
	}
	if q.ringLossStale {
		for i := 0; i < q.n; i++ {
			if e := &q.ring[(q.head+i)%len(q.ring)]; !e.dead && e.key() == 0 {
				q.ringLossAt, q.ringLossStale = e.at, false
				break
			}
		}
	}
	return min(oldest, q.ringLossAt)
}

// refundLocked gives back what the queue had charged to the hub's total.
func (q *Queue) refundLocked() {
	if q.stats != nil && q.charged > 0 {
		q.stats.charge(-q.charged)
	}
	q.charged = 0
}
