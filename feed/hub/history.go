package hub

// fifo is a ring of frames in publication order.
type fifo struct {
	buf  []*Frame
	head int
	n    int
}

func (q *fifo) push(f *Frame) {
	if q.n == len(q.buf) {
		buf := make([]*Frame, max(64, 2*len(q.buf)))
		for i := 0; i < q.n; i++ {
			buf[i] = q.buf[(q.head+i)%len(q.buf)]
		}
		q.buf, q.head = buf, 0
	}
	q.buf[(q.head+q.n)%len(q.buf)] = f
	q.n++
}

func (q *fifo) at(i int) *Frame { return q.buf[(q.head+i)%len(q.buf)] }

func (q *fifo) first() *Frame {
	if q.n == 0 {
		return nil
	}
	return q.buf[q.head]
}

func (q *fifo) pop() *Frame {
	f := q.buf[q.head]
	q.buf[q.head] = nil
	q.head = (q.head + 1) % len(q.buf)
	q.n--
	return f
}

// history keeps the recent public frames of every stream for resume
// (protocol.md 7.1 and 7.6): at least the last MinMessages frames or the last
// MinAge of them, whichever is more, and never more than MaxMessages.
type history struct {
	all         fifo // every stream, by off
	minMessages int
	minAge      int64 // ns of engine time
	maxMessages int
}

func (h *history) add(f *Frame) {
	h.all.push(f)
	f.Stream.hist.push(f)
	for h.all.n > h.minMessages {
		old := h.all.first()
		if h.all.n <= h.maxMessages && old.TS > f.TS-h.minAge {
			break
		}
		h.all.pop()
		old.Stream.hist.pop() // the oldest of its stream too
	}
}

// after returns the frames of stream s with seq > since, and false when
// some of them are no longer held, or when since is beyond anything this
// history published (the client's seq comes from another history, e.g. a
// restart with a pinned epoch: it must be told, not left waiting).
func (s *Stream) after(since uint64) ([]*Frame, bool) {
	if since > s.lastSeq() {
		return nil, false
	}
	q := &s.hist
	first := q.first()
	if first == nil {
		return nil, since == s.lastSeq()
	}
	if since+1 < first.Seq {
		return nil, false
	}
	var out []*Frame
	for i := int(since + 1 - first.Seq); i < q.n; i++ {
		out = append(out, q.at(i))
	}
	return out, true
}

// lastSeq is the seq of the stream's newest frame, 0 before any.
func (s *Stream) lastSeq() uint64 { return s.seq }

// afterOff calls fn for each held frame with off > off, in order, and
// reports false when some such frames are no longer held, or when off is
// beyond the last offset published (last).
func (h *history) afterOff(off, last uint64, fn func(*Frame)) bool {
	if off > last {
		return false
	}
	first := h.all.first()
	if first == nil {
		return off == last
	}
	if off+1 < first.Off {
		return false
	}
	for i := int(max(off+1, first.Off) - first.Off); i < h.all.n; i++ {
		fn(h.all.at(i))
	}
	return true
}
