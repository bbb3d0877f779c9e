package ws

import (
	"errors"
	"net"
	"time"

	"github.com/gobwas/ws"

	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/internal/sockopt"
)

var pingFrame = ws.MustCompileFrame(ws.NewPingFrame(nil))

// maxBatch bounds how many queued messages go into one vectored write.
const maxBatch = 512

// writerLinger is how long a writer with nothing to write waits for more
// before it exits; a stream with a message at least this often keeps its
// writers.
const writerLinger = time.Second

// writeLoop is the session's only writer while it runs: queued messages,
// pings, and the close frame at the end. With a writer pool (pool.go) it
// is the slow path: the pool hands it a session whose client fell behind,
// that is closing or whose queue overflowed, and it gives the session back
// as soon as a flush empties the queue. Without one, kick starts it for
// every session with something to write, and it exits after writerLinger
// with nothing to do, so that an idle session holds no goroutine for
// writing.
func (s *session) writeLoop() {
	q := s.sub.Q
	items := make([]hub.Item, 0, 8)
	bufs := make(net.Buffers, 0, 8)
	idle := time.NewTimer(writerLinger)
	defer idle.Stop()
	var backedSince time.Time // when the client's socket was first found backed up, since the last progress
	backoff := backedPoll     // how long the next wait on a backed-up socket lasts
	for {
		if s.isClosing() {
			if c := s.closeCode; c != ws.StatusAbnormalClosure && c != 0 {
				// What was queued before the close goes first: the replies
				// to the messages read before it (the error answering a
				// malformed message, the acks of live orders before a
				// rate-limit 1008), and at shutdown the last events. shut
				// bounds these writes to closeWait.
				_ = s.flush(&items, &bufs, q.Len())
			}
			s.writeClose()
			close(s.closed) // the writing flag stays set: no writer after this one
			return
		}
		overflowed := q.Overflowed()
		err := s.flush(&items, &bufs, -1)
		if err == errBacked {
			if backedSince.IsZero() {
				backedSince = time.Now()
			}
			stalled := time.Since(backedSince) > s.cfg.WriteTimeout
			if stalled && !q.Overflowed() {
				// No progress for the whole write timeout: the client
				// stopped reading. (A queue that overflowed was counted
				// by the hub already, as a backlog.)
				s.cfg.Hub.SlowConsumer(s.sub, hub.SlowWrite, q.Backlog())
			}
			if overflowed || stalled {
				// What is left cannot reach the client in time. The
				// socket still has room for the close frame, which it will
				// read after the data that did go out.
				s.shut(StatusSlowConsumer, closeReason(StatusSlowConsumer))
				continue
			}
			s.waitBacked(backoff)
			backoff = min(2*backoff, backedPollMax)
			continue
		}
		backedSince, backoff = time.Time{}, backedPoll
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && !s.isClosing() && !q.Overflowed() {
				// The client stopped reading: one write stayed blocked for
				// the whole write timeout. Nothing can be sent to it any
				// more (1006), but it is a slow consumer all the same.
				s.cfg.Hub.SlowConsumer(s.sub, hub.SlowWrite, q.Backlog())
			}
			s.shut(ws.StatusAbnormalClosure, "")
			s.kill()
			continue
		}
		if overflowed {
			// The queue took nothing after it overflowed, and what it holds
			// (at most the backlog limit) was just sent: a contiguous prefix
			// of every stream, replies included. Closing without it made a
			// resume whose replay passes the limit fail before its first
			// message, every time: the client came back with the same
			// since, forever.
			s.shut(StatusSlowConsumer, closeReason(StatusSlowConsumer))
			continue
		}
		if s.snd.CanTryWritev() && s.srv.writers() != nil {
			// The wait is over: the pool writes for this session again.
			if s.release() {
				if s.isClosing() || q.Overflowed() {
					continue
				}
				s.handOff()
			}
			return
		}
		idle.Reset(writerLinger)
		select {
		case <-s.closing:
		case <-q.Ready():
		case <-idle.C:
			// (No batch is held back here: a flush that returned nil left
			// none, and the field is no longer this goroutine's.)
			if s.release() {
				continue
			}
			return
		}
	}
}

// errBacked stops a flush whose client is not keeping up: its socket's
// send buffer is more than half full.
var errBacked = errors.New("ws: client not keeping up")

// flush writes what is queued, a batch per vectored write, and returns
// the error of a write that failed, or errBacked. With limit < 0 it
// writes until the queue is empty or the session starts closing; else it
// writes at most limit messages, closing or not.
//
// It never blocks on a client that stopped reading, so that a close frame
// always fits: every sendBuffer/8 bytes written (and before every write
// once a quarter of the buffer is in use, or when the writer falls behind)
// it asks the kernel how much of the bounded send buffer is taken, and
// stops while more than half is, keeping the rest of the batch for later;
// and it writes a large batch in pieces of at most sendBuffer/8 bytes. A
// client that keeps up costs one getsockopt per 16 KiB it is sent.
func (s *session) flush(items *[]hub.Item, bufs *net.Buffers, limit int) error {
	for {
		if len(s.pend) == 0 {
			if limit == 0 || limit < 0 && s.isClosing() {
				return nil
			}
			n := maxBatch
			if limit > 0 {
				n = min(n, limit)
				limit -= n
			}
			*items = s.sub.Q.Pop((*items)[:0], n)
			if len(*items) == 0 {
				return nil
			}
			b, _ := s.appendFrames((*bufs)[:0], *items)
			*bufs, s.pend = b, b
		}
		if s.snd != nil && (s.hot || s.unchecked >= s.lookEvery || s.sub.Q.Behind(maxBatch, behindAge)) && s.sendBufferBacked() {
			return errBacked
		}
		k, n := len(s.pend), 0
		for i, b := range s.pend {
			if i > 0 && n+len(b) > s.lookEvery {
				k = i
				break
			}
			n += len(b)
		}
		if err := s.write(s.pend[:k], k, n); err != nil {
			return err
		}
		s.pend = s.pend[k:]
		if len(s.pend) == 0 {
			clear(*bufs) // let the batch's frames go
			s.pend = nil
		}
	}
}

// appendFrames appends the bytes of items, in the session's format, to
// dst, clears items (the queue's references to the frames go), and
// returns dst with the number of bytes.
func (s *session) appendFrames(dst net.Buffers, items []hub.Item) (net.Buffers, int) {
	n := 0
	for i, it := range items {
		b := it.Own
		if it.Frame != nil {
			b = it.Frame.WS(s.format)
		}
		dst = append(dst, b)
		n += len(b)
		items[i] = hub.Item{}
	}
	return dst, n
}

// sendBufferBacked asks the kernel how much of the session's bounded send
// buffer is taken, and reports whether more than half is (errBacked: the
// client is not keeping up, and what is left keeps room for a close
// frame). From a quarter on, the writers look before every write (hot).
func (s *session) sendBufferBacked() bool {
	s.unchecked = 0
	hot, backed, ok := s.snd.Look()
	if !ok {
		return false
	}
	s.hot = hot
	return backed
}

// release lets go of the session's writing flag, and takes it back if a
// push, a close or an overflow came meanwhile (it saw a writer running and
// started none): true then, and the caller still writes.
func (s *session) release() bool {
	s.writing.Store(false)
	q := s.sub.Q
	return (q.Len() > 0 || s.isClosing() || q.Overflowed()) && s.writing.CompareAndSwap(false, true)
}

// write sends bufs (n bytes) with vectored writes under the write
// deadline and counts msgs messages; it returns the write's error.
// On Linux it writes through the Sender, whose iovec array is lent for the
// write: net.Buffers.WriteTo leaves one in Go's poller per connection, as
// long as the longest batch it was given, for the connection's life
// (5–13 MB, still growing, among 10,000 subscribers with traders). Both
// consume the slice they are called on: they work on a copy of the header,
// so that the caller keeps its backing array for the next batch (and
// nothing escapes to the heap).
func (s *session) write(bufs net.Buffers, msgs, n int) error {
	s.armWriteDeadline()
	s.wbuf = bufs
	var err error
	if s.snd.CanTryWritev() {
		_, err = s.snd.Writev(s.wbuf)
	} else {
		_, err = s.wbuf.WriteTo(s.raw)
	}
	s.wbuf = nil // do not pin the batch's buffers while the session idles
	s.unchecked += n
	if err != nil {
		return err
	}
	if msgs > 0 {
		s.cfg.Metrics.Sent(s.format.String(), msgs, n)
	}
	return nil
}

// armWriteDeadline keeps a write deadline of about WriteTimeout ahead of
// every write, moving it only when less than half of it is left: setting
// it on every write cost ~3% of the server's CPU under fan-out load.
func (s *session) armWriteDeadline() {
	if s.isClosing() { // shut has set its shorter bound
		_ = s.raw.SetWriteDeadline(time.Now().Add(closeWait))
		return
	}
	now := time.Now()
	if s.cutShort.Swap(false) || s.deadline.Sub(now) < s.cfg.WriteTimeout/2 {
		s.deadline = now.Add(s.cfg.WriteTimeout)
		_ = s.raw.SetWriteDeadline(s.deadline)
		if s.isClosing() { // shut ran meanwhile: its bound wins
			_ = s.raw.SetWriteDeadline(time.Now().Add(closeWait))
		}
	}
}

// behindAge is how long a message may wait in the queue before the writer
// checks whether its client keeps up.
const behindAge = 100 * time.Millisecond

// waitBacked waits while the client's socket is backed up: until the
// session closes, the queue overflows (the hub's budget is spent) or takes
// a message, or d has passed to look again.
func (s *session) waitBacked(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-s.closing:
	case <-s.sub.Q.Ready():
	case <-t.C:
	}
}

// backedPoll is how soon a writer waiting on a backed-up client first looks
// again; each look that finds no progress doubles the wait, up to
// backedPollMax, so that a thousand clients that stopped reading cost a few
// thousand wake-ups a second, not fifty thousand. Progress resets it.
const (
	backedPoll    = 20 * time.Millisecond
	backedPollMax = 320 * time.Millisecond
)

// writeClose sends the close frame, then gives the client a moment to
// answer before the reader gives up.
func (s *session) writeClose() {
	code := s.closeCode
	if code == ws.StatusAbnormalClosure || code == 0 {
		_ = s.src.setDeadline(time.Now())
		return // the connection is gone or broken: nothing can be sent
	}
	frame := ws.MustCompileFrame(ws.NewCloseFrame(ws.NewCloseFrameBody(code, s.closeMsg)))
	_ = s.raw.SetWriteDeadline(time.Now().Add(closeWait))
	_, _ = s.raw.Write(frame)
	_ = s.src.setDeadline(time.Now().Add(closeWait))
}

// urgent runs when a message is pushed to the priority lane (an ack, a
// reply, a private message), on the goroutine that pushed it (the hub, or
// the session's reader): if no writer runs, it writes the priority
// messages itself with one non-blocking writev, so that an ack reaches the
// socket now rather than after a writer has waited its turn behind the
// thousands a broadcast woke. What the socket does not take at once, and
// anything else queued, is left to a writer. If the writer is the pool's
// and the session waits in its line, this goroutine takes it out of line
// and writes its queue, the priority lane first (writerPool.claim).
func (s *session) urgent() {
	if !s.writing.CompareAndSwap(false, true) {
		// A writer runs: it takes the priority lane next. If that is the
		// pool's and the session waits its turn there, this goroutine
		// takes it out of line and writes for it now.
		if p := s.srv.writers(); p != nil && p.claim(s) {
			p.writeClaimed(s)
		}
		return
	}
	if s.isClosing() || s.snd == nil {
		go s.writeLoop()
		return
	}
	w := scratch.Get().(*poolWriter)
	defer w.put()
	w.items = s.sub.Q.PopPri(w.items[:0], urgentMax)
	items := w.items
	bufs, n := s.appendFrames(w.bufs[:0], items)
	w.bufs = bufs
	s.armWriteDeadline() // as flushTry: a lapsed deadline refuses the write
	wrote, err := s.snd.TryWritev(bufs)
	if err != nil {
		// The connection is broken: the writer finds out again and ends
		// the session the usual way.
		go s.writeLoop()
		return
	}
	if wrote > 0 {
		s.cfg.Metrics.Sent(s.format.String(), len(items), wrote)
	}
	if wrote < n {
		// The writer sends the rest first. It must not live in the
		// pooled scratch, which the next urgent write reuses.
		s.pend = append(net.Buffers(nil), sockopt.Consumed(bufs, wrote)...)
		go s.writeLoop()
		return
	}
	// Something pushed meanwhile, or a close began (shut kicks a writer to
	// send the close frame), saw a writer running and started none.
	if s.release() {
		s.handOff()
	}
}

// urgentMax bounds the messages one urgent write takes from the priority
// lane; a writer sends the rest.
const urgentMax = 8
