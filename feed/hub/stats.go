package hub

import "sync/atomic"

// Stats are a hub's counters, for metrics. Each hub has its own, so that
// several hubs can live in one process (tests; an edge beside an engine).
type Stats struct {
	conflations   atomic.Uint64
	slowBacklogs  atomic.Uint64
	slowWrites    atomic.Uint64
	subscriptions atomic.Int64
	backlog       atomic.Int64 // lossless bytes queued over all subscribers (in steps of chargeStep)
	budget        int64        // Config.BacklogBudget
}

// charge adds delta bytes to the hub-wide backlog and reports whether the
// total is now over the budget (a queue growing by delta then overflows).
func (s *Stats) charge(delta int) bool {
	return s.backlog.Add(int64(delta)) > s.budget && delta > 0
}

// Backlog is the lossless backlog of every subscriber together, in bytes,
// as the hub's budget counts it: the messages' bytes in each subscriber's
// format and the queues' slots holding them (queues report in steps of
// 64 KiB).
func (s *Stats) Backlog() int64 { return s.backlog.Load() }

// Conflations is how many queued messages newer ones replaced, over every
// subscriber's queue.
func (s *Stats) Conflations() uint64 { return s.conflations.Load() }

// SlowConsumers is how many subscribers the transports cut off as slow
// consumers (Hub.SlowConsumer), by reason.
func (s *Stats) SlowConsumers(why SlowReason) uint64 {
	if why == SlowWrite {
		return s.slowWrites.Load()
	}
	return s.slowBacklogs.Load()
}

// Subscriptions is the number of (subscriber, stream) pairs now.
func (s *Stats) Subscriptions() int64 { return s.subscriptions.Load() }

// Stats returns the hub's counters; safe for concurrent use.
func (h *Hub) Stats() *Stats { return &h.stats }
