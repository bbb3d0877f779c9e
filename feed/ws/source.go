package ws

import (
	"errors"
	"io"
	"net"
	"os"
	"sync/atomic"
	"time"

	"github.com/gobwas/ws/wsutil"
)

// source is the frame reader's input: the bytes fasthttp had read past the
// upgrade request, then a byte read ahead by await, then the connection.
//
// Its reads can be poked: another goroutine that knows the client sent
// something (readPoller) moves the read deadline into the past, which
// wakes the reader parked in Go's network poller at once; the read is then
// tried again under the deadline the reader had set (setDeadline).
type source struct {
	prefix []byte
	peek   [1]byte
	peeked bool
	conn   net.Conn

	deadline atomic.Int64 // the reader's read deadline, ns since the epoch
	poked    atomic.Bool  // a poke moved the deadline; a timeout is then no timeout
}

// pokedDeadline is the past deadline a poke sets.
var pokedDeadline = time.Unix(1, 0)

func (r *source) Read(b []byte) (int, error) {
	switch {
	case len(b) == 0:
		return 0, nil
	case len(r.prefix) > 0:
		n := copy(b, r.prefix)
		r.prefix = r.prefix[n:]
		return n, nil
	case r.peeked:
		b[0], r.peeked = r.peek[0], false
		return 1, nil
	}
	return r.read(b)
}

// read reads from the connection, through pokes.
func (r *source) read(b []byte) (int, error) {
	for {
		n, err := r.conn.Read(b)
		if err == nil || !errors.Is(err, os.ErrDeadlineExceeded) || !r.poked.Swap(false) {
			return n, err
		}
		// Back to the deadline last set (by the reader, or by the writer
		// ending the session), unless one was set meanwhile.
		for {
			ns := r.deadline.Load()
			dl := time.Unix(0, ns)
			if !dl.After(time.Now()) {
				return n, err // that deadline passed too: a timeout
			}
			if err := r.conn.SetReadDeadline(dl); err != nil {
				return n, err
			}
			if r.deadline.Load() == ns {
				break
			}
		}
		if n > 0 {
			return n, nil
		}
	}
}

// setDeadline sets the read deadline the reader waits under.
func (r *source) setDeadline(t time.Time) error {
	r.deadline.Store(t.UnixNano())
	return r.conn.SetReadDeadline(t)
}

// poke wakes the reader if it waits for the client: it sent something.
func (r *source) poke() {
	if r.poked.Swap(true) {
		return // a poke is on its way
	}
	_ = r.conn.SetReadDeadline(pokedDeadline)
}

// await blocks until the client has sent something, reading one byte in a
// call one level deep: between messages a session's goroutine is parked
// with a small stack, which the runtime then shrinks. With bytes already
// buffered it returns at once.
func (r *source) await() error {
	if len(r.prefix) > 0 || r.peeked {
		return nil
	}
	n, err := r.read(r.peek[:])
	r.peeked = n == 1
	return err
}

// readMessage reads the rest of the current message (its later fragments
// included) into dst.
func readMessage(rd *wsutil.Reader, dst []byte) ([]byte, error) {
	for {
		if len(dst) == cap(dst) {
			dst = append(dst, 0)[:len(dst)]
		}
		n, err := rd.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+n]
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst, err
		}
	}
}
