package market

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// stepKind says what one step of the sequencer did. A durable venue
// journals every step as one record: its kind, the clock readings it made
// and, for a command, the command. Replaying the records on a venue built
// from the same configuration gives the same state and the same events.
type stepKind uint8

const (
	stepCommand stepKind = iota + 1 // apply one command from the input queue
	stepAdvance                     // close due candles and wake due actors
	stepStart                       // start the actors (no warm start)
	stepWarm                        // the warm start, then publishing its state
	stepRestart                     // a restart: every session of the last run is gone
	stepInit                        // the first record: the run's account nonce (no clock reading)
)

// stepVersion is the first byte of every step record; a record of
// another version is refused.
const stepVersion = 1

// Bounds of a step record, checked before anything is allocated.
const (
	maxStepReads  = 1 << 16
	maxStepString = 1 << 10
)

// errBadStep is wrapped by every decoding error of a step record.
var errBadStep = errors.New("market: bad journal record")

// step is one decoded record.
type step struct {
	kind  stepKind
	reads []int64
	cmd   command
}

func appendUvarint(b []byte, x uint64) []byte { return binary.AppendUvarint(b, x) }

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendBool(b []byte, x bool) []byte {
	if x {
		return append(b, 1)
	}
	return append(b, 0)
}

// appendStep encodes a step record.
func appendStep(b []byte, kind stepKind, reads []int64, c *command) []byte {
	b = append(b, stepVersion, byte(kind))
	b = appendUvarint(b, uint64(len(reads)))
	for _, r := range reads {
		b = binary.AppendVarint(b, r)
	}
	if kind != stepCommand {
		return b
	}
	b = append(b, byte(c.kind))
	b = appendUvarint(b, c.origin.Session)
	b = binary.AppendVarint(b, c.origin.ID)
	b = appendBool(b, c.origin.HasID)
	b = appendString(b, c.account)
	o := &c.order
	for _, s := range [...]string{o.CID, o.Symbol, o.Side, o.Type, o.TIF, o.Qty, o.Px} {
		b = appendString(b, s)
	}
	b = appendBool(b, o.PostOnly)
	b = appendUvarint(b, c.target.OID)
	b = appendString(b, c.target.CID)
	b = appendString(b, c.amend.Qty)
	b = appendString(b, c.amend.Px)
	b = appendString(b, c.symbol)
	return appendBool(b, c.cod)
}

// stepReader decodes a record, remembering the first error.
type stepReader struct {
	b   []byte
	err error
}

func (r *stepReader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s", errBadStep, what)
	}
}

func (r *stepReader) byte() byte {
	if r.err != nil || len(r.b) == 0 {
		r.fail("short")
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *stepReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	x, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail("bad uvarint")
		return 0
	}
	r.b = r.b[n:]
	return x
}

// varint reads a signed varint: a zigzag-encoded uvarint, as
// binary.AppendVarint writes it.
func (r *stepReader) varint() int64 {
	u := r.uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

func (r *stepReader) bool() bool {
	switch r.byte() {
	case 0:
		return false
	case 1:
		return true
	}
	r.fail("bad bool")
	return false
}

func (r *stepReader) string() string {
	n := r.uvarint()
	if r.err != nil {
		return ""
	}
	if n > maxStepString || n > uint64(len(r.b)) {
		r.fail("bad string length")
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

// decodeStep decodes a step record. It never panics and allocates in
// proportion to the record's size only.
func decodeStep(p []byte) (step, error) {
	r := stepReader{b: p}
	var s step
	if v := r.byte(); r.err == nil && v != stepVersion {
		return s, fmt.Errorf("%w: version %d, want %d", errBadStep, v, stepVersion)
	}
	s.kind = stepKind(r.byte())
	if r.err == nil && (s.kind < stepCommand || s.kind > stepInit) {
		r.fail(fmt.Sprintf("unknown step kind %d", s.kind))
	}
	n := r.uvarint()
	if n > maxStepReads || n > uint64(len(r.b)) {
		r.fail("bad count of clock readings")
	}
	if r.err != nil {
		return s, r.err
	}
	s.reads = make([]int64, n)
	for i := range s.reads {
		s.reads[i] = r.varint()
	}
	if s.kind == stepCommand {
		c := &s.cmd
		c.kind = cmdKind(r.byte())
		if r.err == nil && (c.kind < cmdPlace || c.kind > cmdCreateAccount) {
			r.fail(fmt.Sprintf("unknown command kind %d", c.kind))
		}
		c.origin.Session = r.uvarint()
		c.origin.ID = r.varint()
		c.origin.HasID = r.bool()
		c.account = r.string()
		o := &c.order
		for _, f := range [...]*string{&o.CID, &o.Symbol, &o.Side, &o.Type, &o.TIF, &o.Qty, &o.Px} {
			*f = r.string()
		}
		o.PostOnly = r.bool()
		c.target.OID = r.uvarint()
		c.target.CID = r.string()
		c.amend.Qty = r.string()
		c.amend.Px = r.string()
		c.symbol = r.string()
		c.cod = r.bool()
	}
	if r.err == nil && len(r.b) != 0 {
		r.fail("bytes after the record")
	}
	return s, r.err
}
