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

var kindNames = [kindCount]string{
	KindUnknown:      "",
	KindWelcome:      TypeWelcome,
	KindSubscribed:   TypeSubscribed,
	KindUnsubscribed: TypeUnsubscribed,
	KindAuthed:       TypeAuthed,
	KindCanceledAll:  TypeCanceledAll,
	KindPong:         TypePong,
	KindError:        TypeError,
	KindReset:        TypeReset,
	KindTrade:        TypeTrade,
	KindBookSnapshot: TypeBookSnapshot,
	KindBook:         TypeBook,
	KindQuote:        TypeQuote,
	KindTicker:       TypeTicker,
	KindCandle:       TypeCandle,
	KindOrder:        TypeOrder,
	KindFill:         TypeFill,
	KindAccount:      TypeAccount,
}

// String returns the "t" value of k, or "" for KindUnknown.
func (k Kind) String() string {
	if k < kindCount {
		return kindNames[k]
	}
	return ""
}

// KindOf returns the Kind of a "t" value.
func KindOf(t string) Kind {
	for k := KindWelcome; k < kindCount; k++ {
		if kindNames[k] == t {
			return k
		}
	}
	return KindUnknown
}

// kindOfBytes is KindOf without converting b to a string.
func kindOfBytes(b []byte) Kind {
	switch string(b) {
	case TypeTrade:
		return KindTrade
	case TypeBook:
		return KindBook
	case TypeQuote:
		return KindQuote
	case TypeTicker:
		return KindTicker
	case TypeCandle:
		return KindCandle
	case TypeBookSnapshot:
		return KindBookSnapshot
	case TypeOrder:
		return KindOrder
	case TypeFill:
		return KindFill
	case TypeAccount:
		return KindAccount
	}
	for k := KindWelcome; k < kindCount; k++ { // the rarer kinds
		if kindNames[k] == string(b) {
			return k
		}
	}
	return KindUnknown
}

// Public reports whether messages of kind k belong to a public stream
// (they carry ch, s, seq, off and ts).
func (k Kind) Public() bool { return k >= KindTrade && k <= KindCandle }

// Private reports whether messages of kind k are private account updates
// (they carry the account's seq and ts).
func (k Kind) Private() bool { return k >= KindOrder && k <= KindAccount }
