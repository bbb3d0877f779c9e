package wire

import "encoding/binary"

// mpScan reads msgpack from a byte slice without allocating. It backs
// DecodeHeader's fast path and the bounded skipping used by readerMsgpack.
// Every declared length is checked against the bytes actually left before
// it is used. On errType the position is unchanged.
type mpScan struct {
	b []byte
	p int
}

func (s *mpScan) left() int { return len(s.b) - s.p }

// need returns the n bytes after the code byte at s.p, or errSyntax.
func (s *mpScan) need(n int) ([]byte, error) {
	if s.left() < 1+n {
		return nil, errSyntax
	}
	return s.b[s.p+1 : s.p+1+n], nil
}

// lenField decodes a 1, 2 or 4 byte big-endian length after the code byte
// and advances past code and length.
func (s *mpScan) lenField(size int) (int, error) {
	x, err := s.need(size)
	if err != nil {
		return 0, err
	}
	var n int
	switch size {
	case 1:
		n = int(x[0])
	case 2:
		n = int(binary.BigEndian.Uint16(x))
	default:
		n = int(binary.BigEndian.Uint32(x))
	}
	s.p += 1 + size
	return n, nil
}

// lenHeader describes a msgpack length header: the fix form (code&mask ==
// fix, the length in the other bits), the codes of its 8-, 16- and 32-bit
// length forms (0: none), and the fewest bytes one element can take, so
// that a declared length the bytes left cannot hold is malformed.
type lenHeader struct {
	mask, fix     byte
	c8, c16, c32  byte
	minPerElement int
}

var (
	mapHeader   = lenHeader{0xf0, 0x80, 0, mpMap16, mpMap32, 2} // a key and a value
	arrayHeader = lenHeader{0xf0, 0x90, 0, mpArr16, mpArr32, 1}
	strHeader   = lenHeader{0xe0, 0xa0, mpStr8, mpStr16, mpStr32, 1} // str only, not bin
)

// length reads a header described by h and returns the declared length.
func (s *mpScan) length(h lenHeader) (int, error) {
	if s.left() < 1 {
		return 0, errSyntax
	}
	c := s.b[s.p]
	var n int
	var err error
	switch {
	case c&h.mask == h.fix:
		n = int(c &^ h.mask)
		s.p++
	case h.c8 != 0 && c == h.c8:
		n, err = s.lenField(1)
	case c == h.c16:
		n, err = s.lenField(2)
	case c == h.c32:
		n, err = s.lenField(4)
	default:
		return 0, errType
	}
	if err != nil {
		return 0, err
	}
	if n > s.left()/h.minPerElement {
		return 0, errSyntax
	}
	return n, nil
}

// mapLen reads a map header.
func (s *mpScan) mapLen() (int, error) { return s.length(mapHeader) }

// arrayLen reads an array header.
func (s *mpScan) arrayLen() (int, error) { return s.length(arrayHeader) }

// strLen reads a str header (not bin) and returns the payload length.
func (s *mpScan) strLen() (int, error) { return s.length(strHeader) }

// str reads a str value of at most max bytes (0: any); the result aliases
// the input. Short strings (fixstr: every key and most values) take an
// inlinable fast path.
func (s *mpScan) str(max int) ([]byte, error) {
	if p := s.p; p < len(s.b) && s.b[p]&0xe0 == 0xa0 {
		n := int(s.b[p] & 0x1f)
		if end := p + 1 + n; end <= len(s.b) && (max == 0 || n <= max) {
			s.p = end
			return s.b[p+1 : end], nil
		}
	}
	return s.strSlow(max)
}

func (s *mpScan) strSlow(max int) ([]byte, error) {
	p := s.p
	n, err := s.strLen()
	if err != nil {
		return nil, err
	}
	if max > 0 && n > max {
		s.p = p
		return nil, errTooLong
	}
	v := s.b[s.p : s.p+n]
	s.p += n
	return v, nil
}

// number reads any msgpack integer as sign and magnitude.
func (s *mpScan) number() (neg bool, mag uint64, err error) {
	if s.left() < 1 {
		return false, 0, errSyntax
	}
	c := s.b[s.p]
	switch {
	case c <= 0x7f:
		s.p++
		return false, uint64(c), nil
	case c >= 0xe0:
		s.p++
		return true, uint64(-int64(int8(c))), nil
	}
	var size int
	signed := false
	switch c {
	case mpUint8, mpUint16, mpUint32, mpUint64:
		size = 1 << (c - mpUint8)
	case mpInt8, mpInt16, mpInt32, mpInt64:
		size = 1 << (c - mpInt8)
		signed = true
	default:
		return false, 0, errType
	}
	x, err := s.need(size)
	if err != nil {
		return false, 0, err
	}
	var u uint64
	var i int64
	switch size {
	case 1:
		u, i = uint64(x[0]), int64(int8(x[0]))
	case 2:
		v := binary.BigEndian.Uint16(x)
		u, i = uint64(v), int64(int16(v))
	case 4:
		v := binary.BigEndian.Uint32(x)
		u, i = uint64(v), int64(int32(v))
	default:
		v := binary.BigEndian.Uint64(x)
		u, i = v, int64(v)
	}
	s.p += 1 + size
	if signed && i < 0 {
		return true, uint64(-(i + 1)) + 1, nil
	}
	if signed {
		return false, uint64(i), nil
	}
	return false, u, nil
}

// uint reads a non-negative integer.
func (s *mpScan) uint() (uint64, error) {
	p := s.p
	neg, mag, err := s.number()
	if err == nil && neg {
		s.p = p
		return 0, errRange
	}
	return mag, err
}

// int reads an integer that fits int64.
func (s *mpScan) int() (int64, error) {
	p := s.p
	neg, mag, err := s.number()
	switch {
	case err != nil:
		return 0, err
	case neg && mag <= 1<<63:
		return -int64(mag-1) - 1, nil
	case !neg && mag < 1<<63:
		return int64(mag), nil
	}
	s.p = p
	return 0, errRange
}

// skip skips one value of any type, nested at most maxDepth deep.
func (s *mpScan) skip(depth int) error {
	if depth > maxDepth {
		return errDepth
	}
	if s.left() < 1 {
		return errSyntax
	}
	c := s.b[s.p]
	switch {
	case c <= 0x7f || c >= 0xe0 || c == mpNil || c == mpFalse || c == mpTrue:
		s.p++
		return nil
	case c&0xe0 == 0xa0 || c == mpStr8 || c == mpStr16 || c == mpStr32:
		_, err := s.str(0)
		return err
	case c&0xf0 == 0x90 || c == mpArr16 || c == mpArr32:
		n, err := s.arrayLen()
		for i := 0; i < n && err == nil; i++ {
			err = s.skip(depth + 1)
		}
		return err
	case c&0xf0 == 0x80 || c == mpMap16 || c == mpMap32:
		n, err := s.mapLen()
		for i := 0; i < 2*n && err == nil; i++ {
			err = s.skip(depth + 1)
		}
		return err
	}
	return s.skipScalar(c)
}

// skipScalar skips numbers, bin and ext values.
func (s *mpScan) skipScalar(c byte) error {
	var n int
	var err error
	switch c {
	case mpUint8, mpInt8:
		n = 1
	case mpUint16, mpInt16:
		n = 2
	case mpUint32, mpInt32, mpFloat32:
		n = 4
	case mpUint64, mpInt64, mpFloat64:
		n = 8
	case mpFixExt1, mpFixExt2, mpFixExt4, mpFixExt8, mpFix16:
		n = 1 + 1<<(c-mpFixExt1) // type byte + data
	case mpBin8, mpBin16, mpBin32:
		n, err = s.lenField(1 << (c - mpBin8))
		return s.advance(n, err)
	case mpExt8, mpExt16, mpExt32:
		n, err = s.lenField(1 << (c - mpExt8))
		return s.advance(n+1, err)
	default: // 0xc1, never used
		return errSyntax
	}
	if _, err := s.need(n); err != nil {
		return err
	}
	s.p += 1 + n
	return nil
}

// advance moves past n payload bytes after a length field.
func (s *mpScan) advance(n int, err error) error {
	if err != nil {
		return err
	}
	if n > s.left() {
		return errSyntax
	}
	s.p += n
	return nil
}
