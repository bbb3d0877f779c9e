package ws

import (
	"errors"
	"net"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/internal/sockopt"
)

// writerPool writes for the sessions that keep up, on a few goroutines
// (Config.Writers) instead of one per session.
//
// Why: a broadcast to 10,000 sessions used to make 10,000 writer
// goroutines runnable at once. Go's scheduler has no priorities, so every
// other goroutine readied then (a trader's reader with an order, the
// venue, the hub with its ack) waited behind all of them, as long as the
// whole sweep took: an ack waited ~0.2 s at 10,000 subscribers on a
// saturated core. With the pool, the sweep is a list of sessions that a
// few goroutines work through, the run queues stay short, and by default
// one P is left for everything else (its idle P blocks in the network
// poller, so that an order is read the moment it arrives).
//
// A pooled write never blocks: it is one non-blocking writev. A session
// whose socket does not take its batch at once (a client falling behind),
// that is closing or whose queue overflowed, is handed to its own writer
// goroutine (writeLoop), which waits on the socket, backs off and closes as
// before; that goroutine gives the session back to the pool when it idles.
type writerPool struct {
	mu sync.Mutex
	// Sessions with something to write, oldest first, in two lanes: hi
	// holds those with a reply or private message queued (an ack), which
	// the workers serve first; lo the rest. An entry is stale, and
	// skipped, once its session was taken or moved to hi (poolSeq).
	hi, lo lane
	idle   int // workers waiting for work
	stop   bool
	// hiWaiting is set while the hi lane may hold a session: a worker
	// looks at it after every visit, so that a reply waits for one visit,
	// not for the rest of the worker's batch.
	hiWaiting atomic.Bool
	wake      chan struct{}
	wg        sync.WaitGroup
	// reads is looked at between two runs of visits: the readers of
	// trading sessions whose clients sent something are woken there.
	reads *readPoller
}

// lane is a FIFO of sessions.
type lane struct {
	q    []poolEntry
	head int
}

type poolEntry struct {
	s   *session
	seq uint32
}

// poolState is a session's place in the pool, guarded by writerPool.mu.
type poolState struct {
	seq    uint32 // of its live entry
	queued bool   // it has a live entry
}

func (l *lane) push(e poolEntry) { l.q = append(l.q, e) }

// pop returns the oldest live entry's session and marks it taken.
func (l *lane) pop() *session {
	for l.head < len(l.q) {
		e := l.q[l.head]
		l.q[l.head] = poolEntry{}
		l.head++
		if l.head == len(l.q) {
			l.q, l.head = l.q[:0], 0
		} else if l.head > 4096 && l.head > len(l.q)/2 {
			n := copy(l.q, l.q[l.head:])
			clear(l.q[n:])
			l.q, l.head = l.q[:n], 0
		}
		if st := &e.s.pool; st.queued && st.seq == e.seq {
			st.queued = false
			return e.s
		}
	}
	return nil
}

// rest empties the lane and returns its live sessions.
func (l *lane) rest() []*session {
	var out []*session
	for s := l.pop(); s != nil; s = l.pop() {
		out = append(out, s)
	}
	return out
}

// poolVisit bounds the messages a session gets per visit of a pool worker
// (one vectored write): one with more waiting goes to the back of the
// line, so that a busy session does not hold a worker.
const poolVisit = maxBatch

// poolYield is how many sessions a worker serves between two yields of its
// P: the goroutines readied meanwhile (a reader, the hub) run within a few
// hundred microseconds, not after the scheduler's 10 ms time slice. A
// session moved to the hi lane waits for one visit (hiWaiting).
const poolYield = 16

// newWriterPool starts n workers.
func newWriterPool(n int, reads *readPoller) *writerPool {
	p := &writerPool{wake: make(chan struct{}, n), reads: reads}
	p.wg.Add(n)
	for range n {
		go p.work()
	}
	return p
}

// defaultWriters leaves one P to the goroutines that must not wait behind
// the fan-out: readers, the venue, the hub.
func defaultWriters() int { return max(1, runtime.GOMAXPROCS(0)-1) }

// add puts s at the back of a lane: hi if its priority lane holds
// something. The caller owns s's writing flag.
func (p *writerPool) add(s *session) {
	hi := s.sub.Q.Urgent()
	p.mu.Lock()
	if p.stop {
		p.mu.Unlock()
		go s.writeLoop()
		return
	}
	p.enqueueLocked(s, hi)
	p.mu.Unlock()
}

// claim takes s out of its lane if it waits there, and reports whether it
// did: the caller then owns s's writing flag, as a worker that popped it.
// A reply was queued for s, and the goroutine that queued it writes it now
// (urgent) rather than wait for a worker. A worker is not always on a
// CPU: under a broadcast its next turn at a P, or its thread's at a core,
// can be milliseconds away (with 10,000 subscribers, 3 ms at p50 from the
// ack queued to the ack written, before this). False if a worker has s in
// hand: that worker sees the reply when its visit ends (the session goes
// back to the hi lane).
func (p *writerPool) claim(s *session) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := &s.pool
	if !st.queued || p.stop {
		return false
	}
	st.queued = false // its entry is stale from now on
	return true
}

// scratch holds the scratch spaces of the writes made on whichever
// goroutine pushed a reply (urgent, writeClaimed: the hub, readers,
// heartbeat timers), many at once. A batch made per write was an
// allocation per ack and per heartbeat ping of every session (TryWritev
// keeps its argument, which so escaped); one kept by each session would
// hold its room while the session idles.
var scratch = sync.Pool{New: func() any { return new(poolWriter) }}

// put lets the scratch space's frames go and gives it back.
func (w *poolWriter) put() {
	clear(w.items)
	clear(w.bufs)
	scratch.Put(w)
}

// writeClaimed visits s, claimed from its lane, on the calling goroutine:
// one non-blocking writev of its queue, the priority lane first.
func (p *writerPool) writeClaimed(s *session) {
	w := scratch.Get().(*poolWriter)
	again := s.visit(w)
	w.put()
	if again {
		p.add(s)
	}
}

func (p *writerPool) enqueueLocked(s *session, hi bool) {
	st := &s.pool
	st.seq++
	st.queued = true
	e := poolEntry{s: s, seq: st.seq}
	if hi {
		p.hi.push(e)
		p.hiWaiting.Store(true)
	} else {
		p.lo.push(e)
	}
	if p.idle > 0 {
		p.idle--
		p.wake <- struct{}{} // never blocks: one token per idle worker, at most cap
	}
}

// take moves up to n waiting sessions to dst, the hi lane's first, waiting
// for one if none is; ok false once the pool stopped.
func (p *writerPool) take(dst []*session, n int) ([]*session, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		for len(dst) < n {
			s := p.hi.pop()
			if s == nil {
				p.hiWaiting.Store(false)
				s = p.lo.pop()
			}
			if s == nil {
				break
			}
			dst = append(dst, s)
		}
		if len(dst) > 0 {
			return dst, true
		}
		if p.stop {
			return dst, false
		}
		p.idle++
		p.mu.Unlock()
		<-p.wake
		p.mu.Lock()
	}
}

func (p *writerPool) work() {
	defer p.wg.Done()
	var w poolWriter
	batch := make([]*session, 0, poolYield)
	for {
		var ok bool
		batch, ok = p.take(batch[:0], poolYield)
		if !ok {
			return
		}
		for i, s := range batch {
			if s.visit(&w) {
				p.add(s)
			}
			batch[i] = nil
			if p.hiWaiting.Load() {
				p.serveHi(&w)
			}
		}
		// The readers it wakes run on this P, next.
		p.reads.poll()
		runtime.Gosched()
	}
}

// serveHi visits the sessions of the hi lane, until it is empty.
func (p *writerPool) serveHi(w *poolWriter) {
	for {
		p.mu.Lock()
		s := p.hi.pop()
		if s == nil {
			p.hiWaiting.Store(false)
		}
		p.mu.Unlock()
		if s == nil {
			return
		}
		if s.visit(w) {
			p.add(s)
		}
	}
}

// close stops the workers once they are done with the sessions in hand:
// those waiting and later ones go to writer goroutines of their own.
func (p *writerPool) close() {
	p.mu.Lock()
	p.stop = true
	rest := append(p.hi.rest(), p.lo.rest()...)
	for ; p.idle > 0; p.idle-- {
		p.wake <- struct{}{}
	}
	p.mu.Unlock()
	for _, s := range rest {
		go s.writeLoop()
	}
	p.wg.Wait()
}

// poolWriter is a worker's scratch space, reused from one session to the
// next.
type poolWriter struct {
	items []hub.Item
	bufs  net.Buffers
}

// visit writes one batch of s's queue with one non-blocking writev, on a
// pool worker, and reports whether s has more to write (the worker then
// puts it back in line). Anything that needs waiting (a socket that did
// not take the whole batch, a close, an overflow) goes to a writer
// goroutine of s's own, with the unwritten rest of the batch.
func (s *session) visit(w *poolWriter) (again bool) {
	q := s.sub.Q
	if s.isClosing() || s.snd == nil || len(s.pend) > 0 || q.Overflowed() {
		go s.writeLoop()
		return false
	}
	err := s.flushTry(w)
	if err != nil {
		// The rest of the batch must not live in the worker's scratch
		// space, which the next session reuses.
		s.pend = append(net.Buffers(nil), s.pend...)
		clear(w.bufs)
		go s.writeLoop()
		return false
	}
	if q.Overflowed() {
		// It overflowed during the write (the kick it gave found this
		// writer running): the close is writeLoop's.
		go s.writeLoop()
		return false
	}
	if q.Len() > 0 {
		return true
	}
	if s.release() {
		// A close or an overflow goes to writeLoop, a push back in line.
		s.handOff()
	}
	return false
}

// errWouldBlock: the socket did not take a whole batch at once.
var errWouldBlock = errors.New("ws: socket full, write would block")

// flushTry pops up to poolVisit messages and writes them with one
// non-blocking writev, keeping what the socket did not take in s.pend. It
// returns errBacked (before writing) when the client's send buffer is more
// than half full, as flush does, errWouldBlock when the socket took part
// of the batch, or the connection's error.
func (s *session) flushTry(w *poolWriter) error {
	w.items = s.sub.Q.Pop(w.items[:0], poolVisit)
	if len(w.items) == 0 {
		return nil
	}
	b, n := s.appendFrames(w.bufs[:0], w.items)
	w.bufs = b
	// As flush does, but without its look when the queue is old: a
	// non-blocking write cannot block on a client that stopped reading,
	// and every lookEvery bytes written still bring a look, which keeps
	// room for the close frame.
	if (s.hot || s.unchecked >= s.lookEvery || n > s.lookEvery) && s.sendBufferBacked() {
		s.pend = b
		return errBacked
	}
	// The connection's deadline must not have lapsed, non-blocking as
	// the write is: Go refuses any write on a connection past its
	// deadline (the handshake's, 10 s after it), and every session then
	// went to a goroutine of its own once per write timeout.
	s.armWriteDeadline()
	wrote, err := s.snd.TryWritev(b)
	s.unchecked += wrote
	if err != nil {
		s.pend = b
		return err
	}
	rest := sockopt.Consumed(b, wrote)
	if sent := len(b) - len(rest); sent > 0 {
		s.cfg.Metrics.Sent(s.format.String(), sent, wrote)
	}
	if len(rest) > 0 {
		s.pend = rest
		return errWouldBlock
	}
	clear(b) // let the batch's frames go
	return nil
}
