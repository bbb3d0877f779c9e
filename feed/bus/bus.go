// Package bus carries the venue's events to the feed: the seam between the
// engine and its edges. The in-process Memory bus is the default; a Redis
// bus (engine on one machine, edges on others) implements the same two
// sides: the venue's market.Publisher and the hub's Subscriber.
package bus

import "github.com/tickcast/tickcast/market"

// Subscriber is what a hub consumes: every batch the venue published, in
// order, from the moment of subscription.
type Subscriber interface {
	// Subscribe returns a channel of batches; buf bounds how many batches
	// may wait. The channel is closed when the bus closes.
	Subscribe(buf int) <-chan []*market.Event
}
