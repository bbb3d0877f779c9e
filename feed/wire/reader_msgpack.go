package wire

import (
	"bytes"
	"io"
	"sync"

	"github.com/vmihailenco/msgpack/v5"
)

// readerMsgpack implements reader with the msgpack.Decoder API
// (DecodeMapLen, DecodeArrayLen, DecodeBytesLen, DecodeUint64, DecodeInt64,
// DecodeBool) over a bytes.Reader, which the Decoder uses directly (it is an
// io.ByteScanner, so no bufio layer sits in between and the position is
// always known).
//
// Two things are deliberately not left to the library, because v5.4.1
// allocates on declared lengths: string payloads are sliced from the input
// after their declared length was checked against the bytes left (the
// Decoder's DecodeString would first allocate up to 1 MiB), and values are
// skipped with mpScan (Decoder.Skip reads a declared str32/bin32/ext length
// into a buffer of up to 1 MiB). Every type is checked with PeekCode before
// decoding, since the Decoder silently reads nil as 0, false or "".
type readerMsgpack struct {
	data  []byte
	br    bytes.Reader
	dec   *msgpack.Decoder
	open  [maxOpen]int // entries left in each open container
	depth int
}

var mpReaders = sync.Pool{New: func() any {
	r := &readerMsgpack{dec: msgpack.NewDecoder(nil)}
	return r
}}

// getReaderMsgpack returns a pooled reader positioned at the start of data.
func getReaderMsgpack(data []byte) *readerMsgpack {
	r := mpReaders.Get().(*readerMsgpack)
	r.data = data
	r.br.Reset(data)
	r.dec.ResetReader(&r.br)
	r.depth = 0
	return r
}

func putReaderMsgpack(r *readerMsgpack) {
	r.data = nil
	r.br.Reset(nil)
	r.dec.ResetReader(nil)
	mpReaders.Put(r)
}

var _ reader = (*readerMsgpack)(nil)

func (r *readerMsgpack) pos() int   { return len(r.data) - r.br.Len() }
func (r *readerMsgpack) seek(p int) { _, _ = r.br.Seek(int64(p), io.SeekStart) }

// peek returns the next type code without consuming it.
func (r *readerMsgpack) peek() (byte, error) {
	c, err := r.dec.PeekCode()
	if err != nil {
		return 0, errSyntax
	}
	return c, nil
}

func (r *readerMsgpack) push(n int) error {
	if r.depth == maxOpen {
		return errDepth
	}
	r.open[r.depth] = n
	r.depth++
	return nil
}

func (r *readerMsgpack) openMap(max int) error {
	c, err := r.peek()
	if err != nil {
		return err
	}
	if c&0xf0 != 0x80 && c != mpMap16 && c != mpMap32 {
		return errType
	}
	n, err := r.dec.DecodeMapLen()
	if err != nil || n < 0 || n > (len(r.data)-r.pos())/2 {
		return errSyntax
	}
	if max > 0 && n > max {
		return errTooMany
	}
	return r.push(n)
}

func (r *readerMsgpack) openArray(max int) error {
	c, err := r.peek()
	if err != nil {
		return err
	}
	if c&0xf0 != 0x90 && c != mpArr16 && c != mpArr32 {
		return errType
	}
	n, err := r.dec.DecodeArrayLen()
	if err != nil || n < 0 || n > len(r.data)-r.pos() {
		return errSyntax
	}
	if max > 0 && n > max {
		return errTooMany
	}
	return r.push(n)
}

func (r *readerMsgpack) more() (bool, error) {
	if r.depth == 0 {
		return false, errSyntax
	}
	top := &r.open[r.depth-1]
	if *top == 0 {
		r.depth--
		return false, nil
	}
	*top--
	return true, nil
}

func (r *readerMsgpack) key() ([]byte, error) {
	b, err := r.str(0)
	if err == errType {
		return nil, errSyntax // keys are strings in this protocol
	}
	return b, err
}

func (r *readerMsgpack) str(max int) ([]byte, error) {
	c, err := r.peek()
	if err != nil {
		return nil, err
	}
	if c&0xe0 != 0xa0 && c != mpStr8 && c != mpStr16 && c != mpStr32 {
		return nil, errType
	}
	p := r.pos()
	n, err := r.dec.DecodeBytesLen()
	start := r.pos()
	if err != nil || n < 0 || n > len(r.data)-start {
		return nil, errSyntax
	}
	if max > 0 && n > max {
		r.seek(p)
		return nil, errTooLong
	}
	r.seek(start + n)
	return r.data[start : start+n], nil
}

// intCode classifies c: 1 unsigned, 2 signed, 0 not an integer.
func intCode(c byte) int {
	switch {
	case c <= 0x7f || (c >= mpUint8 && c <= mpUint64):
		return 1
	case c >= 0xe0 || (c >= mpInt8 && c <= mpInt64):
		return 2
	}
	return 0
}

func (r *readerMsgpack) uint() (uint64, error) {
	c, err := r.peek()
	if err != nil {
		return 0, err
	}
	p := r.pos()
	switch intCode(c) {
	case 1:
		u, err := r.dec.DecodeUint64()
		if err != nil {
			return 0, errSyntax
		}
		return u, nil
	case 2:
		i, err := r.dec.DecodeInt64()
		if err != nil {
			return 0, errSyntax
		}
		if i < 0 {
			r.seek(p)
			return 0, errRange
		}
		return uint64(i), nil
	}
	return 0, errType
}

func (r *readerMsgpack) int() (int64, error) {
	c, err := r.peek()
	if err != nil {
		return 0, err
	}
	p := r.pos()
	switch intCode(c) {
	case 1:
		u, err := r.dec.DecodeUint64()
		if err != nil {
			return 0, errSyntax
		}
		if u > 1<<63-1 {
			r.seek(p)
			return 0, errRange
		}
		return int64(u), nil
	case 2:
		i, err := r.dec.DecodeInt64()
		if err != nil {
			return 0, errSyntax
		}
		return i, nil
	}
	return 0, errType
}

func (r *readerMsgpack) bool() (bool, error) {
	c, err := r.peek()
	if err != nil {
		return false, err
	}
	if c != mpTrue && c != mpFalse {
		return false, errType
	}
	v, err := r.dec.DecodeBool()
	if err != nil {
		return false, errSyntax
	}
	return v, nil
}

func (r *readerMsgpack) skip() error {
	s := mpScan{b: r.data, p: r.pos()}
	if err := s.skip(0); err != nil {
		return err
	}
	r.seek(s.p)
	return nil
}

func (r *readerMsgpack) end() error {
	if r.depth != 0 || r.br.Len() != 0 {
		return errSyntax
	}
	return nil
}

func (r *readerMsgpack) rewind() {
	r.br.Reset(r.data)
	r.dec.ResetReader(&r.br)
	r.depth = 0
}
