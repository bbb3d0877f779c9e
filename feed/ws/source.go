package ws

import "net"

// source is the frame reader's input: the bytes fasthttp had read past the
// upgrade request, then a byte read ahead by await, then the connection.
type source struct {
	prefix []byte
	peek   [1]byte
	peeked bool
	conn   net.Conn
}

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
	return r.conn.Read(b)
}

// await blocks until the client has sent something, reading one byte in a
// call one level deep: between messages a session's goroutine is parked
// with a small stack, which the runtime then shrinks. With bytes already
// buffered it returns at once.
func (r *source) await() error {
	if len(r.prefix) > 0 || r.peeked {
		return nil
	}
	n, err := r.conn.Read(r.peek[:])
	r.peeked = n == 1
	return err
}
