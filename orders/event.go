package orders

// EventKind says what an Event reports.
type EventKind uint8

// Kinds of events, in the order of their declaration below.
const (
	// EvAccepted: a new order passed validation. OrderID, Owner, Side,
	// Price and Qty are the request's. Matching events follow.
	EvAccepted EventKind = iota + 1
	// EvRejected: a Submit, Cancel or Amend was refused; the book did not
	// change. OrderID and Owner are the request's, Reason says why.
	EvRejected
	// EvTrade: the taker (OrderID, Owner, Side) traded Qty at Price (the
	// maker's price) with the resting maker (MakerID, MakerOwner).
	EvTrade
	// EvDone: an order left the book or ended without resting. Reason is
	// DoneFilled, or the cancel/expiry reason; Qty is the quantity that did
	// not trade (0 when filled), Price the order's price, Side its side.
	EvDone
	// EvAmended: a resting order now has Price and Qty (its new total
	// quantity, filled part included). If the price changed, matching
	// events may follow, as for a new order.
	EvAmended
	// EvLevel: the level (Side, Price) now holds Qty lots in total; 0 means
	// the level is gone.
	EvLevel
)

// String returns the kind's name, for tests and logs.
func (k EventKind) String() string {
	switch k {
	case EvAccepted:
		return "accepted"
	case EvRejected:
		return "rejected"
	case EvTrade:
		return "trade"
	case EvDone:
		return "done"
	case EvAmended:
		return "amended"
	case EvLevel:
		return "level"
	}
	return "invalid"
}

// Event is one state change of a Book, reported to its Sink. Which fields
// are set depends on Kind (see the EventKind constants); the others are zero.
type Event struct {
	Kind       EventKind
	Reason     Reason
	Side       Side
	OrderID    OrderID
	Owner      Owner
	MakerID    OrderID
	MakerOwner Owner
	Price      int64
	Qty        int64
}

// Sink receives a Book's events, synchronously and in order, during the
// call that caused them. A Sink must not call back into the Book.
type Sink interface {
	Event(e Event)
}

// SinkFunc adapts a function to a Sink.
type SinkFunc func(e Event)

// Event calls f(e).
func (f SinkFunc) Event(e Event) { f(e) }

// Reason explains a rejection or why an order ended.
type Reason uint8

// Reject reasons (EvRejected) and done reasons (EvDone).
const (
	ReasonNone Reason = iota

	RejectInvalidID     // zero order id
	RejectDuplicateID   // an order with this id is live in the book
	RejectInvalidSide   // side not Buy or Sell
	RejectInvalidType   // type not Limit or Market
	RejectInvalidTIF    // tif not GTC, IOC or FOK
	RejectInvalidPrice  // price <= 0 or > MaxPrice
	RejectInvalidQty    // qty <= 0 or > MaxQty, or an amend to at most the filled quantity
	RejectOverflow      // the order would overflow a level's total
	RejectPostOnlyCross // a post-only order would trade on arrival
	RejectNoLiquidity   // a market order found the opposite side empty
	RejectUnknownOrder  // cancel or amend of an id that is not resting, or not the owner's

	DoneFilled        // traded in full
	DoneCanceled      // canceled by its owner
	DoneIOCRemainder  // the remainder of an IOC or market order expired
	DoneFOKUnfillable // a FOK order could not trade in full and expired untouched
	DoneSelfTrade     // a resting order canceled by an incoming order of the same owner
	DoneDisconnect    // canceled because its owner disconnected (passed to Cancel by the venue)

	reasonCount
)

var reasonNames = [reasonCount]string{
	ReasonNone:          "none",
	RejectInvalidID:     "invalid_id",
	RejectDuplicateID:   "duplicate_id",
	RejectInvalidSide:   "invalid_side",
	RejectInvalidType:   "invalid_type",
	RejectInvalidTIF:    "invalid_tif",
	RejectInvalidPrice:  "invalid_price",
	RejectInvalidQty:    "invalid_qty",
	RejectOverflow:      "overflow",
	RejectPostOnlyCross: "post_only_would_cross",
	RejectNoLiquidity:   "no_liquidity",
	RejectUnknownOrder:  "unknown_order",
	DoneFilled:          "filled",
	DoneCanceled:        "user",
	DoneIOCRemainder:    "ioc_remainder",
	DoneFOKUnfillable:   "fok_unfillable",
	DoneSelfTrade:       "self_trade",
	DoneDisconnect:      "disconnect",
}

// String returns the reason's name; for the reasons the wire protocol
// knows it is the protocol's code.
func (r Reason) String() string {
	if r < reasonCount {
		return reasonNames[r]
	}
	return "invalid"
}
