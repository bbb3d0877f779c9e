package market

// Kind says what an Event is. Public kinds belong to a stream
// (channel:symbol) and carry a per-stream Seq and the global Off; private
// kinds belong to an account and carry the account's Seq; replies answer
// one operation of one session.
type Kind uint8

// Event kinds.
const (
	KindTrade        Kind = iota + 1 // public, channel trades
	KindBook                         // public, channel book: a delta
	KindBookSnapshot                 // public, channel book: the full book (answers, never published)
	KindQuote                        // public, channel quote
	KindTicker                       // public, channel ticker
	KindCandle1s                     // public, channel candles.1s
	KindCandle1m                     // public, channel candles.1m

	KindOrder   // private: an order's state
	KindFill    // private: one fill of an order
	KindAccount // private: an account's balances

	KindAuthed      // reply to auth
	KindCanceledAll // reply to cancel_all
	KindError       // reply: an operation failed

	kindCount
)

// Channel names of protocol.md 3.1.
const (
	ChanTrades    = "trades"
	ChanBook      = "book"
	ChanQuote     = "quote"
	ChanTicker    = "ticker"
	ChanCandles1s = "candles.1s"
	ChanCandles1m = "candles.1m"
)

// Channels lists every public channel.
var Channels = []string{ChanTrades, ChanBook, ChanQuote, ChanTicker, ChanCandles1s, ChanCandles1m}

var kindChannel = [kindCount]string{
	KindTrade: ChanTrades, KindBook: ChanBook, KindBookSnapshot: ChanBook, KindQuote: ChanQuote,
	KindTicker: ChanTicker, KindCandle1s: ChanCandles1s, KindCandle1m: ChanCandles1m,
}

// Channel returns the public channel of kind k, or "" for private kinds
// and replies.
func (k Kind) Channel() string {
	if k < kindCount {
		return kindChannel[k]
	}
	return ""
}

// Public reports whether k belongs to a public stream.
func (k Kind) Public() bool { return k.Channel() != "" }

// Origin names the operation an event answers: the session that sent it
// (unique across every feed node) and the operation's id, if it had one.
type Origin struct {
	Session uint64
	ID      int64
	HasID   bool
}

// Event is one output of the venue: wire-ready (every decimal formatted as
// the protocol requires), stamped, and immutable once published. Which
// payload field is set depends on Kind.
type Event struct {
	Kind    Kind
	Symbol  string // public and order/fill events
	Seq     uint64 // per stream (public) or per account (private)
	Off     uint64 // global offset, public events only
	TS      int64  // ns since the Unix epoch, when it happened
	Epoch   string // the history this event belongs to
	Account string // private events and replies: the account concerned
	Origin  Origin // the operation this answers, if any
	// Direct events go to the session of Origin alone (replies, and the
	// snapshot after auth); other private events go to every session of
	// Account, and only Origin's sees Origin.ID.
	Direct bool

	Trade    *Trade
	Book     *BookData // KindBook and KindBookSnapshot
	Quote    *Quote
	Ticker   *Ticker
	Candle   *Candle
	Order    *OrderUpdate
	Fill     *Fill
	Balances []Balance // KindAccount
	Reply    *Reply    // KindCanceledAll, KindError
}

// Trade is a public trade. Side is the aggressor's.
type Trade struct {
	ID   uint64
	Px   string
	Qty  string
	Side string
}

// PriceLevel is a price and its total quantity, as on the wire.
type PriceLevel [2]string

// BookData is a book delta (changed levels, quantity "0…" removes one) or
// a snapshot (every level; bids descending, asks ascending), with the
// checksum of the book after it (protocol.md 6.2).
type BookData struct {
	Bids     []PriceLevel
	Asks     []PriceLevel
	Checksum uint32
}

// Quote is the best bid and offer; an empty side has empty strings.
type Quote struct {
	Bid, BidQty string
	Ask, AskQty string
}

// Ticker is the rolling 24-hour statistics of a symbol.
type Ticker struct {
	Last, Open, High, Low string
	Vol                   string // base quantity traded
	Change                string // percent of Last against Open, two decimals
}

// Candle is an OHLCV bar; Closed is set once its interval has ended.
type Candle struct {
	Start      int64 // ns, start of the interval
	O, H, L, C string
	V          string
	N          int // number of trades
	Closed     bool
}

// OrderUpdate is the state of one of an account's orders.
type OrderUpdate struct {
	OID      uint64
	CID      string
	Side     string
	Type     string
	TIF      string
	PostOnly bool
	Px       string // empty for a market order
	Qty      string
	Filled   string
	AvgPx    string // empty until something filled
	Status   string
	Reason   string // canceled, expired and rejected orders
}

// Order statuses (protocol.md 5.7, 8.3).
const (
	StatusNew             = "new"
	StatusPartiallyFilled = "partially_filled"
	StatusFilled          = "filled"
	StatusCanceled        = "canceled"
	StatusExpired         = "expired"
	StatusRejected        = "rejected"
)

// Fill is one fill of an account's order; Liq is "maker" or "taker".
type Fill struct {
	OID     uint64
	CID     string
	TradeID uint64
	Side    string
	Px      string
	Qty     string
	Liq     string
}

// Balance is an account's holding of one asset.
type Balance struct {
	Asset     string
	Total     string
	Available string
}

// Reply is the payload of KindCanceledAll (Count) and KindError (Code,
// Msg, and for a refused amend the order reject Reason).
type Reply struct {
	Code   string
	Msg    string
	Reason string
	Count  int
}

// Publisher receives the venue's events, a batch per command, in order.
// Publish must not block for long: it runs on the sequencer. The batch
// and its events are the publisher's from then on and never modified.
type Publisher interface {
	Publish(batch []*Event)
}
