package eventstream

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

// describe writes a record compactly: "E type|data|lastID" (with "#id"
// when the event had an id field), "C text", "R ms".
func describe(r Record) string {
	switch r.Kind {
	case KindEvent:
		s := "E " + r.Type + "|" + r.Data + "|" + r.LastID
		if r.HasID {
			s += "#" + r.ID
		}
		return s
	case KindComment:
		return "C " + r.Comment
	case KindRetry:
		return "R " + strconv.Itoa(r.Retry)
	}
	return "?"
}

func readAll(r *Reader) ([]string, error) {
	var got []string
	for {
		rec, err := r.Next()
		if err != nil {
			return got, err
		}
		got = append(got, describe(rec))
	}
}

// modes feed a stream to the Reader in different pieces and buffer
// sizes, so that every line boundary also falls between two reads.
var modes = []struct {
	name string
	src  func(string) io.Reader
	opt  ReaderOptions
}{
	{"whole", func(s string) io.Reader { return strings.NewReader(s) }, ReaderOptions{}},
	{"one byte at a time", func(s string) io.Reader { return iotest.OneByteReader(strings.NewReader(s)) }, ReaderOptions{}},
	{"half reads, 1-byte buffer", func(s string) io.Reader { return iotest.HalfReader(strings.NewReader(s)) }, ReaderOptions{BufferSize: 1}},
	{"data with the error", func(s string) io.Reader { return iotest.DataErrReader(strings.NewReader(s)) }, ReaderOptions{BufferSize: 3}},
}

// TestReaderStandard runs the parser over the cases of the HTML standard's
// event stream interpretation (9.2.6): multi-line data joined by LF, the
// three line endings, the optional space after the colon, comments, ids
// kept across events, events with no data, retry, a BOM, invalid UTF-8,
// and a stream cut inside an event.
func TestReaderStandard(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []string
		err  error
	}{
		{"protocol record", "retry: 2000\n\nid: e1:5\nevent: trade\ndata: {\"a\":1}\n\n",
			[]string{"R 2000", `E trade|{"a":1}|e1:5#e1:5`}, io.EOF},
		{"multi-line data joined by LF", "data: first\ndata: second\ndata:\ndata: third\n\n",
			[]string{"E message|first\nsecond\n\nthird|"}, io.EOF},
		{"CRLF endings", "id: 1\r\nevent: x\r\ndata: a\r\ndata: b\r\n\r\n",
			[]string{"E x|a\nb|1#1"}, io.EOF},
		{"CR endings", "id: 2\revent: y\rdata: a\rdata: b\r\r",
			[]string{"E y|a\nb|2#2"}, io.EOF},
		{"mixed endings", "data: a\r\ndata: b\rdata: c\n\r\n",
			[]string{"E message|a\nb\nc|"}, io.EOF},
		{"CR then LF is one ending, LF then CR two", "data: a\r\n\ndata: b\n\r",
			[]string{"E message|a|", "E message|b|"}, io.EOF},
		{"one space after the colon is dropped, not two", "data:x\n\ndata:  y\n\n",
			[]string{"E message|x|", "E message| y|"}, io.EOF},
		{"a tab is not a space", "data:\tz\n\n", []string{"E message|\tz|"}, io.EOF},
		{"only the first colon splits", "data: a:b: c\n\n", []string{"E message|a:b: c|"}, io.EOF},
		{"field without colon", "data\n\n", []string{"E message||"}, io.EOF},
		{"field names are case-sensitive", "Data: a\nDATA: b\ndata: c\n\n", []string{"E message|c|"}, io.EOF},
		{"comments", ": hb\n:\n:  two\n\n", []string{"C hb", "C ", "C  two"}, io.EOF},
		{"a comment inside an event", "data: a\n: hb\ndata: b\n\n", []string{"C hb", "E message|a\nb|"}, io.EOF},
		{"id kept across events, reset by empty id", "id: 7\ndata: a\n\ndata: b\n\nid\ndata: c\n\n",
			[]string{"E message|a|7#7", "E message|b|7", "E message|c|#"}, io.EOF},
		{"event without data is not dispatched but sets the id", "id: 9\nevent: x\n\ndata: z\n\n",
			[]string{"E message|z|9"}, io.EOF},
		{"an event without id keeps the last id", "id: e:1\ndata: a\n\nevent: reset\ndata: r\n\n",
			[]string{"E message|a|e:1#e:1", "E reset|r|e:1"}, io.EOF},
		{"the event type does not outlive its event", "event: x\ndata: a\n\ndata: b\n\n",
			[]string{"E x|a|", "E message|b|"}, io.EOF},
		{"empty event field means message", "event:\ndata: a\n\n", []string{"E message|a|"}, io.EOF},
		{"the last id field of an event wins", "id: 1\nid: 2\ndata: a\n\n", []string{"E message|a|2#2"}, io.EOF},
		{"id with NUL is ignored", "id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n",
			[]string{"E message|a|1#1", "E message|b|1"}, io.EOF},
		{"bad retry is ignored", "retry: 1x\nretry: -1\nretry:\nretry:  5\nretry: 15\n", []string{"R 15"}, io.EOF},
		{"a huge retry saturates", "retry: 99999999999999999999999\n", []string{"R " + strconv.Itoa(int(^uint(0)>>1))}, io.EOF},
		{"unknown fields ignored", "foo: bar\nevent: t\ndata: d\n\n", []string{"E t|d|"}, io.EOF},
		{"BOM", "\uFEFFdata: a\n\n", []string{"E message|a|"}, io.EOF},
		{"only one BOM is skipped", "\uFEFF\uFEFFdata: a\n\ndata: b\n\n", []string{"E message|b|"}, io.EOF},
		{"a BOM later is text", "data: \uFEFFa\n\n", []string{"E message|\uFEFFa|"}, io.EOF},
		{"half a BOM is invalid UTF-8", "\xEF\xBBdata: a\n\ndata: b\n\n", []string{"E message|b|"}, io.EOF},
		{"invalid UTF-8 becomes U+FFFD", "data: a\xffb\xC3\n\n", []string{"E message|a\uFFFDb\uFFFD|"}, io.EOF},
		{"a truncated sequence is one U+FFFD", "data: \xE2\x82z\xF0\x9F\x98\n\n", []string{"E message|\uFFFDz\uFFFD|"}, io.EOF},
		{"surrogates and overlongs are invalid", "data: \xED\xA0\x80\xC0\xAF\n\n",
			[]string{"E message|\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD|"}, io.EOF},
		{"valid UTF-8 is kept", "event: ü\ndata: €𝄞\nid: ß\n\n", []string{"E ü|€𝄞|ß#ß"}, io.EOF},
		{"invalid UTF-8 in a comment", ": \xff\n", []string{"C \uFFFD"}, io.EOF},
		{"empty stream", "", nil, io.EOF},
		{"cut inside an event", "data: a\n\ndata: b\n", []string{"E message|a|"}, ErrIncomplete},
		{"cut after an id", "data: a\n\nid: 3\n", []string{"E message|a|"}, ErrIncomplete},
		{"cut inside a line", "data: a\n\ndata: b", []string{"E message|a|"}, ErrIncomplete},
		{"cut inside a comment line", ": hb\n: h", []string{"C hb"}, ErrIncomplete},
		{"a comment after the last event is a clean end", "data: a\n\n: hb\n", []string{"E message|a|", "C hb"}, io.EOF},
		{"CR-ended lines before the end are complete", "data: a\r\r", []string{"E message|a|"}, io.EOF},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, m := range modes {
				got, err := readAll(NewReader(m.src(c.in), m.opt))
				if !errors.Is(err, c.err) || c.err == io.EOF && err != io.EOF {
					t.Errorf("%s: err %v, want %v", m.name, err, c.err)
				}
				if c.err == ErrIncomplete && !errors.Is(err, io.EOF) {
					t.Errorf("%s: err %v does not say the stream ended", m.name, err)
				}
				if strings.Join(got, "¶") != strings.Join(c.want, "¶") {
					t.Errorf("%s:\n got %q\nwant %q", m.name, got, c.want)
				}
			}
		})
	}
}

// TestReaderLongLine reads a data line longer than the read buffer, and
// the events after it.
func TestReaderLongLine(t *testing.T) {
	long := strings.Repeat("x", 100_000)
	in := "data: " + long + "\n\ndata: after\n\n"
	for _, m := range modes {
		r := NewReader(m.src(in), ReaderOptions{BufferSize: 64})
		got, err := readAll(r)
		if err != io.EOF || len(got) != 2 || got[0] != "E message|"+long+"|" || got[1] != "E message|after|" {
			t.Fatalf("%s: got %d records, err %v", m.name, len(got), err)
		}
		if len(r.buf) != 64 {
			t.Errorf("%s: the buffer stays at %d bytes after the long line", m.name, len(r.buf))
		}
	}
}

// TestReaderTooLong: a line, or the data of an event, past MaxEventSize
// ends the stream with ErrTooLong, for good.
func TestReaderTooLong(t *testing.T) {
	for _, c := range []struct{ name, in string }{
		{"one line", "data: " + strings.Repeat("x", 200) + "\n\n"},
		{"many data lines", strings.Repeat("data: "+strings.Repeat("x", 50)+"\n", 5) + "\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := NewReader(strings.NewReader("data: ok\n\n"+c.in+"data: never\n\n"), ReaderOptions{BufferSize: 16, MaxEventSize: 128})
			got, err := readAll(r)
			if !errors.Is(err, ErrTooLong) || len(got) != 1 {
				t.Fatalf("got %q, err %v; want one event, then ErrTooLong", got, err)
			}
			if _, err := r.Read(); !errors.Is(err, ErrTooLong) {
				t.Fatalf("then %v", err)
			}
		})
	}
}

// TestReaderViews: Read hands out views into the Reader's buffers, the
// same text Next gives; LastEventID and SetLastEventID follow the
// stream's last event ID.
func TestReaderViews(t *testing.T) {
	r := NewReader(strings.NewReader("data: a\n\nid: 5\nevent: t\ndata: b\ndata: c\n\n: hb\nretry: 7\n"), ReaderOptions{})
	r.SetLastEventID("e:4")
	type view struct {
		k                  Kind
		data, typ, id, com string
		hasID              bool
		last               string
		retry              int
	}
	var got []view
	for {
		k, err := r.Read()
		if err != nil {
			if err != io.EOF {
				t.Fatal(err)
			}
			break
		}
		id, has := r.ID()
		got = append(got, view{k, string(r.Data()), string(r.Type()), string(id), string(r.Comment()), has, r.LastEventID(), r.Retry()})
	}
	want := []view{
		{k: KindEvent, data: "a", typ: "message", last: "e:4"},
		{k: KindEvent, data: "b\nc", typ: "t", id: "5", hasID: true, last: "5"},
		{k: KindComment, com: "hb", last: "5"},
		{k: KindRetry, last: "5", retry: 7},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
	if r.Lines() != 9 || r.DataLines() != 3 {
		t.Errorf("lines %d, data lines %d; want 9 and 3", r.Lines(), r.DataLines())
	}
}

// TestReaderLiveCR: a line ended by a CR is handed out at once, without
// waiting for the next byte (which would block on a live stream).
func TestReaderLiveCR(t *testing.T) {
	pr, pw := io.Pipe()
	r := NewReader(pr, ReaderOptions{})
	go func() { _, _ = pw.Write([]byte("data: a\r\r")) }()
	rec, err := r.Next()
	if err != nil || describe(rec) != "E message|a|" {
		t.Fatalf("got %q, %v", describe(rec), err)
	}
	go func() { _, _ = pw.Write([]byte("\ndata: b\n\n")); _ = pw.Close() }()
	got, err := readAll(r)
	if err != io.EOF || strings.Join(got, "¶") != "E message|b|" {
		t.Fatalf("then %q, %v", got, err)
	}
}
