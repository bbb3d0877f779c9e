package sse

import (
	"errors"
	"math"
	"net"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/internal/sockopt"
)

// Fixed records of protocol.md 7.6.
const (
	retryRecord     = "retry: 2000\n\n" // first thing on every stream
	heartbeatRecord = ": hb\n\n"
)

// popMax is the most events written in one write.
const popMax = 256

// viewer is one open stream. Its goroutine is the only writer of conn.
type viewer struct {
	ip      string
	conn    net.Conn
	chunked bool // HTTP/1.1: chunked body; HTTP/1.0: the body ends with the connection
	sub     *hub.Sub
	kicked  atomic.Bool
	// the write in progress: chunk header, records, chunk end; iov keeps
	// the backing array, bufs is consumed by the write.
	iov  [][]byte
	bufs net.Buffers
	hdr  [20]byte
	// the bounded send buffer, looked at as lookSocket says; pend holds
	// the records of a batch not yet written while it is backed up.
	snd       *sockopt.Sender
	lookEvery int
	unchecked int
	hot       bool
	pend      [][]byte
}

// past is a deadline that has always passed.
var past = time.Unix(1, 0)

// kick makes the viewer's pending and future writes fail at once.
func (v *viewer) kick() {
	v.kicked.Store(true)
	_ = v.conn.SetWriteDeadline(past)
}

// send writes pre as it is, then records as one chunk (HTTP/1.1) or as
// they are (HTTP/1.0), in one system call, giving it d to complete: a
// deadline per write, since the whole response has none. A viewer that
// stops reading fails its write after d.
func (v *viewer) send(d time.Duration, pre []byte, records [][]byte) error {
	iov := v.iov[:0]
	if len(pre) > 0 {
		iov = append(iov, pre)
	}
	n := 0
	for _, r := range records {
		n += len(r)
	}
	chunk := v.chunked && n > 0 // an empty chunk would end the body
	if chunk {
		h := strconv.AppendUint(v.hdr[:0], uint64(n), 16)
		iov = append(iov, append(h, '\r', '\n'))
	}
	iov = append(iov, records...)
	if chunk {
		iov = append(iov, crlf)
	}
	v.iov, v.bufs = iov, iov
	_ = v.conn.SetWriteDeadline(time.Now().Add(d))
	if v.kicked.Load() { // a kick between the two lines must not be undone
		_ = v.conn.SetWriteDeadline(past)
	}
	_, err := v.bufs.WriteTo(v.conn)
	clear(iov) // let the frames go
	return err
}

var crlf = []byte("\r\n")

// The fixed parts of a response this package writes itself.
var (
	retry     = [][]byte{[]byte(retryRecord)}
	heartbeat = [][]byte{[]byte(heartbeatRecord)}
	lastChunk = []byte("0\r\n\r\n")
)

// head is the response header of a stream (protocol.md 7.6).
func (s *Server) head(chunked bool) []byte {
	h := "HTTP/1.1 200 OK\r\nServer: tickcast\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n" +
		"X-Accel-Buffering: no\r\n" + // nginx: pass each write on at once, never spool it
		"Access-Control-Allow-Origin: " + s.cfg.CORSOrigin + "\r\nConnection: close\r\n"
	if chunked {
		h += "Transfer-Encoding: chunked\r\n"
	}
	return []byte(h + "\r\n")
}

// stream writes the header, then one viewer's events, until the viewer
// goes, falls too far behind, or the server shuts down. Every return ends
// the response (cleanly when the connection still takes writes); the
// browser then reconnects with Last-Event-ID and resumes.
func (s *Server) stream(v *viewer, done <-chan struct{}) {
	// The header and the retry record in one write: the header reaches the
	// client before any event exists.
	if v.send(s.cfg.WriteTimeout, s.head(v.chunked), retry) != nil {
		return
	}
	epoch := s.cfg.Hub.Epoch()
	beat := time.NewTicker(s.cfg.Heartbeat)
	defer beat.Stop()
	poll := time.NewTimer(time.Hour)
	poll.Stop()
	defer poll.Stop()
	var items []hub.Item
	var recs [][]byte
	var backedSince time.Time // when the socket was first found backed up, since the last progress
	backoff := backedPoll     // how long the next wait on a backed-up socket lasts
	for {
		select {
		case <-done:
			v.end(s.cfg.WriteTimeout)
			return
		case <-s.shutdown:
			v.end(s.cfg.WriteTimeout)
			return
		case <-beat.C:
			if len(v.pend) > 0 {
				continue // backed up: data is waiting, a heartbeat would only block
			}
			if err := v.send(s.cfg.WriteTimeout, nil, heartbeat); err != nil {
				s.writeFailed(v, err)
				return
			}
			continue
		case <-v.sub.Q.Ready():
		case <-poll.C:
		}
		var backed, ok bool
		if items, recs, backed, ok = s.drain(v, epoch, items, recs, done); !ok {
			return
		}
		if v.sub.Q.Overflowed() {
			// A slow viewer: the hub has dropped it, and it has now got
			// everything queued before that (or, not reading at all,
			// what its socket took: the end of the stream still fits).
			// It resumes from there.
			v.end(s.cfg.WriteTimeout)
			return
		}
		if !backed {
			backedSince, backoff = time.Time{}, backedPoll
			continue
		}
		if backedSince.IsZero() {
			backedSince = time.Now()
		} else if time.Since(backedSince) > s.cfg.WriteTimeout {
			// No progress for the whole write timeout: the viewer stopped
			// reading. The end of the stream still fits.
			s.cfg.Hub.SlowConsumer(v.sub, hub.SlowWrite, v.sub.Q.Backlog())
			v.end(s.cfg.WriteTimeout)
			return
		}
		poll.Reset(backoff)
		backoff = min(2*backoff, backedPollMax)
	}
}

// backedPoll is how soon a viewer's writer, waiting on a backed-up socket,
// first looks again; each look without progress doubles the wait up to
// backedPollMax (a thousand stalled viewers cost a few thousand wake-ups a
// second, not fifty thousand). Progress resets it.
const (
	backedPoll    = 20 * time.Millisecond
	backedPollMax = 320 * time.Millisecond
)

// writeFailed reports a viewer whose write stayed blocked for the whole
// write timeout as a slow consumer; other failures (the viewer left, the
// server kicked it at shutdown) are not.
func (s *Server) writeFailed(v *viewer, err error) {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() && !v.kicked.Load() && !v.sub.Q.Overflowed() {
		s.cfg.Hub.SlowConsumer(v.sub, hub.SlowWrite, v.sub.Q.Backlog())
	}
}

// end terminates a chunked body: the client can tell a finished response
// from a cut one.
func (v *viewer) end(d time.Duration) {
	if v.chunked {
		_ = v.send(d, lastChunk, nil)
	}
}

// drain writes the viewer's queue until it is empty, one write per batch.
// It reports false when the stream must end: a failed write, or shutdown
// (checked between batches, so a busy stream does not delay it); backed
// when it stopped because the viewer's socket is backed up, its records
// kept for later (see lookSocket).
func (s *Server) drain(v *viewer, epoch string, items []hub.Item, recs [][]byte, done <-chan struct{}) (_ []hub.Item, _ [][]byte, backed, ok bool) {
	for {
		if len(v.pend) == 0 {
			items = v.sub.Q.Pop(items[:0], popMax)
			if len(items) == 0 {
				return items, recs, false, true
			}
			recs = recs[:0]
			for i, it := range items {
				b := it.Own
				if it.Frame != nil {
					b = it.Frame.SSE(epoch) // built once, shared by every viewer
				}
				recs = append(recs, b)
				items[i] = hub.Item{}
			}
			v.pend = recs
		}
		if v.lookSocket() {
			return items, recs, true, true
		}
		k, n, most := len(v.pend), 0, v.lookEvery
		if most <= 0 {
			most = math.MaxInt // no bounded buffer: one write a batch
		}
		for i, b := range v.pend {
			if i > 0 && n+len(b) > most {
				k = i
				break
			}
			n += len(b)
		}
		err := v.send(s.cfg.WriteTimeout, nil, v.pend[:k])
		v.unchecked += n
		if err != nil {
			clear(recs)
			v.pend = nil
			s.writeFailed(v, err)
			return items, recs, false, false
		}
		s.cfg.Sent(k, n)
		if v.pend = v.pend[k:]; len(v.pend) == 0 {
			clear(recs)
			v.pend = nil
		}
		select {
		case <-s.shutdown:
			v.end(s.cfg.WriteTimeout)
			return items, recs, false, false
		case <-done:
			v.end(s.cfg.WriteTimeout)
			return items, recs, false, false
		default:
		}
	}
}

// lookSocket reports whether the viewer's socket is backed up: more than
// half of its bounded send buffer taken. It asks the kernel every
// lookEvery bytes written, before every write once a quarter is taken,
// and when the viewer falls behind; so a viewer that stops reading never
// blocks its writer, and the end of the stream still fits.
func (v *viewer) lookSocket() bool {
	if v.snd == nil || !(v.hot || v.unchecked >= v.lookEvery || v.sub.Q.Behind(popMax, behindAge)) {
		return false
	}
	v.unchecked = 0
	hot, backed, ok := v.snd.Look()
	if !ok {
		return false
	}
	v.hot = hot
	return backed
}

// behindAge is how long a message may wait before the writer checks
// whether its viewer keeps up.
const behindAge = 100 * time.Millisecond
