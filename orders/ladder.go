package orders

// ladder is one side of the book: its price levels in order, the best
// price last. Trading and quoting happen near the touch, so the common
// changes (a new best level, the best level emptied) are an append or a
// pop, and a change a few levels deep moves only those few entries.
//
// The levels are kept in chunks of at most chunkCap sorted entries, the
// chunks themselves in order: an insert or a removal anywhere moves at most
// one chunk's entries (and, when a chunk splits or empties, the chunk
// pointers), so a deep book costs O(log n + chunkCap) per change instead of
// O(n): a book of 250,000 levels built away from the touch took 33 s with
// one sorted slice, 0.2 s like this. Emptied chunks are kept for reuse, so
// that the steady state allocates nothing.
//
// keys hold price for bids and -price for asks, so both sides are ascending
// with the best price last; lvls holds the level slot of each key.
type ladder struct {
	chunks []*chunk
	n      int   // levels in all chunks
	sign   int64 // +1 for bids, -1 for asks
	spare  []*chunk
}

// chunkCap is how many levels a chunk holds: large enough that a book of
// ordinary depth is one or a few chunks, small enough that moving one
// chunk's entries is cheap.
const chunkCap = 128

type chunk struct {
	n    int
	keys [chunkCap]int64
	lvls [chunkCap]int32
}

// pos is a position in a ladder: chunk c, entry i.
type pos struct{ c, i int }

// nearTouch is how many levels from the best the lookup scans linearly.
const nearTouch = 8

func (l *ladder) key(price int64) int64 { return price * l.sign }

// size returns the number of levels.
func (l *ladder) size() int { return l.n }

// search returns the first position whose key is >= k: in the chunk that
// holds k or would hold it, or just after the best level.
func (l *ladder) search(k int64) pos {
	nc := len(l.chunks)
	if nc == 0 {
		return pos{}
	}
	last := l.chunks[nc-1]
	if k >= last.keys[0] {
		// The touch's chunk: count the keys >= k among the few nearest
		// the best, then bisect the rest of the chunk if they all are.
		// The count has no branch (where a scan would stop is
		// unpredictable): key >= k is the sign of k − key − 1, with k
		// brought within ±2⁶² (keys are prices, below 2⁵³: no
		// comparison changes, and nothing overflows).
		kk := min(max(k, -1<<62), 1<<62)
		stop := max(last.n-nearTouch, 0)
		i := last.n
		for _, key := range last.keys[stop:last.n] {
			i -= int(uint64(kk-key-1) >> 63)
		}
		if i == stop && i > 0 && last.keys[i-1] >= k {
			i = bisect(last, 0, i, k)
		}
		return pos{nc - 1, i}
	}
	// Deeper: the first chunk whose last key is >= k (there is one: the
	// touch's chunk qualifies).
	lo, hi := 0, nc-1
	for lo < hi {
		h := int(uint(lo+hi) >> 1)
		if c := l.chunks[h]; c.keys[c.n-1] < k {
			lo = h + 1
		} else {
			hi = h
		}
	}
	c := l.chunks[lo]
	return pos{lo, bisect(c, 0, c.n, k)}
}

// bisect returns the first index in [i, j) of c whose key is >= k, or j.
func bisect(c *chunk, i, j int, k int64) int {
	for i < j {
		h := int(uint(i+j) >> 1)
		if c.keys[h] < k {
			i = h + 1
		} else {
			j = h
		}
	}
	return i
}

// find returns the level slot at price, or 0, and the position where a
// level at price is or would be inserted.
func (l *ladder) find(price int64) (slot int32, p pos) {
	k := l.key(price)
	p = l.search(k)
	if p.c < len(l.chunks) {
		if c := l.chunks[p.c]; p.i < c.n && c.keys[p.i] == k {
			return c.lvls[p.i], p
		}
	}
	return 0, p
}

// newChunk returns an empty chunk, a spare one if there is one.
func (l *ladder) newChunk() *chunk {
	if n := len(l.spare); n > 0 {
		c := l.spare[n-1]
		l.spare[n-1] = nil
		l.spare = l.spare[:n-1]
		return c
	}
	return new(chunk)
}

// addChunk puts c at index i of the chunk list.
func (l *ladder) addChunk(i int, c *chunk) {
	l.chunks = append(l.chunks, nil)
	copy(l.chunks[i+1:], l.chunks[i:])
	l.chunks[i] = c
}

// dropChunk takes the chunk at index i out of the list and keeps it.
func (l *ladder) dropChunk(i int) {
	c := l.chunks[i]
	copy(l.chunks[i:], l.chunks[i+1:])
	l.chunks[len(l.chunks)-1] = nil
	l.chunks = l.chunks[:len(l.chunks)-1]
	c.n = 0
	l.spare = append(l.spare, c)
}

// insertAt adds a level at price with slot at p, as find returned it.
func (l *ladder) insertAt(p pos, price int64, slot int32) {
	k := l.key(price)
	l.n++
	if len(l.chunks) == 0 {
		c := l.newChunk()
		c.keys[0], c.lvls[0], c.n = k, slot, 1
		l.addChunk(0, c)
		return
	}
	c := l.chunks[p.c]
	if c.n == chunkCap {
		switch {
		case p.c == len(l.chunks)-1 && p.i == c.n: // a new best past a full chunk
			c, p = l.newChunk(), pos{p.c + 1, 0}
			l.addChunk(p.c, c)
		case p.c == 0 && p.i == 0: // a new deepest level before a full chunk
			c = l.newChunk()
			l.addChunk(0, c)
		default: // split: the lower half moves to a new chunk before c
			lo := l.newChunk()
			h := chunkCap / 2
			copy(lo.keys[:], c.keys[:h])
			copy(lo.lvls[:], c.lvls[:h])
			lo.n = h
			copy(c.keys[:], c.keys[h:c.n])
			copy(c.lvls[:], c.lvls[h:c.n])
			c.n -= h
			l.addChunk(p.c, lo)
			if p.i < h {
				c = lo
			} else {
				p.i -= h
			}
		}
	}
	copy(c.keys[p.i+1:c.n+1], c.keys[p.i:c.n])
	copy(c.lvls[p.i+1:c.n+1], c.lvls[p.i:c.n])
	c.keys[p.i], c.lvls[p.i] = k, slot
	c.n++
}

// remove deletes the level at price, which must be present.
func (l *ladder) remove(price int64) {
	k := l.key(price)
	l.n--
	nc := len(l.chunks)
	if last := l.chunks[nc-1]; last.keys[last.n-1] == k { // the usual case: the best level emptied
		last.n--
		if last.n == 0 {
			l.dropChunk(nc - 1)
		}
		return
	}
	p := l.search(k)
	c := l.chunks[p.c]
	copy(c.keys[p.i:c.n-1], c.keys[p.i+1:c.n])
	copy(c.lvls[p.i:c.n-1], c.lvls[p.i+1:c.n])
	c.n--
	switch {
	case c.n == 0:
		l.dropChunk(p.c)
	case c.n < chunkCap/4:
		l.mergeAround(p.c)
	}
}

// mergeAround folds the small chunk at i into a neighbour that has room,
// so that removals cannot leave a long list of nearly empty chunks.
func (l *ladder) mergeAround(i int) {
	c := l.chunks[i]
	if i+1 < len(l.chunks) {
		if next := l.chunks[i+1]; next.n+c.n <= chunkCap {
			copy(next.keys[c.n:next.n+c.n], next.keys[:next.n])
			copy(next.lvls[c.n:next.n+c.n], next.lvls[:next.n])
			copy(next.keys[:c.n], c.keys[:c.n])
			copy(next.lvls[:c.n], c.lvls[:c.n])
			next.n += c.n
			l.dropChunk(i)
			return
		}
	}
	if i > 0 {
		if prev := l.chunks[i-1]; prev.n+c.n <= chunkCap {
			copy(prev.keys[prev.n:prev.n+c.n], c.keys[:c.n])
			copy(prev.lvls[prev.n:prev.n+c.n], c.lvls[:c.n])
			prev.n += c.n
			l.dropChunk(i)
		}
	}
}

// best returns the best level slot, or 0 when the side is empty.
func (l *ladder) best() int32 {
	if nc := len(l.chunks); nc > 0 {
		c := l.chunks[nc-1]
		return c.lvls[c.n-1]
	}
	return 0
}

// each calls fn with the level slots from the best down, until fn returns
// false.
func (l *ladder) each(fn func(slot int32) bool) {
	for ci := len(l.chunks) - 1; ci >= 0; ci-- {
		c := l.chunks[ci]
		for i := c.n - 1; i >= 0; i-- {
			if !fn(c.lvls[i]) {
				return
			}
		}
	}
}

// crosses reports whether a level at price on this side would trade with an
// incoming order limited at limit (for bids: price >= limit; asks: <=).
func (l *ladder) crosses(price, limit int64) bool {
	return l.key(price) >= l.key(limit)
}
