package orders

// ladder is one side of the book: its price levels sorted so that the best
// price is last. Trading and quoting happen near the touch, so the common
// changes (a new best level, the best level emptied) are an append or a pop,
// and an insert a few levels deep moves only those few entries. Lookups scan
// the last few keys linearly and fall back to binary search deeper down.
//
// keys hold price for bids and -price for asks, so both sides are ascending
// with the best price last; lvls holds the level slot of each key.
type ladder struct {
	keys []int64
	lvls []int32
	sign int64 // +1 for bids, -1 for asks
}

// nearTouch is how many levels from the best the lookup scans linearly.
const nearTouch = 8

func (l *ladder) key(price int64) int64 { return price * l.sign }

// search returns the smallest position p with keys[p] >= k (len if none).
func (l *ladder) search(k int64) int {
	n := len(l.keys)
	lo := n - nearTouch
	if lo <= 0 || l.keys[lo-1] < k {
		if lo < 0 {
			lo = 0
		}
		p := n
		for p > lo && l.keys[p-1] >= k {
			p--
		}
		return p
	}
	// k <= keys[lo-1]: the answer is in [0, lo-1].
	i, j := 0, lo-1
	for i < j {
		h := int(uint(i+j) >> 1)
		if l.keys[h] < k {
			i = h + 1
		} else {
			j = h
		}
	}
	return i
}

// find returns the level slot at price, or 0, and the position.
func (l *ladder) find(price int64) (slot int32, pos int) {
	k := l.key(price)
	p := l.search(k)
	if p < len(l.keys) && l.keys[p] == k {
		return l.lvls[p], p
	}
	return 0, p
}

func (l *ladder) insertAt(p int, price int64, slot int32) {
	l.keys = append(l.keys, 0)
	l.lvls = append(l.lvls, 0)
	copy(l.keys[p+1:], l.keys[p:])
	copy(l.lvls[p+1:], l.lvls[p:])
	l.keys[p] = l.key(price)
	l.lvls[p] = slot
}

// remove deletes the level at price, which must be present.
func (l *ladder) remove(price int64) {
	k := l.key(price)
	n := len(l.keys)
	if l.keys[n-1] == k { // the usual case: the best level emptied
		l.keys, l.lvls = l.keys[:n-1], l.lvls[:n-1]
		return
	}
	p := l.search(k)
	copy(l.keys[p:], l.keys[p+1:])
	copy(l.lvls[p:], l.lvls[p+1:])
	l.keys, l.lvls = l.keys[:n-1], l.lvls[:n-1]
}

// best returns the best level slot, or 0 when the side is empty.
func (l *ladder) best() int32 {
	if n := len(l.lvls); n > 0 {
		return l.lvls[n-1]
	}
	return 0
}

// crosses reports whether a level at price on this side would trade with an
// incoming order limited at limit (for bids: price >= limit; asks: <=).
func (l *ladder) crosses(price, limit int64) bool {
	return l.key(price) >= l.key(limit)
}
