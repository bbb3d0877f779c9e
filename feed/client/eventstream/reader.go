package eventstream

import (
	"bytes"
	"errors"
	"io"
	"math"
	"unicode/utf8"
)

// Kind says what a record is.
type Kind uint8

// Record kinds.
const (
	KindEvent   Kind = iota + 1 // a dispatched event
	KindComment                 // a line starting with ':'
	KindRetry                   // a valid retry field
)

// String returns "event", "comment" or "retry".
func (k Kind) String() string {
	switch k {
	case KindEvent:
		return "event"
	case KindComment:
		return "comment"
	case KindRetry:
		return "retry"
	}
	return "none"
}

// Errors of a Reader.
var (
	// ErrIncomplete is returned, joined with the read error, when the
	// stream ends inside an event or inside a line: the standard discards
	// that event.
	ErrIncomplete = errors.New("eventstream: stream ended inside an event")
	// ErrTooLong ends a stream with a line, or an event's data, longer
	// than ReaderOptions.MaxEventSize.
	ErrTooLong = errors.New("eventstream: line or event too long")
)

// Defaults of ReaderOptions.
const (
	DefaultBufferSize   = 4096
	DefaultMaxEventSize = 16 << 20
)

// ReaderOptions configures a Reader; the zero value means the defaults.
type ReaderOptions struct {
	// BufferSize is the read buffer's size; default 4096. A longer line
	// grows it (up to MaxEventSize) until the buffered text fits again.
	BufferSize int
	// MaxEventSize bounds a line and the data of one event; default 16
	// MiB. Past it the stream ends with ErrTooLong.
	MaxEventSize int
}

// Record is one thing the parser saw, as strings: an event it dispatched,
// a comment, or a retry field.
type Record struct {
	Kind Kind
	// Type is the event's type: its event field, "message" when it had
	// none. Data is its data fields joined by LF.
	Type, Data string
	// ID is the event's own id field when HasID (not in the standard's
	// event: a reset in tickcast has none, and keeps the last one).
	ID    string
	HasID bool
	// LastID is the stream's last event ID after this record: what an
	// event's lastEventId holds, and what a browser sends as
	// Last-Event-ID when it reconnects.
	LastID string
	// Comment is a comment's text after the colon (and one space).
	Comment string
	// Retry is a retry field's reconnection time in ms.
	Retry int
}

// Reader parses an event stream. It is not safe for concurrent use.
type Reader struct {
	src       io.Reader
	size, max int

	// The buffered input is buf[r:w].
	buf     []byte
	r, w    int
	err     error // the read error, once the source has ended
	started bool  // the optional BOM has been looked for
	skipLF  bool  // the last line ended with a CR
	cut     bool  // the stream ended inside a line
	fatal   error // ErrTooLong, once returned

	// The event being built; cleared after a dispatch, at the next Read.
	data    []byte
	typ     []byte
	id      []byte
	hasID   bool
	pending bool // an event, data or id field since the last dispatch
	clear   bool

	lastID []byte // the last event ID buffer

	// The current record.
	kind    Kind
	comment []byte
	text    []byte // a comment decoded when it was not valid UTF-8
	retry   int

	lines, dataLines int
}

// NewReader returns a Reader of src. Its buffer is allocated at the first
// read.
func NewReader(src io.Reader, o ReaderOptions) *Reader {
	if o.BufferSize <= 0 {
		o.BufferSize = DefaultBufferSize
	}
	if o.MaxEventSize <= 0 {
		o.MaxEventSize = DefaultMaxEventSize
	}
	return &Reader{src: src, size: min(o.BufferSize, o.MaxEventSize), max: o.MaxEventSize}
}

// SetLastEventID sets the last event ID, as an EventSource that reconnects
// has it: the one it sent as Last-Event-ID, until an id field changes it.
func (r *Reader) SetLastEventID(id string) { r.lastID = append(r.lastID[:0], id...) }

// keepData is the largest event data buffer kept between events.
const keepData = 64 << 10

// Read parses up to the next record and returns its kind. The record's
// parts (Data, Type, ID, Comment, Retry) stay valid until the next call
// to Read or Next. At the end of the stream it returns the read error
// (io.EOF for a clean end), joined with ErrIncomplete if an event or a
// line was cut off.
func (r *Reader) Read() (Kind, error) {
	if r.fatal != nil {
		return 0, r.fatal
	}
	if r.clear {
		r.clearEvent()
	}
	r.kind, r.comment = 0, nil
	r.shrink()
	for {
		line, err := r.line()
		if err != nil {
			if errors.Is(err, ErrTooLong) {
				r.fatal = err
				return 0, err
			}
			if r.pending || r.cut {
				return 0, errors.Join(ErrIncomplete, err)
			}
			return 0, err
		}
		r.lines++
		k, err := r.process(line)
		if k != 0 || err != nil {
			r.kind = k
			return k, err
		}
	}
}

// clearEvent empties the event buffers after a dispatch.
func (r *Reader) clearEvent() {
	r.clear = false
	if cap(r.data) > keepData {
		r.data = nil
	}
	r.data, r.typ, r.id = r.data[:0], r.typ[:0], r.id[:0]
	r.hasID, r.pending = false, false
}

// process interprets one line (HTML 9.2.6) and reports the record it
// completes, if any.
func (r *Reader) process(line []byte) (Kind, error) {
	if len(line) == 0 {
		return r.dispatch(), nil
	}
	if line[0] == ':' {
		c := line[1:]
		if len(c) > 0 && c[0] == ' ' {
			c = c[1:]
		}
		r.comment = c
		if !utf8.Valid(c) {
			r.text = appendText(r.text[:0], c)
			r.comment = r.text
		}
		return KindComment, nil
	}
	name, value := line, []byte(nil)
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		name, value = line[:i], line[i+1:]
		if len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
	}
	switch string(name) { // no allocation: the compiler compares in place
	case "event":
		r.typ = appendText(r.typ[:0], value)
		r.pending = true
	case "data":
		r.data = appendText(r.data, value)
		r.data = append(r.data, '\n')
		if len(r.data) > r.max {
			r.fatal = ErrTooLong
			return 0, ErrTooLong
		}
		r.pending = true
		r.dataLines++
	case "id":
		if bytes.IndexByte(value, 0) < 0 {
			r.id = appendText(r.id[:0], value)
			r.hasID = true
		}
		r.pending = true
	case "retry":
		if n, ok := digits(value); ok {
			r.retry = n
			return KindRetry, nil
		}
	}
	return 0, nil // other fields are ignored
}

// dispatch ends the event at a blank line: the id becomes the last event
// ID whether or not the event is dispatched; one without data is not.
func (r *Reader) dispatch() Kind {
	if r.hasID {
		r.lastID = append(r.lastID[:0], r.id...)
	}
	if len(r.data) == 0 {
		r.clearEvent()
		return 0
	}
	r.clear = true
	return KindEvent
}

// digits parses a retry value: only ASCII digits, at least one; a value
// too big for an int saturates.
func digits(b []byte) (int, bool) {
	if len(b) == 0 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := int(c - '0')
		if n > (math.MaxInt-d)/10 {
			n = math.MaxInt
		} else {
			n = n*10 + d
		}
	}
	return n, true
}

// Data returns the current event's data: its data fields joined by LF.
func (r *Reader) Data() []byte {
	if r.kind != KindEvent {
		return nil
	}
	return r.data[:len(r.data)-1] // the last LF is removed
}

// message is the type of an event without an event field.
var message = []byte("message")

// Type returns the current event's type: its event field, or "message".
// The caller must not modify it.
func (r *Reader) Type() []byte {
	if r.kind != KindEvent {
		return nil
	}
	if len(r.typ) == 0 {
		return message
	}
	return r.typ
}

// ID returns the current event's own id field, and whether it had one.
func (r *Reader) ID() ([]byte, bool) {
	if r.kind != KindEvent {
		return nil, false
	}
	return r.id, r.hasID
}

// Comment returns the current comment's text; nil when the current
// record is not a comment.
func (r *Reader) Comment() []byte { return r.comment }

// Retry returns the current retry field's value, in ms; 0 when the
// current record is not a retry field.
func (r *Reader) Retry() int {
	if r.kind != KindRetry {
		return 0
	}
	return r.retry
}

// LastEventID returns the stream's last event ID: the id of the last
// event that set one, kept across events.
func (r *Reader) LastEventID() string { return string(r.lastID) }

// Lines counts the lines read so far; DataLines the data fields among
// them.
func (r *Reader) Lines() int { return r.lines }

// DataLines counts the data fields read so far.
func (r *Reader) DataLines() int { return r.dataLines }

// Next reads the next record and returns it as strings. At the end of the
// stream it returns what Read does.
func (r *Reader) Next() (Record, error) {
	k, err := r.Read()
	if err != nil {
		return Record{}, err
	}
	rec := Record{Kind: k, LastID: string(r.lastID)}
	switch k {
	case KindEvent:
		rec.Type, rec.Data = string(r.Type()), string(r.Data())
		id, ok := r.ID()
		rec.ID, rec.HasID = string(id), ok
	case KindComment:
		rec.Comment = string(r.comment)
	case KindRetry:
		rec.Retry = r.retry
	}
	return rec, nil
}
