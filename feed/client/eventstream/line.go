package eventstream

import (
	"bytes"
	"errors"
	"io"
)

// maxEmptyReads is how many reads in a row may return nothing before the
// source is taken as broken (bufio does the same).
const maxEmptyReads = 100

// bom is U+FEFF BYTE ORDER MARK in UTF-8.
var bom = []byte("\uFEFF")

// line returns the next line without its terminator, a view into the
// buffer valid until the next call. Lines end with CRLF, LF or a lone CR;
// a CR ends its line at once, and an LF right after it (perhaps in a later
// read) is taken as the rest of the same terminator. At the end of the
// stream it returns the read error; what was left after the last line
// terminator is discarded, and r.cut says whether there was anything.
func (r *Reader) line() ([]byte, error) {
	scanned := 0 // bytes of buf[r.r:r.w] known to hold no terminator
	for {
		b := r.buf[r.r:r.w]
		if r.skipLF && len(b) > 0 {
			r.skipLF = false
			if b[0] == '\n' {
				r.r++
				continue
			}
		}
		if !r.started && (len(b) >= len(bom) || r.err != nil || !bytes.HasPrefix(bom, b)) {
			r.started = true
			if bytes.HasPrefix(b, bom) {
				r.r += len(bom)
				continue
			}
		}
		if r.started {
			if i := eol(b[scanned:]); i >= 0 {
				i += scanned
				r.r += i + 1
				if b[i] == '\r' {
					r.skipLF = true
				}
				return b[:i], nil
			}
			scanned = len(b)
		}
		if r.err != nil {
			r.cut = len(b) > 0
			r.r = r.w
			return nil, r.err
		}
		if err := r.fill(); err != nil {
			return nil, err
		}
	}
}

// eol returns the index of the first CR or LF in b, or -1.
func eol(b []byte) int {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return bytes.IndexByte(b, '\r')
	}
	if j := bytes.IndexByte(b[:i], '\r'); j >= 0 {
		return j
	}
	return i
}

// fill reads more of the source into the buffer, first moving what is
// left to its front and growing it when a line fills it whole. A read
// error is kept in r.err for line to report once the buffer is used up;
// the error returned is one that ends the stream at once (a line longer
// than the limit).
func (r *Reader) fill() error {
	if r.buf == nil {
		r.buf = make([]byte, r.size)
	}
	if r.r > 0 {
		r.w = copy(r.buf, r.buf[r.r:r.w])
		r.r = 0
	}
	if r.w == len(r.buf) {
		if len(r.buf) >= r.max {
			r.err = ErrTooLong
			return ErrTooLong
		}
		grown := make([]byte, min(r.max, 2*len(r.buf)))
		copy(grown, r.buf[:r.w])
		r.buf = grown
	}
	for range maxEmptyReads {
		n, err := r.src.Read(r.buf[r.w:])
		if n < 0 || n > len(r.buf)-r.w {
			r.err = errors.New("eventstream: source returned an invalid count")
			return nil
		}
		r.w += n
		if err != nil {
			r.err = err
			return nil
		}
		if n > 0 {
			return nil
		}
	}
	r.err = io.ErrNoProgress
	return nil
}

// shrink gives back a buffer that a long line grew, once what it holds
// fits the usual size again.
func (r *Reader) shrink() {
	if len(r.buf) > r.size && r.w-r.r <= r.size {
		small := make([]byte, r.size)
		r.w = copy(small, r.buf[r.r:r.w])
		r.r = 0
		r.buf = small
	}
}
