package hub

import "sync/atomic"

// Stats are a hub's counters, for metrics. Each hub has its own, so that
// several hubs can live in one process (tests; an edge beside an engine).
type Stats struct {
	conflations   atomic.Uint64
	slowCutoffs   atomic.Uint64
	subscriptions atomic.Int64
}

// Conflations is how many queued messages newer ones replaced, over every
// subscriber's queue.
func (s *Stats) Conflations() uint64 { return s.conflations.Load() }

// SlowCutoffs is how many subscribers the hub took off its streams because
// their lossless backlog passed its limits (the transport then closes
// them: WebSocket 4008, SSE end of stream).
func (s *Stats) SlowCutoffs() uint64 { return s.slowCutoffs.Load() }

// Subscriptions is the number of (subscriber, stream) pairs now.
func (s *Stats) Subscriptions() int64 { return s.subscriptions.Load() }

// Stats returns the hub's counters; safe for concurrent use.
func (h *Hub) Stats() *Stats { return &h.stats }
