package hub

import (
	"sync/atomic"

	"github.com/tickcast/tickcast/feed/wire"
)

// Transport is how a subscriber's messages are framed.
type Transport uint8

// Transports.
const (
	WSBinary Transport = iota // WebSocket, tickcast.v1.msgpack
	WSText                    // WebSocket, tickcast.v1.json
	SSE                       // Server-Sent Events, JSON records
)

// String names the transport in logs.
func (t Transport) String() string {
	switch t {
	case WSBinary:
		return "ws-msgpack"
	case WSText:
		return "ws-json"
	case SSE:
		return "sse"
	}
	return "unknown"
}

// Format returns the wire format of the transport.
func (t Transport) Format() wire.Format {
	if t == WSBinary {
		return wire.MsgPack
	}
	return wire.JSON
}

// Answer describes the first reply to one of a subscriber's operations.
type Answer struct {
	ID        int64 // the operation's id, if HasID
	HasID     bool
	Throttled bool // the venue refused it for the account's rate limit
}

// Sub is one subscriber: a WebSocket session or an SSE viewer. Its
// transport owns the goroutine that drains Q; the hub goroutine owns the
// rest.
type Sub struct {
	// ID is unique in the process: the venue addresses replies by it.
	ID        uint64
	Transport Transport
	Q         *Queue
	// Remote is the client's address, for logs; set it before the hub
	// knows the subscriber.
	Remote string
	// Answered, if set, is called on the hub goroutine when the first reply
	// to one of this subscriber's operations is queued.
	Answered func(Answer)
	// Completed, if set, is called on the hub goroutine once the venue's
	// answer to one of this subscriber's operations (the whole batch of
	// events it caused) has been routed: one call per operation.
	Completed func()
	// Outstanding, if set, reports whether operations of this subscriber
	// are still waiting for the venue. A removed subscriber for which it
	// reports true keeps getting Completed for them, so that its
	// transport can release what they hold (the in-flight counts of its
	// account and address), until it reports false. Called on the hub
	// goroutine.
	Outstanding func() bool

	streams map[*Stream]int // subscribed streams → index in Stream.subs
	account string          // authenticated account, "" if none
	gone    bool
	stats   *Stats
	slow    atomic.Bool // counted as a slow consumer (once, whatever the reasons)
}

// NewSub returns a subscriber of this hub with a fresh ID (the hub's
// NodeID in its top 24 bits) and an empty queue.
func (h *Hub) NewSub(t Transport, limits Limits) *Sub {
	q := NewQueue(limits)
	q.stats, q.tr, q.epochLen = &h.stats, t, len(h.cfg.Epoch)
	return &Sub{ID: uint64(h.cfg.NodeID)<<40 | h.nextSub.Add(1), Transport: t, Q: q, streams: map[*Stream]int{}, stats: &h.stats}
}

// own frames a message for this subscriber alone; off is the SSE id.
func (s *Sub) own(m wire.Message, epoch string, off uint64) []byte {
	switch s.Transport {
	case WSText:
		return Single(wire.JSON, m)
	case SSE:
		// The only own SSE message is a reset. It goes without an id line:
		// it has no offset of its own, and the hub's latest offset here
		// (as before) is above those of the snapshots and latest values
		// that follow it, so a viewer cut off between the reset and them
		// resumed past them and never got its fresh book. With no id the
		// browser keeps its old one and, cut off there, gets the reset
		// again.
		return AppendSSEEvent(nil, typeOf(m), m.AppendJSON(nil))
	}
	return Single(wire.MsgPack, m)
}

// push queues a shared frame for this subscriber in its transport's form.
func (s *Sub) push(f *Frame) bool { return s.Q.Push(f) }

// typeOf returns the message type word of m.
func typeOf(m wire.Message) string { return m.Kind().String() }
