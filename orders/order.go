package orders

// OrderID identifies an order. The caller (the venue) assigns ids; the book
// refuses a duplicate of any id currently resting or being matched, and the
// zero id.
type OrderID uint64

// Owner identifies the account that owns an order. Orders of one owner never
// trade with each other (self-trade prevention).
type Owner uint64

// Side is the side of an order: Buy or Sell. The zero value is invalid.
type Side uint8

// Sides of an order.
const (
	Buy  Side = 1
	Sell Side = 2
)

// Opposite returns the other side.
func (s Side) Opposite() Side { return 3 - s }

// String returns "buy" or "sell" (the wire names), or "invalid".
func (s Side) String() string {
	switch s {
	case Buy:
		return "buy"
	case Sell:
		return "sell"
	}
	return "invalid"
}

// Type is the order type: Limit or Market. The zero value is invalid.
type Type uint8

// Order types.
const (
	Limit  Type = 1
	Market Type = 2
)

// String returns "limit" or "market" (the wire names), or "invalid".
func (t Type) String() string {
	switch t {
	case Limit:
		return "limit"
	case Market:
		return "market"
	}
	return "invalid"
}

// TIF is an order's time in force. The zero value is invalid.
type TIF uint8

// Times in force.
const (
	GTC TIF = 1 // good till canceled: the remainder rests
	IOC TIF = 2 // immediate or cancel: the remainder expires
	FOK TIF = 3 // fill or kill: trades in full at once or not at all
)

// String returns "gtc", "ioc" or "fok" (the wire names), or "invalid".
func (t TIF) String() string {
	switch t {
	case GTC:
		return "gtc"
	case IOC:
		return "ioc"
	case FOK:
		return "fok"
	}
	return "invalid"
}

// Limits on the values the book accepts. They keep every sum the book forms
// (a level's total, an order's filled quantity) inside int64 and every value
// inside the 2^53 range that JSON clients can represent exactly.
const (
	MaxPrice = 1<<53 - 1 // largest price in ticks
	MaxQty   = 1<<53 - 1 // largest quantity in lots
)

// Request is a new order as submitted to Book.Submit.
type Request struct {
	ID       OrderID
	Owner    Owner
	Side     Side
	Type     Type
	TIF      TIF // Market orders never rest: GTC is treated as IOC
	PostOnly bool
	// Price is the limit price in ticks. For a Market order it is the worst
	// price the order may trade at (the venue's price band), and is required.
	Price int64
	Qty   int64 // quantity in lots
}

// Order is a resting order as returned by the book's queries.
type Order struct {
	ID       OrderID
	Owner    Owner
	Side     Side
	TIF      TIF
	PostOnly bool
	Price    int64 // ticks
	Qty      int64 // current total quantity in lots (after amends)
	Filled   int64 // lots traded so far; Qty-Filled rests on the book
}

// Remaining is the quantity still resting.
func (o Order) Remaining() int64 { return o.Qty - o.Filled }

// Level is one aggregated price level of the L2 book.
type Level struct {
	Price int64 // ticks
	Qty   int64 // total resting lots
	Count int   // number of orders
}
