package hub

// The ring of a Queue: room for one more entry.

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
	ring := make([]entry, max(2*len(q.ring), 2))
	for i := 0; i < q.n; i++ {
		ring[i] = q.ring[(q.head+i)%len(q.ring)]
	}
	q.ring, q.head = ring, 0
}

// compactLocked moves the live entries to the front of the backlog, in
// order, within the ring: the slot written is never after the one read, so
// no entry is overwritten before it is moved.
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
		if e.key != 0 {
			q.keys[e.key] = q.pos + uint64(j)
		}
		j++
	}
	for k := j; k < q.n; k++ {
		q.ring[(q.head+k)%len(q.ring)] = entry{}
	}
	q.n, q.dead = j, 0
}
