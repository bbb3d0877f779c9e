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

// Event is one output of the venue: stamped, and immutable once
// published. Its decimals are Decs (integers), written as text where the
// event is encoded for the wire (feed/hub, internal/jsonl): once per event,
// outside the sequencer. Which payload field is set depends on Kind.
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
	Px   Dec
	Qty  Dec
	Side string
}

// PriceLevel is a price and its total quantity.
type PriceLevel [2]Dec

// BookData is a book delta (changed levels, quantity 0 removes one) or
// a snapshot (every level; bids descending, asks ascending), with the
// checksum of the book after it (protocol.md 6.2).
type BookData struct {
	Bids     []PriceLevel
	Asks     []PriceLevel
	Checksum uint32
}

// Quote is the best bid and offer; an empty side has zero Decs (no
// number, written as empty strings).
type Quote struct {
	Bid, BidQty Dec
	Ask, AskQty Dec
}

// Ticker is the rolling 24-hour statistics of a symbol.
type Ticker struct {
	Last, Open, High, Low Dec
	Vol                   Dec // base quantity traded
	Change                Dec // percent of Last against Open, two decimals
}

// Candle is an OHLCV bar; Closed is set once its interval has ended.
type Candle struct {
	Start      int64 // ns, start of the interval
	O, H, L, C Dec
	V          Dec
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
	Px       Dec // no number for a market order
	Qty      Dec
	Filled   Dec
	AvgPx    Dec // no number until something filled
	Status   string
	Reason   string // canceled, expired and rejected orders
	// EchoPx and EchoQty replace Px and Qty in an order refused before its
	// decimals were parsed: the request's strings, echoed if well-formed
	// (protocol.md 8.4). PxText and QtyText choose.
	EchoPx, EchoQty string
}

// PxText returns the order's price as on the wire.
func (u *OrderUpdate) PxText() string { return decOr(u.Px, u.EchoPx) }

// QtyText returns the order's quantity as on the wire.
func (u *OrderUpdate) QtyText() string { return decOr(u.Qty, u.EchoQty) }

// decOr returns d's text, or echo if d is no number.
func decOr(d Dec, echo string) string {
	if d.IsZero() {
		return echo
	}
	return d.String()
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
	Px      Dec
	Qty     Dec
	Liq     string
}

// Balance is an account's holding of one asset.
type Balance struct {
	Asset     string
	Total     Dec
	Available Dec
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
