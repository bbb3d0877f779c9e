package sse

import (
	"bufio"
	"net"
	"sync/atomic"
	"time"

	"github.com/tickcast/tickcast/feed/hub"
)

// Fixed records of PROTOCOL 7.
const (
	retryRecord     = "retry: 2000\n\n" // first thing on every stream
	heartbeatRecord = ": hb\n\n"
)

// popMax is the most events written in one flush.
const popMax = 256

// viewer is one open stream.
type viewer struct {
	ip     string
	conn   net.Conn // the viewer's connection, for write deadlines only
	sub    *hub.Sub
	kicked atomic.Bool
}

// past is a deadline that has always passed.
var past = time.Unix(1, 0)

// extend gives the writes of the next batch d to complete. It is called
// before the batch's first write, not before its flush: a batch bigger
// than the write buffer goes out in several writes, and a deadline left
// from a flush long ago would fail the first of them. fasthttp copies what
// the stream writer writes to the connection in another goroutine, so a
// viewer that stops reading blocks that copy; the deadline makes it fail,
// which fails the stream writer's next write or flush. The server itself
// has no WriteTimeout: that would be a deadline for the whole response.
func (v *viewer) extend(d time.Duration) {
	if v.conn == nil {
		return
	}
	_ = v.conn.SetWriteDeadline(time.Now().Add(d))
	if v.kicked.Load() { // a kick between the two lines must not be undone
		_ = v.conn.SetWriteDeadline(past)
	}
}

// kick makes every pending and future write to the viewer fail at once.
func (v *viewer) kick() {
	v.kicked.Store(true)
	if v.conn != nil {
		_ = v.conn.SetWriteDeadline(past)
	}
}

// stream writes one viewer's events until the viewer goes, falls too far
// behind, or the server shuts down. Every return ends the HTTP response;
// the browser then reconnects with Last-Event-ID and resumes.
func (s *Server) stream(w *bufio.Writer, v *viewer, done <-chan struct{}) {
	v.extend(s.cfg.WriteTimeout)
	if _, err := w.WriteString(retryRecord); err != nil || w.Flush() != nil {
		return
	}
	epoch := s.cfg.Hub.Epoch()
	beat := time.NewTicker(s.cfg.Heartbeat)
	defer beat.Stop()
	var items []hub.Item
	for {
		select {
		case <-done:
			return
		case <-s.shutdown:
			return
		case <-beat.C:
			v.extend(s.cfg.WriteTimeout)
			if _, err := w.WriteString(heartbeatRecord); err != nil || w.Flush() != nil {
				return
			}
		case <-v.sub.Q.Ready():
			if v.sub.Q.Overflowed() {
				return // a slow viewer: the hub has dropped it already
			}
			var ok bool
			if items, ok = s.drain(w, v, epoch, items, done); !ok {
				return
			}
		}
	}
}

// drain writes the viewer's queue until it is empty, one flush per batch.
// It reports false when the stream must end: a failed write, or shutdown
// (checked between batches, so a busy stream does not delay it).
func (s *Server) drain(w *bufio.Writer, v *viewer, epoch string, items []hub.Item, done <-chan struct{}) ([]hub.Item, bool) {
	for {
		items = v.sub.Q.Pop(items[:0], popMax)
		if len(items) == 0 {
			return items, true
		}
		v.extend(s.cfg.WriteTimeout)
		n := 0
		for i, it := range items {
			b := it.Own
			if it.Frame != nil {
				b = it.Frame.SSE(epoch) // built once, shared by every viewer
			}
			_, _ = w.Write(b) // a failed write makes Flush fail
			n += len(b)
			items[i] = hub.Item{} // let the frame go
		}
		if w.Flush() != nil {
			return items, false
		}
		s.cfg.Sent(len(items), n)
		select {
		case <-s.shutdown:
			return items, false
		case <-done:
			return items, false
		default:
		}
	}
}
