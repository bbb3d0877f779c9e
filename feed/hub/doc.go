// Package hub relays the venue's events to the feed's subscribers: the
// fan-out in the middle of every tickcast feed node.
//
// One goroutine (Hub.Run) consumes the venue's batches from a bus, in
// order, and owns everything that changes with them: the public streams
// (CHANNEL:SYMBOL) and their subscribers, the history kept for resume, an
// L2 mirror of every book (so that a new subscriber's snapshot is consistent
// with the deltas that follow it, without asking the venue), the latest
// value of every conflatable stream, and the routing of replies and private
// messages to the sessions of an account.
//
// Each event is converted once to its wire message (its decimals, integers
// in the venue's events, written as text: convert.go) and encoded once per
// format (msgpack and JSON, framed for
// WebSocket and as an SSE record on demand) into an immutable Frame that
// every subscriber's Queue shares. The hub never blocks on a subscriber:
// a Queue conflates what may be conflated (quote, ticker, candles) and
// overflows when its lossless backlog passes its Limits, and the hub then
// drops the subscriber, whose transport closes it (WebSocket 4008). Slow
// consumers are counted and logged (Hub.SlowConsumer).
//
// Subscribe, resume and unsubscribe run on the hub goroutine between two
// batches, which is what makes snapshot + replay + live gapless. Counters
// belong to each hub (Hub.Stats) and subscriber IDs carry the hub's
// Config.NodeID, so several hubs can share a process or an engine.
package hub
