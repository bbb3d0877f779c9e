package market

import "github.com/tickcast/tickcast/orders"

// Order reject reasons of protocol.md 8.4.
const (
	RejectInvalidSymbol     = "invalid_symbol"
	RejectInvalidSide       = "invalid_side"
	RejectInvalidType       = "invalid_type"
	RejectInvalidTIF        = "invalid_tif"
	RejectInvalidPrice      = "invalid_price"
	RejectInvalidQty        = "invalid_qty"
	RejectPriceTick         = "price_tick"
	RejectQtyLot            = "qty_lot"
	RejectQtyMin            = "qty_min"
	RejectQtyMax            = "qty_max"
	RejectPriceBand         = "price_band"
	RejectInsufficientFunds = "insufficient_funds"
	RejectPostOnlyCross     = "post_only_would_cross"
	RejectNoLiquidity       = "no_liquidity"
	RejectDuplicateCID      = "duplicate_cid"
	RejectRateLimited       = "rate_limited"
	RejectTooManyOpen       = "too_many_open_orders"
)

// Cancel and expiry reasons of protocol.md 8.3.
const (
	ReasonUser          = "user"
	ReasonIOCRemainder  = "ioc_remainder"
	ReasonFOKUnfillable = "fok_unfillable"
	ReasonSelfTrade     = "self_trade"
	ReasonDisconnect    = "disconnect"
)

// Error codes of protocol.md 9.1 that the venue answers with.
const (
	CodeBadRequest       = "bad_request"
	CodeUnknownSymbol    = "unknown_symbol"
	CodeInvalidToken     = "invalid_token"
	CodeUnknownOrder     = "unknown_order"
	CodeRateLimited      = "rate_limited"
	CodeNotAuthenticated = "not_authenticated"
	CodeInternal         = "internal"
)

// engineReason translates an engine reason to the protocol's word. Engine
// rejects that the venue's own validation makes impossible map to the
// closest protocol reason.
func engineReason(r orders.Reason) string {
	switch r {
	case orders.RejectInvalidSide:
		return RejectInvalidSide
	case orders.RejectInvalidType:
		return RejectInvalidType
	case orders.RejectInvalidTIF:
		return RejectInvalidTIF
	case orders.RejectInvalidPrice:
		return RejectInvalidPrice
	case orders.RejectInvalidQty, orders.RejectOverflow, orders.RejectInvalidID, orders.RejectDuplicateID:
		return RejectInvalidQty
	case orders.RejectPostOnlyCross:
		return RejectPostOnlyCross
	case orders.RejectNoLiquidity:
		return RejectNoLiquidity
	case orders.DoneCanceled:
		return ReasonUser
	case orders.DoneIOCRemainder:
		return ReasonIOCRemainder
	case orders.DoneFOKUnfillable:
		return ReasonFOKUnfillable
	case orders.DoneSelfTrade:
		return ReasonSelfTrade
	case orders.DoneDisconnect:
		return ReasonDisconnect
	}
	return r.String()
}
