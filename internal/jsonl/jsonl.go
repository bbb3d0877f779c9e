// Package jsonl writes the venue's public events as JSON lines: one wire
// JSON message (exactly what a WebSocket client on tickcast.v1.json
// receives) per line, the record that `tickcast simulate` and `tickcast
// replay` print.
package jsonl

import (
	"bufio"
	"io"
	"strconv"

	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/market"
)

// Writer is a market.Publisher writing the chosen public events to w.
type Writer struct {
	w        *bufio.Writer
	channels map[string]bool // nil: every channel
	symbols  map[string]bool // nil or empty: every symbol
	buf      []byte
	err      error
}

var _ market.Publisher = (*Writer)(nil)

// NewWriter returns a Writer of the events of channels (nil: all) and
// symbols (nil: all) to out.
func NewWriter(out io.Writer, channels, symbols map[string]bool) *Writer {
	return &Writer{w: bufio.NewWriterSize(out, 1<<16), channels: channels, symbols: symbols}
}

// Publish writes the batch's chosen events.
func (j *Writer) Publish(batch []*market.Event) {
	for _, e := range batch {
		if !e.Kind.Public() || j.channels != nil && !j.channels[e.Kind.Channel()] || len(j.symbols) > 0 && !j.symbols[e.Symbol] {
			continue
		}
		j.buf = append(AppendEvent(j.buf[:0], e), '\n')
		if _, err := j.w.Write(j.buf); err != nil && j.err == nil {
			j.err = err
		}
	}
}

// Flush writes what is buffered and returns the first error of any write.
func (j *Writer) Flush() error {
	if j.err != nil {
		return j.err
	}
	return j.w.Flush()
}

// AppendEvent appends the wire JSON of public event e to dst: the bytes of
// AppendJSON(dst, hub.Message(e)) (TestEventSameBytes). Trades and quotes,
// nearly every line `tickcast simulate` writes, are written straight from
// the event, their decimals from its integers: no wire message, no string
// (a symbol or side that would need escaping goes through AppendJSON).
func AppendEvent(dst []byte, e *market.Event) []byte {
	switch e.Kind {
	case market.KindTrade:
		if t := e.Trade; plain(e.Symbol) && plain(t.Side) {
			dst = strconv.AppendUint(append(eventHead(dst, "trade", e), `,"id":`...), t.ID, 10)
			dst = t.Qty.Append(append(t.Px.Append(append(dst, `,"px":"`...)), `","qty":"`...))
			return append(append(append(dst, `","side":"`...), t.Side...), `"}`...)
		}
	case market.KindQuote:
		if plain(e.Symbol) {
			q := e.Quote
			dst = eventHead(dst, "quote", e)
			dst = decField(dst, `,"bid":"`, q.Bid)
			dst = decField(dst, `,"bid_qty":"`, q.BidQty)
			dst = decField(dst, `,"ask":"`, q.Ask)
			dst = decField(dst, `,"ask_qty":"`, q.AskQty)
			return append(dst, '}')
		}
	}
	return AppendJSON(dst, hub.Message(e))
}

// eventHead writes the start of a public message, its Meta included.
func eventHead(dst []byte, typ string, e *market.Event) []byte {
	dst = append(append(append(append(append(append(dst, `{"t":"`...), typ...), `","ch":"`...), e.Kind.Channel()...), `","s":"`...), e.Symbol...)
	dst = strconv.AppendUint(append(dst, `","seq":`...), e.Seq, 10)
	dst = strconv.AppendUint(append(dst, `,"off":`...), e.Off, 10)
	return strconv.AppendInt(append(dst, `,"ts":`...), e.TS, 10)
}

// decField writes key (`,"name":"`) and d's text, or nothing for no
// number (as omitempty leaves out an empty string).
func decField(dst []byte, key string, d market.Dec) []byte {
	if d.IsZero() {
		return dst
	}
	return append(d.Append(append(dst, key...)), '"')
}

// plain reports whether s is written in JSON as it is.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// AppendJSON appends m's wire JSON to dst, by hand for the two messages
// that outnumber all others: of the 3.7 million events `tickcast simulate`
// writes for a day with its default channels, 81% are quotes and 19%
// trades. Through encoding/json (feed/wire) they took 16% of that
// command's CPU, and the day went from 9.6 to 11.3 s against a goal of 10
// s; by hand they take a third of the time (BenchmarkTradeFast). The bytes
// are feed/wire's (TestSameBytesAsWire); a message with a string that
// would need escaping (never a real one: symbols and decimals are plain
// ASCII) goes through feed/wire.
func AppendJSON(dst []byte, m wire.Message) []byte {
	var out []byte
	ok := false
	switch m := m.(type) {
	case *wire.Trade:
		out, ok = fast(dst, "trade", &m.Meta, &m.ID, false, "px", m.Px, "qty", m.Qty, "side", m.Side)
	case *wire.Quote:
		out, ok = fast(dst, "quote", &m.Meta, nil, true, "bid", m.Bid, "bid_qty", m.BidQty, "ask", m.Ask, "ask_qty", m.AskQty)
	}
	if ok {
		return out
	}
	return m.AppendJSON(dst)
}

// fast writes a message of Meta and string fields, kv being key, value
// pairs after the Meta; with omitEmpty, empty values are left out (as
// omitempty does). ok is false if a string needs escaping.
func fast(dst []byte, typ string, m *wire.Meta, id *uint64, omitEmpty bool, kv ...string) (_ []byte, ok bool) {
	for j := -2; j < len(kv); j++ {
		s := m.Ch
		if j == -1 {
			s = m.S
		} else if j >= 0 {
			s = kv[j]
		}
		if !plain(s) {
			return dst, false
		}
	}
	dst = append(append(append(append(append(append(dst, `{"t":"`...), typ...), `","ch":"`...), m.Ch...), `","s":"`...), m.S...)
	dst = strconv.AppendUint(append(dst, `","seq":`...), m.Seq, 10)
	dst = strconv.AppendUint(append(dst, `,"off":`...), m.Off, 10)
	dst = strconv.AppendInt(append(dst, `,"ts":`...), m.Ts, 10)
	if id != nil {
		dst = strconv.AppendUint(append(dst, `,"id":`...), *id, 10)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if !omitEmpty || kv[i+1] != "" {
			dst = append(append(append(append(append(dst, `,"`...), kv[i]...), `":"`...), kv[i+1]...), '"')
		}
	}
	return append(dst, '}'), true
}
