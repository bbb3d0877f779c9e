// Package ssetest reads Server-Sent Events the way a browser does, for
// tests and the SSE load generator: Reader implements the event stream
// parser of the HTML standard (section 9.2.6, "Interpreting an event
// stream") and Dial opens a stream over a plain TCP connection.
//
// It is a black-box client: it knows PROTOCOL 7 only through the text it
// receives.
package ssetest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
)

// Kind says what a Record is.
type Kind uint8

// Record kinds.
const (
	KindEvent   Kind = iota + 1 // a dispatched event
	KindComment                 // a line starting with ':'
	KindRetry                   // a valid retry field
)

// Record is one thing the parser saw: an event it dispatched, a comment,
// or a retry field.
type Record struct {
	Kind Kind
	// Event: Type is the event field ("message" when absent), Data the data
	// lines joined by "\n", ID the id field of this event when HasID.
	Type  string
	Data  string
	ID    string
	HasID bool
	// LastID is the stream's last event ID after this record: what a
	// browser sends as Last-Event-ID when it reconnects.
	LastID string
	// Comment is the comment's text after the colon; Retry the
	// reconnection time in ms.
	Comment string
	Retry   int
}

// Reader parses an event stream. It is not safe for concurrent use.
type Reader struct {
	br      *bufio.Reader
	started bool     // the optional BOM has been checked
	lines   [][]byte // complete lines split off the last read, in order
	// the event being built
	data    []byte
	hasData bool
	typ     string
	id      string
	hasID   bool
	err     error // the read error, once the stream has ended
	cut     bool  // the stream ended inside a line
	// LastID is the last event ID buffer: set by an id field, kept across
	// events (HTML: "last event ID string").
	LastID string
	// Lines counts the lines read; DataLines the data fields.
	Lines, DataLines int
}

// NewReader returns a Reader of r.
func NewReader(r io.Reader) *Reader {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 16<<10)
	}
	return &Reader{br: br}
}

// ErrIncomplete is returned (wrapping the read error) when the stream ends
// inside an event, which the standard says to discard.
var ErrIncomplete = errors.New("ssetest: stream ended inside an event")

// Next returns the next record. At the end of the stream it returns the
// read error (io.EOF for a clean end), wrapped in ErrIncomplete if a
// partial event was discarded.
func (r *Reader) Next() (Record, error) {
	for {
		line, err := r.line()
		if err != nil {
			if r.hasData || r.typ != "" || r.hasID || r.cut {
				return Record{}, errors.Join(ErrIncomplete, err)
			}
			return Record{}, err
		}
		r.Lines++
		if rec, ok := r.process(line); ok {
			return rec, nil
		}
	}
}

// process interprets one line; it reports a record when the line produced
// one.
func (r *Reader) process(line []byte) (Record, bool) {
	if len(line) == 0 {
		return r.dispatch()
	}
	if line[0] == ':' {
		return Record{Kind: KindComment, Comment: strings.TrimPrefix(string(line[1:]), " "), LastID: r.LastID}, true
	}
	name, value := line, []byte(nil)
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		name, value = line[:i], line[i+1:]
		if len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
	}
	switch string(name) {
	case "event":
		r.typ = string(value)
	case "data":
		r.data = append(r.data, value...)
		r.data = append(r.data, '\n')
		r.hasData = true
		r.DataLines++
	case "id":
		if bytes.IndexByte(value, 0) < 0 {
			r.id, r.hasID = string(value), true
		}
	case "retry":
		if n, err := strconv.Atoi(string(value)); err == nil && n >= 0 && isDigits(value) {
			return Record{Kind: KindRetry, Retry: n, LastID: r.LastID}, true
		}
	}
	return Record{}, false // other fields are ignored
}

// dispatch ends the event at a blank line.
func (r *Reader) dispatch() (Record, bool) {
	if r.hasID {
		r.LastID = r.id
	}
	rec := Record{Kind: KindEvent, Type: r.typ, ID: r.id, HasID: r.hasID, LastID: r.LastID}
	data, had := r.data, r.hasData
	r.data, r.hasData, r.typ, r.id, r.hasID = r.data[:0], false, "", "", false
	if !had {
		return Record{}, false // no data: nothing is dispatched
	}
	rec.Data = string(data[:len(data)-1]) // the last LF is removed
	if rec.Type == "" {
		rec.Type = "message"
	}
	return rec, true
}

func isDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}

// line returns the next line without its terminator. Lines end with CRLF,
// LF or CR; at the end of the stream it returns the read error.
func (r *Reader) line() ([]byte, error) {
	for len(r.lines) == 0 {
		if r.err != nil {
			return nil, r.err
		}
		r.fill()
	}
	l := r.lines[0]
	r.lines = r.lines[1:]
	return l, nil
}

// fill reads up to the next LF and queues the lines it completes.
func (r *Reader) fill() {
	raw, err := r.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		long := append([]byte(nil), raw...)
		for errors.Is(err, bufio.ErrBufferFull) {
			raw, err = r.br.ReadSlice('\n')
			long = append(long, raw...)
		}
		raw = long
	} else {
		raw = append([]byte(nil), raw...) // ReadSlice's bytes die at the next read
	}
	if !r.started && len(raw) > 0 {
		r.started = true
		raw = bytes.TrimPrefix(raw, []byte("\uFEFF"))
	}
	if err == nil {
		raw = raw[:len(raw)-1] // the LF
		if n := len(raw); n > 0 && raw[n-1] == '\r' {
			raw = raw[:n-1] // CRLF
		}
		// A CR alone also ends a line.
		r.lines = append(r.lines, bytes.Split(raw, []byte{'\r'})...)
		return
	}
	// The end of the stream: lines ended by a CR are complete, the rest
	// was cut off.
	parts := bytes.Split(raw, []byte{'\r'})
	r.lines = append(r.lines, parts[:len(parts)-1]...)
	r.cut = len(parts[len(parts)-1]) > 0
	r.err = err
}
