package wire

import (
	"encoding/json"
	"errors"

	"github.com/vmihailenco/msgpack/v5"
)

// The public market-data messages (protocol.md 5.1 to 5.6). Field order is wire
// order; an empty string tagged omitempty is absent from the wire.

// Trade is a public trade (t "trade", channel "trades"). Side is the
// aggressor's side; ID is the trade id, increasing per symbol.
type Trade struct {
	Meta
	ID   uint64 `json:"id"`
	Px   string `json:"px"`
	Qty  string `json:"qty"`
	Side string `json:"side"`
}

// Quote is the best bid and offer (t "quote", channel "quote"). An empty
// side is absent on the wire: Bid == "" omits bid, BidQty == "" omits
// bid_qty, and likewise for the ask (protocol.md 5.4).
type Quote struct {
	Meta
	Bid    string `json:"bid,omitempty"`
	BidQty string `json:"bid_qty,omitempty"`
	Ask    string `json:"ask,omitempty"`
	AskQty string `json:"ask_qty,omitempty"`
}

// Ticker is the rolling 24 h statistics of a symbol (t "ticker", channel
// "ticker"). Change is the percent change of Last against Open with two
// decimals.
type Ticker struct {
	Meta
	Last   string `json:"last"`
	Open   string `json:"open"`
	High   string `json:"high"`
	Low    string `json:"low"`
	Vol    string `json:"vol"`
	Change string `json:"change"`
}

// Candle is an OHLCV candle (t "candle", channels "candles.1s" and
// "candles.1m"). Start is the candle's start in nanoseconds, N the number of
// trades, Closed whether the interval is over (a closed candle is never
// conflated away).
type Candle struct {
	Meta
	Start  int64  `json:"start"`
	O      string `json:"o"`
	H      string `json:"h"`
	L      string `json:"l"`
	C      string `json:"c"`
	V      string `json:"v"`
	N      uint64 `json:"n"`
	Closed bool   `json:"closed"`
}

// BookLevels is the body shared by BookSnapshot and BookDelta: the levels
// and the checksum of the book after applying them (protocol.md 5.2, 5.3). A nil
// side is written as an empty array, and an empty one reads as nil.
type BookLevels struct {
	Meta
	Bids []Level `json:"bids"`
	Asks []Level `json:"asks"`
	CS   uint32  `json:"cs"`
}

// BookSnapshot is the full L2 book (t "book_snapshot", channel "book"):
// bids descending, asks ascending. Its Seq is that of the last delta it
// contains.
type BookSnapshot struct{ BookLevels }

// BookDelta is a book update (t "book", channel "book"): the changed levels
// with their new total quantity; a zero quantity removes the level.
type BookDelta struct{ BookLevels }

// Kind returns KindTrade.
func (Trade) Kind() Kind { return KindTrade }

// Kind returns KindQuote.
func (Quote) Kind() Kind { return KindQuote }

// Kind returns KindTicker.
func (Ticker) Kind() Kind { return KindTicker }

// Kind returns KindCandle.
func (Candle) Kind() Kind { return KindCandle }

// Kind returns KindBookSnapshot.
func (BookSnapshot) Kind() Kind { return KindBookSnapshot }

// Kind returns KindBook.
func (BookDelta) Kind() Kind { return KindBook }

// AppendMsgpack appends the trade as a msgpack map.
func (m *Trade) AppendMsgpack(dst []byte) []byte { return appendMsg(MsgPack, dst, m) }

// AppendJSON appends the trade as a JSON object.
func (m *Trade) AppendJSON(dst []byte) []byte { return appendMsg(JSON, dst, m) }

// AppendMsgpack appends the quote as a msgpack map.
func (m *Quote) AppendMsgpack(dst []byte) []byte { return appendMsg(MsgPack, dst, m) }

// AppendJSON appends the quote as a JSON object.
func (m *Quote) AppendJSON(dst []byte) []byte { return appendMsg(JSON, dst, m) }

// AppendMsgpack appends the ticker as a msgpack map.
func (m *Ticker) AppendMsgpack(dst []byte) []byte { return appendMsg(MsgPack, dst, m) }

// AppendJSON appends the ticker as a JSON object.
func (m *Ticker) AppendJSON(dst []byte) []byte { return appendMsg(JSON, dst, m) }

// AppendMsgpack appends the candle as a msgpack map.
func (m *Candle) AppendMsgpack(dst []byte) []byte { return appendMsg(MsgPack, dst, m) }

// AppendJSON appends the candle as a JSON object.
func (m *Candle) AppendJSON(dst []byte) []byte { return appendMsg(JSON, dst, m) }

// AppendMsgpack appends the snapshot as a msgpack map.
func (m *BookSnapshot) AppendMsgpack(dst []byte) []byte { return appendMsg(MsgPack, dst, m) }

// AppendJSON appends the snapshot as a JSON object.
func (m *BookSnapshot) AppendJSON(dst []byte) []byte { return appendMsg(JSON, dst, m) }

// AppendMsgpack appends the delta as a msgpack map.
func (m *BookDelta) AppendMsgpack(dst []byte) []byte { return appendMsg(MsgPack, dst, m) }

// AppendJSON appends the delta as a JSON object.
func (m *BookDelta) AppendJSON(dst []byte) []byte { return appendMsg(JSON, dst, m) }

// Level is one price level of a book side: the price and the total
// quantity resting there, as decimal strings. On the wire it is the
// two-element array [px, qty] (its methods have pointer receivers, which
// the libraries use for the addressable elements of a slice).
type Level struct {
	Px  string
	Qty string
}

var errLevel = errors.New("wire: a level is an array [px, qty]")

// MarshalJSON writes [px, qty].
func (l *Level) MarshalJSON() ([]byte, error) { return json.Marshal([2]string{l.Px, l.Qty}) }

// UnmarshalJSON reads [px, qty].
func (l *Level) UnmarshalJSON(b []byte) error {
	var pair []string
	return l.set(&pair, json.Unmarshal(b, &pair))
}

// set sets l from a decoded pair.
func (l *Level) set(pair *[]string, err error) error {
	if err != nil || len(*pair) != 2 {
		return errLevel
	}
	l.Px, l.Qty = (*pair)[0], (*pair)[1]
	return nil
}

// EncodeMsgpack writes [px, qty].
func (l *Level) EncodeMsgpack(e *msgpack.Encoder) error {
	_ = e.EncodeArrayLen(2)
	_ = e.EncodeString(l.Px)
	return e.EncodeString(l.Qty)
}

// DecodeMsgpack reads [px, qty].
func (l *Level) DecodeMsgpack(d *msgpack.Decoder) error {
	var pair []string
	return l.set(&pair, d.Decode(&pair))
}
