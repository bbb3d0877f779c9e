package wire

// Channel names (protocol.md 3.1).
const (
	ChanTrades    = "trades"
	ChanBook      = "book"
	ChanQuote     = "quote"
	ChanTicker    = "ticker"
	ChanCandles1s = "candles.1s"
	ChanCandles1m = "candles.1m"
)

// Lossless reports whether channel ch is delivered without loss (trades,
// book): a jump in its seq means loss and requires a resync.
func Lossless(ch string) bool { return ch == ChanTrades || ch == ChanBook }

// Stream returns the stream name "CHANNEL:SYMBOL".
func Stream(ch, symbol string) string { return ch + ":" + symbol }

// Order vocabulary (protocol.md 4.4, 5.7, 5.8).
const (
	SideBuy  = "buy"
	SideSell = "sell"

	TypeLimit  = "limit"
	TypeMarket = "market"

	TIFGTC = "gtc"
	TIFIOC = "ioc"
	TIFFOK = "fok"

	StatusNew             = "new"
	StatusPartiallyFilled = "partially_filled"
	StatusFilled          = "filled"
	StatusCanceled        = "canceled"
	StatusExpired         = "expired"
	StatusRejected        = "rejected"

	LiqMaker = "maker"
	LiqTaker = "taker"
)

// Error codes of protocol.md 9.1.
const (
	CodeBadRequest           = "bad_request"
	CodeUnknownOp            = "unknown_op"
	CodeUnknownChannel       = "unknown_channel"
	CodeUnknownSymbol        = "unknown_symbol"
	CodeNotAuthenticated     = "not_authenticated"
	CodeInvalidToken         = "invalid_token"
	CodeUnknownOrder         = "unknown_order"
	CodeRateLimited          = "rate_limited"
	CodeTooManySubscriptions = "too_many_subscriptions"
	CodeInternal             = "internal"
)

// Order reject reasons of protocol.md 8.4 that DecodeOp can determine.
const (
	ReasonInvalidSide = "invalid_side"
	ReasonInvalidType = "invalid_type"
	ReasonInvalidTIF  = "invalid_tif"
)

// Reset reasons (protocol.md 5.11, 7.1).
const (
	ResetHistoryExpired = "history_expired"
	ResetEpochChanged   = "epoch_changed"
)
