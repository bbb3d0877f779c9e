package eventstream

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzReader compares the Reader, fed in pieces of random sizes through
// a random buffer size, with ref: the standard's algorithm written from
// its text, on the whole stream at once.
func FuzzReader(f *testing.F) {
	for _, s := range []string{
		"retry: 2000\n\nid: e1:5\nevent: trade\ndata: {\"a\":1}\n\n",
		"data: a\r\ndata: b\rdata: c\n\r\n: hb\r",
		"\uFEFF\uFEFFdata: a\n\nid\x00: x\nid: 1\x00\ndata\n\n",
		"data: \xE2\x82z\xF0\x9F\x98\xED\xA0\x80\n\nevent: \xff\ndata: x\n\n",
		"retry: 99999999999999999999\nretry: 1x\n:\xC3\n",
		"data: a\n\ndata: b",
		"id: 7\n\nevent: e\n\ndata:\n\n",
	} {
		f.Add([]byte(s), uint64(1), uint8(7))
	}
	f.Fuzz(func(t *testing.T, in []byte, seed uint64, size uint8) {
		want, wantIncomplete := ref(in)
		r := NewReader(&pieces{b: in, seed: seed | 1}, ReaderOptions{BufferSize: int(size%64) + 1})
		var got []string
		var err error
		for {
			var rec Record
			if rec, err = r.Next(); err != nil {
				break
			}
			got = append(got, describe(rec))
		}
		if strings.Join(got, "¶") != strings.Join(want, "¶") {
			t.Fatalf("input %q\n got %q\nwant %q", in, got, want)
		}
		if !errors.Is(err, io.EOF) || errors.Is(err, ErrIncomplete) != wantIncomplete {
			t.Fatalf("input %q: err %v, want incomplete %v", in, err, wantIncomplete)
		}
		for _, s := range got {
			if !utf8.ValidString(s) {
				t.Fatalf("input %q: record %q is not valid UTF-8", in, s)
			}
		}
	})
}

// pieces reads b in pieces of pseudo-random sizes (0 to 16 bytes).
type pieces struct {
	b    []byte
	seed uint64
}

func (p *pieces) Read(dst []byte) (int, error) {
	if len(p.b) == 0 {
		return 0, io.EOF
	}
	p.seed ^= p.seed << 13
	p.seed ^= p.seed >> 7
	p.seed ^= p.seed << 17
	n := copy(dst[:min(len(dst), int(p.seed%17))], p.b)
	p.b = p.b[n:]
	return n, nil
}

// ref interprets an event stream as HTML 9.2.6 says, step by step: decode
// the bytes (decodeUTF8), ignore one leading BOM, split the lines, process
// each. It returns the records as describe writes them, and whether the
// stream ended inside an event or a line.
func ref(in []byte) (out []string, incomplete bool) {
	text := []rune(decodeUTF8(in))
	if len(text) > 0 && text[0] == '\uFEFF' {
		text = text[1:]
	}
	var data, typ, lastIDBuf, lastID, evID string
	var hasID, pending bool
	var line []rune
	process := func(l string) {
		switch {
		case l == "": // dispatch
			lastID = lastIDBuf
			id, had := evID, hasID
			evID, hasID, pending = "", false, false
			if data == "" {
				data, typ = "", ""
				return
			}
			d := strings.TrimSuffix(data, "\n")
			ty := "message"
			if typ != "" {
				ty = typ
			}
			data, typ = "", ""
			rec := Record{Kind: KindEvent, Type: ty, Data: d, LastID: lastID, ID: id, HasID: had}
			out = append(out, describe(rec))
		case strings.HasPrefix(l, ":"):
			out = append(out, describe(Record{Kind: KindComment, Comment: strings.TrimPrefix(l[1:], " ")}))
		default:
			field, value := l, ""
			if i := strings.Index(l, ":"); i >= 0 {
				field, value = l[:i], strings.TrimPrefix(l[i+1:], " ")
			}
			switch field {
			case "event":
				typ, pending = value, true
			case "data":
				data += value + "\n"
				pending = true
			case "id":
				pending = true
				if !strings.ContainsRune(value, 0) {
					lastIDBuf, evID, hasID = value, value, true
				}
			case "retry":
				if value != "" && strings.Trim(value, "0123456789") == "" {
					n, err := strconv.Atoi(value)
					if err != nil {
						n = int(^uint(0) >> 1)
					}
					out = append(out, describe(Record{Kind: KindRetry, Retry: n}))
				}
			}
		}
	}
	for i := 0; i < len(text); i++ {
		switch c := text[i]; c {
		case '\r':
			if i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
			fallthrough
		case '\n':
			process(string(line))
			line = line[:0]
		default:
			line = append(line, c)
		}
	}
	return out, pending || len(line) > 0
}

// decodeUTF8 is the Encoding standard's UTF-8 decoder, as its text
// says it (bytes needed, bytes seen, lower and upper boundary), with
// errors replaced by U+FFFD. The Encoding standard's decode would also
// strip a BOM: the event stream parser does that itself.
func decodeUTF8(in []byte) string {
	var b strings.Builder
	var cp rune
	needed, seen := 0, 0
	lower, upper := byte(0x80), byte(0xBF)
	for i := 0; i <= len(in); i++ {
		if i == len(in) {
			if needed != 0 {
				b.WriteRune(utf8.RuneError)
			}
			break
		}
		c := in[i]
		if needed == 0 {
			switch {
			case c <= 0x7F:
				b.WriteByte(c)
			case c >= 0xC2 && c <= 0xDF:
				needed, cp = 1, rune(c&0x1F)
			case c >= 0xE0 && c <= 0xEF:
				if c == 0xE0 {
					lower = 0xA0
				}
				if c == 0xED {
					upper = 0x9F
				}
				needed, cp = 2, rune(c&0xF)
			case c >= 0xF0 && c <= 0xF4:
				if c == 0xF0 {
					lower = 0x90
				}
				if c == 0xF4 {
					upper = 0x8F
				}
				needed, cp = 3, rune(c&0x7)
			default:
				b.WriteRune(utf8.RuneError)
			}
			continue
		}
		if c < lower || c > upper {
			cp, needed, seen = 0, 0, 0
			lower, upper = 0x80, 0xBF
			b.WriteRune(utf8.RuneError)
			i-- // the byte is read again
			continue
		}
		lower, upper = 0x80, 0xBF
		cp = cp<<6 | rune(c&0x3F)
		if seen++; seen == needed {
			b.WriteRune(cp)
			cp, needed, seen = 0, 0, 0
		}
	}
	return b.String()
}
