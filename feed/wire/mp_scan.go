package wire

// msgpack type codes used by the scanner, by family.
const (
	mpNil, mpFalse, mpTrue                = 0xc0, 0xc2, 0xc3
	mpBin8, mpBin16, mpBin32              = 0xc4, 0xc5, 0xc6
	mpExt8, mpExt16, mpExt32              = 0xc7, 0xc8, 0xc9
	mpFloat32, mpFloat64                  = 0xca, 0xcb
	mpUint8, mpUint16, mpUint32, mpUint64 = 0xcc, 0xcd, 0xce, 0xcf
	mpInt8, mpInt16, mpInt32, mpInt64     = 0xd0, 0xd1, 0xd2, 0xd3
	mpFixExt1, mpFixExt16                 = 0xd4, 0xd8 // and 2, 4, 8 between
	mpStr8, mpStr16, mpStr32              = 0xd9, 0xda, 0xdb
	mpArr16, mpArr32                      = 0xdc, 0xdd
	mpMap16, mpMap32                      = 0xde, 0xdf
)

// mpScan reads msgpack from a byte slice without allocating: the pre-scan
// between the network and the msgpack library, whose v5.4.1 decoder
// allocates what a peer declares (up to 1 MiB per string, a million
// elements per slice). Every declared length is checked against the bytes
// left before it is used, and nesting is bounded. It backs DecodeHeader and
// the checks before the library decodes (reader).
type mpScan struct {
	b      []byte
	p      int
	frames [maxOpen]int // entries left in each open container
	depth  int
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
	s.p += 1 + size
	return int(bigEndian(x)), nil
}

// bigEndian reads an unsigned big-endian integer of len(x) bytes.
func bigEndian(x []byte) (v uint64) {
	for _, c := range x {
		v = v<<8 | uint64(c)
	}
	return v
}

// lenHeader describes a length header: its fix form (code&mask == fix),
// the codes of its 8-, 16- and 32-bit forms (0: none), and the fewest bytes
// an element takes, so that a length the bytes left cannot hold is refused.
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
	n, err := s.length(strHeader)
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
	u := bigEndian(x)
	s.p += 1 + size
	if shift := 64 - 8*size; signed && int64(u<<shift) < 0 {
		i := int64(u<<shift) >> shift // sign-extended
		return true, uint64(-(i + 1)) + 1, nil
	}
	return false, u, nil
}

// uint reads a non-negative integer.
func (s *mpScan) uint() (uint64, error) {
	p := s.p
	v, err := asUint(s.number())
	if err == errRange {
		s.p = p
	}
	return v, err
}

// int reads an integer that fits int64.
func (s *mpScan) int() (int64, error) {
	p := s.p
	v, err := asInt(s.number())
	if err == errRange {
		s.p = p
	}
	return v, err
}

// skip skips one value of any type, nested at most maxDepth deep.
func (s *mpScan) skip() error { return s.skipAt(0) }

func (s *mpScan) skipAt(depth int) error {
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
		n, err := s.length(arrayHeader)
		for i := 0; i < n && err == nil; i++ {
			err = s.skipAt(depth + 1)
		}
		return err
	case c&0xf0 == 0x80 || c == mpMap16 || c == mpMap32:
		n, err := s.length(mapHeader)
		for i := 0; i < 2*n && err == nil; i++ {
			err = s.skipAt(depth + 1)
		}
		return err
	}
	return s.skipScalar(c)
}

// skipScalar skips numbers, bin and ext values.
func (s *mpScan) skipScalar(c byte) error {
	var n int
	switch {
	case c >= mpUint8 && c <= mpUint64:
		n = 1 << (c - mpUint8)
	case c >= mpInt8 && c <= mpInt64:
		n = 1 << (c - mpInt8)
	case c == mpFloat32 || c == mpFloat64:
		n = 4 << (c - mpFloat32)
	case c >= mpFixExt1 && c <= mpFixExt16:
		n = 1 + 1<<(c-mpFixExt1) // type byte + data
	case c >= mpBin8 && c <= mpExt32: // bin8, 16, 32, then ext8, 16, 32
		l, err := s.lenField(1 << ((c - mpBin8) % 3))
		if c >= mpExt8 {
			l++ // the type byte
		}
		if err == nil && l > s.left() {
			err = errSyntax
		}
		if err == nil {
			s.p += l
		}
		return err
	default: // 0xc1, never used
		return errSyntax
	}
	if _, err := s.need(n); err != nil {
		return err
	}
	s.p += 1 + n
	return nil
}

// The container walk of reader.

// open enters a container of at most max elements (0: any) whose header
// h describes.
func (s *mpScan) open(h lenHeader, max int) error {
	n, err := s.length(h)
	switch {
	case err != nil:
		return err
	case max > 0 && n > max:
		return errTooMany
	case s.depth == maxOpen:
		return errDepth
	}
	s.frames[s.depth] = n
	s.depth++
	return nil
}

func (s *mpScan) openMap(max int) error   { return s.open(mapHeader, max) }
func (s *mpScan) openArray(max int) error { return s.open(arrayHeader, max) }

func (s *mpScan) more() (bool, error) {
	if s.depth == 0 {
		return false, errSyntax
	}
	if top := &s.frames[s.depth-1]; *top > 0 {
		*top--
		return true, nil
	}
	s.depth--
	return false, nil
}

func (s *mpScan) key() ([]byte, error) {
	k, err := s.str(0)
	if err != nil {
		return nil, errSyntax // keys are strings in this protocol
	}
	return k, nil
}

func (s *mpScan) null() bool { return s.p < len(s.b) && s.b[s.p] == mpNil }
func (s *mpScan) pos() int   { return s.p }

func (s *mpScan) end() error {
	if s.depth != 0 || s.p != len(s.b) {
		return errSyntax
	}
	return nil
}
