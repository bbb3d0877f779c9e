package testkit

import (
	"github.com/tickcast/tickcast/feed/bus"
	"github.com/tickcast/tickcast/market"
)

// ChanBus is a bus.Subscriber over one channel that the test sends batches
// on, for a hub driven by the test instead of a venue. Made unbuffered, a
// send returns once the hub has taken the batch. Every Subscribe returns
// the same channel; Cancel does nothing (the test closes the channel).
type ChanBus chan []*market.Event

var _ bus.Subscriber = ChanBus(nil)

// Subscribe returns the channel as a subscription.
func (c ChanBus) Subscribe(int) bus.Subscription { return chanSub(c) }

type chanSub chan []*market.Event

func (c chanSub) C() <-chan []*market.Event { return c }
func (c chanSub) Cancel()                   {}
