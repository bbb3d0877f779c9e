package ssetest

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

// describe writes a record compactly: "E type|data|lastID", "C text", "R ms".
func describe(r Record) string {
	switch r.Kind {
	case KindEvent:
		return "E " + r.Type + "|" + r.Data + "|" + r.LastID
	case KindComment:
		return "C " + r.Comment
	case KindRetry:
		return "R " + strconv.Itoa(r.Retry)
	}
	return "?"
}

func readAll(t *testing.T, r *Reader) ([]string, error) {
	t.Helper()
	var got []string
	for {
		rec, err := r.Next()
		if err != nil {
			return got, err
		}
		got = append(got, describe(rec))
	}
}

// TestReaderStandard runs the parser over the cases of the HTML standard's
// event stream interpretation (9.2.6) that a client of PROTOCOL 7 meets:
// multi-line data joined by LF, the three line endings, the optional
// space after the colon, comments, ids kept across events, events with
// no data, retry, a BOM, and a stream cut inside an event.
func TestReaderStandard(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []string
		err  error
	}{
		{"protocol record", "retry: 2000\n\nid: e1:5\nevent: trade\ndata: {\"a\":1}\n\n",
			[]string{"R 2000", `E trade|{"a":1}|e1:5`}, io.EOF},
		{"multi-line data joined by LF", "data: first\ndata: second\ndata:\ndata: third\n\n",
			[]string{"E message|first\nsecond\n\nthird|"}, io.EOF},
		{"CRLF endings", "id: 1\r\nevent: x\r\ndata: a\r\ndata: b\r\n\r\n",
			[]string{"E x|a\nb|1"}, io.EOF},
		{"CR endings", "id: 2\revent: y\rdata: a\rdata: b\r\r",
			[]string{"E y|a\nb|2"}, io.EOF},
		{"mixed endings", "data: a\r\ndata: b\rdata: c\n\r\n",
			[]string{"E message|a\nb\nc|"}, io.EOF},
		{"one space after the colon is dropped, not two", "data:x\n\ndata:  y\n\n",
			[]string{"E message|x|", "E message| y|"}, io.EOF},
		{"field without colon", "data\n\n", []string{"E message||"}, io.EOF},
		{"comments", ": hb\n:\n:  two\n\n", []string{"C hb", "C ", "C  two"}, io.EOF},
		{"id kept across events, reset by empty id", "id: 7\ndata: a\n\ndata: b\n\nid\ndata: c\n\n",
			[]string{"E message|a|7", "E message|b|7", "E message|c|"}, io.EOF},
		{"event without data is not dispatched but sets the id", "id: 9\nevent: x\n\ndata: z\n\n",
			[]string{"E message|z|9"}, io.EOF},
		{"an event without id keeps the last id", "id: e:1\ndata: a\n\nevent: reset\ndata: r\n\n",
			[]string{"E message|a|e:1", "E reset|r|e:1"}, io.EOF},
		{"id with NUL is ignored", "id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n",
			[]string{"E message|a|1", "E message|b|1"}, io.EOF},
		{"bad retry is ignored", "retry: 1x\nretry: -1\nretry: 15\n", []string{"R 15"}, io.EOF},
		{"unknown fields ignored", "foo: bar\nevent: t\ndata: d\n\n", []string{"E t|d|"}, io.EOF},
		{"BOM", "\uFEFFdata: a\n\n", []string{"E message|a|"}, io.EOF},
		{"cut inside an event", "data: a\n\ndata: b\n", []string{"E message|a|"}, ErrIncomplete},
		{"cut inside a line", "data: a\n\ndata: b", []string{"E message|a|"}, ErrIncomplete},
		{"CR-ended lines before the end are complete", "data: a\r\r", []string{"E message|a|"}, io.EOF},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, mode := range []string{"whole", "one byte at a time"} {
				var src io.Reader = strings.NewReader(c.in)
				if mode != "whole" {
					src = iotest.OneByteReader(src)
				}
				got, err := readAll(t, NewReader(src))
				if !errors.Is(err, c.err) {
					t.Errorf("%s: err %v, want %v", mode, err, c.err)
				}
				if strings.Join(got, "¶") != strings.Join(c.want, "¶") {
					t.Errorf("%s:\n got %q\nwant %q", mode, got, c.want)
				}
			}
		})
	}
}

// TestReaderLongLine reads a data line longer than the read buffer.
func TestReaderLongLine(t *testing.T) {
	long := strings.Repeat("x", 100_000)
	got, err := readAll(t, NewReader(strings.NewReader("data: "+long+"\n\n")))
	if err != io.EOF || len(got) != 1 || got[0] != "E message|"+long+"|" {
		t.Fatalf("got %d records, err %v", len(got), err)
	}
}
