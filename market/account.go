package market

import (
	"strconv"
	"strings"

	"github.com/tickcast/tickcast/orders"
)

// asset is a currency or coin. Balances are int64 counts of 10^-dec units,
// dec chosen so that every price x quantity of every instrument quoting it
// is a whole number of units: balances are exact.
type asset struct {
	name string
	dec  int32
}

// balance is an account's holding of one asset; reserved backs open orders.
type balance struct {
	total    int64
	reserved int64
}

func (b balance) available() int64 { return b.total - b.reserved }

// account is a trader: a user's demo account or a simulated agent.
type account struct {
	id       string
	owner    orders.Owner
	internal bool // a simulated agent: no private events, no rate limit
	bal      []balance
	seq      uint64                // last private message sequence number
	limit    rateLimit             // new orders and amends
	cancels  rateLimit             // cancels and cancel_alls
	byCID    map[string]*liveOrder // open orders by client order id
	cod      map[uint64]bool       // sessions that asked cancel_on_disconnect
	sessions map[uint64]bool       // sessions attached (auth, until detach)
	open     int                   // open orders, all books
	ended    tail[keptOrder]       // last orders that ended (AccountHistory)
	fills    tail[keptFill]        // last fills (AccountHistory)

	// A user account with no session and no open order is idle since
	// idleSince (venue ns) and sits on the venue's idle list (onIdle,
	// linked through idlePrev and idleNext)
	// until it is active again or expires (account_idle.go).
	idleSince int64
	onIdle    bool
	idlePrev  *account
	idleNext  *account
}

// liveOrder is the venue's record of an open order: what the engine does
// not know (client id, account, reservation, average price).
type liveOrder struct {
	oid      orders.OrderID
	cid      string
	acct     *account
	inst     *Instrument
	side     orders.Side
	typ      orders.Type
	tif      orders.TIF
	post     bool
	px       int64 // ticks; a market order's band limit
	qty      int64 // lots, current total
	filled   int64 // lots
	notional int64 // sum of trade ticks x lots, for the average price
	reserved int64 // units of the reserved asset still held for this order
	status   string
	reason   string
	created  int64 // ns: when the venue answered it first
}

// accountIDLen is how many base-36 digits follow "a_" in a user account
// id: enough for any 64-bit value.
const accountIDLen = 13

// accountID makes the n-th account's id: "a_" and 13 base-36 digits of a
// bijective 64-bit mix of nonce+n, keyed by salt. For one nonce and salt
// distinct n give distinct ids; two runs (two random nonces) repeat an id
// only if their nonces lie within their account counts of each other,
// about one chance in 2^64 / accounts. The ids are short, URL-safe, and do
// not show how many accounts exist.
func accountID(n uint32, nonce, salt uint64) string {
	x := (nonce + uint64(n)) ^ salt
	// The finalizer of splitmix64: each step is invertible.
	x ^= x >> 30
	x *= 0xBF58476D1CE4E5B9
	x ^= x >> 27
	x *= 0x94D049BB133111EB
	x ^= x >> 31
	s := strconv.FormatUint(x, 36)
	return "a_" + strings.Repeat("0", accountIDLen-len(s)) + s
}

// reserveAsset is the asset o's reservation is held in: quote for a buy,
// base for a sell.
func (o *liveOrder) reserveAsset() int {
	if o.side == orders.Buy {
		return o.inst.quoteAsset
	}
	return o.inst.baseAsset
}
