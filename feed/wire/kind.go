package wire

// Kind identifies a server message type (the "t" key) without a string
// comparison. KindUnknown covers types this version does not know.
type Kind uint8

// Kinds of server messages.
const (
	KindUnknown Kind = iota
	KindWelcome
	KindSubscribed
	KindUnsubscribed
	KindAuthed
	KindCanceledAll
	KindPong
	KindError
	KindReset
	KindTrade
	KindBookSnapshot
	KindBook
	KindQuote
	KindTicker
	KindCandle
	KindOrder
	KindFill
	KindAccount
	kindCount
)

// Message type names ("t").
const (
	TypeWelcome      = "welcome"
	TypeSubscribed   = "subscribed"
	TypeUnsubscribed = "unsubscribed"
	TypeAuthed       = "authed"
	TypeCanceledAll  = "canceled_all"
	TypePong         = "pong"
	TypeError        = "error"
	TypeReset        = "reset"
	TypeTrade        = "trade"
	TypeBookSnapshot = "book_snapshot"
	TypeBook         = "book"
	TypeQuote        = "quote"
	TypeTicker       = "ticker"
	TypeCandle       = "candle"
	TypeOrder        = "order"
	TypeFill         = "fill"
	TypeAccount      = "account"
)

// kindNames are the "t" values, in Kind order.
var kindNames = [kindCount]string{"", TypeWelcome, TypeSubscribed, TypeUnsubscribed, TypeAuthed,
	TypeCanceledAll, TypePong, TypeError, TypeReset, TypeTrade, TypeBookSnapshot, TypeBook,
	TypeQuote, TypeTicker, TypeCandle, TypeOrder, TypeFill, TypeAccount}

// String returns the "t" value of k, or "" for KindUnknown.
func (k Kind) String() string {
	if k < kindCount {
		return kindNames[k]
	}
	return ""
}

// KindOf returns the Kind of a "t" value.
func KindOf(t string) Kind { return kindByName[t] }

var kindByName = func() map[string]Kind {
	m := make(map[string]Kind, kindCount)
	for k := KindWelcome; k < kindCount; k++ {
		m[kindNames[k]] = k
	}
	return m
}()

// Public reports whether messages of kind k belong to a public stream
// (they carry ch, s, seq, off and ts).
func (k Kind) Public() bool { return k >= KindTrade && k <= KindCandle }

// Private reports whether messages of kind k are private account updates
// (they carry the account's seq and ts).
func (k Kind) Private() bool { return k >= KindOrder && k <= KindAccount }
