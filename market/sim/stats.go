package sim

import "github.com/tickcast/tickcast/market"

// Stats counts what the simulator did on one instrument.
type Stats struct {
	Symbol     string
	Steps      int64 // fair-value steps
	Jumps      int64 // jumps of the fair value
	BandGuards int64 // steps where the agents' centre was held inside the price band
	Noise      int64 // noise taker orders
	Momentum   int64 // momentum taker orders
	Idle       int64 // taker orders sent because the instrument had been idle
	Placed     int64 // maker orders placed
	Amended    int64 // maker orders amended
	Revised    int64 // maker orders whose size alone was revised (included in Amended)
	Blocks     int64 // block orders placed
	Canceled   int64 // maker orders canceled
	Rejects    Rejects
}

// Rejects counts the agents' refused orders and amends by reason.
type Rejects struct {
	PriceBand         int64
	InsufficientFunds int64
	NoLiquidity       int64
	PostOnly          int64
	Other             int64
}

// Total is the number of rejects of every reason.
func (r Rejects) Total() int64 {
	return r.PriceBand + r.InsufficientFunds + r.NoLiquidity + r.PostOnly + r.Other
}

func (r *Rejects) count(reason string) {
	switch reason {
	case market.RejectPriceBand:
		r.PriceBand++
	case market.RejectInsufficientFunds:
		r.InsufficientFunds++
	case market.RejectNoLiquidity:
		r.NoLiquidity++
	case market.RejectPostOnlyCross:
		r.PostOnly++
	default:
		r.Other++
	}
}
