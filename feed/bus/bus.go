// Package bus carries the venue's events to the feed: the seam between the
// engine (the venue and its journal) and its edges (hubs and transports).
//
// The venue hands each command's events to a [market.Publisher] as one
// batch; a hub consumes batches from a [Subscriber], in order, from the
// moment it subscribed. The in-process [Memory] bus connects the two inside
// one process. A bus between processes (Redis between one engine and many
// edges) implements the same two sides.
//
// # Crossing a process boundary
//
// A batch is plain data: every [market.Event] holds only strings, integers
// and plain structs (decimals are [market.Dec] integers, carried as their
// text; the session an event answers is named by a number, [market.Origin],
// whose high bits name the feed node that holds the session). No pointer
// into the venue's state, no channel and no function crosses the seam.
// [MarshalBatch] and [UnmarshalBatch] turn a batch into one msgpack
// document and back, field for field, so that a hub fed from the decoded
// batch relays the same bytes, with the same epoch, seq and off, as one fed
// in process (TestBatchCrossesAsBytes proves it). A bus between processes
// sends one such document per batch (one Redis stream entry, say), carrying
// the batch's first offset so that a reader checks continuity and catches up
// after a gap instead of splicing one silently.
package bus

import (
	"errors"

	"github.com/tickcast/tickcast/market"
)

// ErrClosed is returned by Publish once the bus is closed: the batch was
// not delivered.
var ErrClosed = errors.New("bus: closed")

// Subscriber is what a hub consumes: every batch published after Subscribe,
// in order.
type Subscriber interface {
	// Subscribe registers a consumer whose channel holds at most buf
	// batches that it has not taken yet.
	Subscribe(buf int) Subscription
}

// Subscription is one consumer's view of a bus.
type Subscription interface {
	// C delivers the batches, in order. It is closed when the bus closes
	// (after the batches already delivered to it) or the subscription is
	// cancelled.
	C() <-chan []*market.Event
	// Cancel ends the subscription: the bus stops delivering to it, and a
	// publisher blocked on it moves on. C is closed. Idempotent.
	Cancel()
}
