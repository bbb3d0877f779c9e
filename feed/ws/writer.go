package ws

import (
	"errors"
	"net"
	"time"

	"github.com/gobwas/ws"

	"github.com/tickcast/tickcast/feed/hub"
)

var pingFrame = ws.MustCompileFrame(ws.NewPingFrame(nil))

// maxBatch bounds how many queued messages go into one vectored write.
const maxBatch = 512

// writerLinger is how long a writer with nothing to write waits for more
// before it exits; a stream with a message at least this often keeps its
// writers.
const writerLinger = time.Second

// writeLoop is the session's only writer while it runs (kick starts it):
// queued messages, pings, and the close frame at the end. It exits after
// writerLinger with nothing to do, so that an idle session holds no
// goroutine for writing.
func (s *session) writeLoop() {
	q := s.sub.Q
	items := make([]hub.Item, 0, 8)
	bufs := make(net.Buffers, 0, 8)
	idle := time.NewTimer(writerLinger)
	defer idle.Stop()
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
		if err := s.flush(&items, &bufs, -1); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && !s.isClosing() {
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
		idle.Reset(writerLinger)
		select {
		case <-s.closing:
		case <-q.Ready():
		case <-idle.C:
			s.writing.Store(false)
			// A push between the last flush and the store saw a writer
			// running and started none: take the work back if there is any.
			if (q.Len() > 0 || s.isClosing()) && s.writing.CompareAndSwap(false, true) {
				continue
			}
			return
		}
	}
}

// flush writes what is queued, a batch per vectored write, and returns
// the error of a write that failed. With limit < 0 it writes until the
// queue is empty or the session starts closing; else it writes at most
// limit messages, closing or not.
func (s *session) flush(items *[]hub.Item, bufs *net.Buffers, limit int) error {
	format := s.format
	for limit != 0 && (limit > 0 || !s.isClosing()) {
		n := maxBatch
		if limit > 0 {
			n = min(n, limit)
			limit -= n
		}
		*items = s.sub.Q.Pop((*items)[:0], n)
		if len(*items) == 0 {
			return nil
		}
		b := (*bufs)[:0]
		for i, it := range *items {
			if it.Frame != nil {
				b = append(b, it.Frame.WS(format))
			} else {
				b = append(b, it.Own)
			}
			(*items)[i] = hub.Item{}
		}
		*bufs = b
		if err := s.write(bufs, len(*items)); err != nil {
			return err
		}
	}
	return nil
}

// write sends bufs with one vectored write under the write deadline and
// counts msgs messages; it returns the write's error. WriteTo consumes the slice it is called on: it
// works on a copy of the header, so that the caller keeps its backing
// array for the next batch (and nothing escapes to the heap).
func (s *session) write(bufs *net.Buffers, msgs int) error {
	n := 0
	for _, b := range *bufs {
		n += len(b)
	}
	s.armWriteDeadline()
	s.wbuf = *bufs
	_, err := s.wbuf.WriteTo(s.raw)
	s.wbuf = nil // do not pin the batch's buffers while the session idles
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
	if s.deadline.Sub(now) < s.cfg.WriteTimeout/2 {
		s.deadline = now.Add(s.cfg.WriteTimeout)
		_ = s.raw.SetWriteDeadline(s.deadline)
		if s.isClosing() { // shut ran meanwhile: its bound wins
			_ = s.raw.SetWriteDeadline(time.Now().Add(closeWait))
		}
	}
}

// writeClose sends the close frame, then gives the client a moment to
// answer before the reader gives up.
func (s *session) writeClose() {
	code := s.closeCode
	if code == ws.StatusAbnormalClosure || code == 0 {
		_ = s.raw.SetReadDeadline(time.Now())
		return // the connection is gone or broken: nothing can be sent
	}
	frame := ws.MustCompileFrame(ws.NewCloseFrame(ws.NewCloseFrameBody(code, s.closeMsg)))
	_ = s.raw.SetWriteDeadline(time.Now().Add(closeWait))
	_, _ = s.raw.Write(frame)
	_ = s.raw.SetReadDeadline(time.Now().Add(closeWait))
}
