package hub

// A subscriber removed while operations of its are still waiting for the
// venue lingers: the venue's answers to them still complete (Sub.Completed),
// so that its transport can release what they hold, until
// Sub.Outstanding reports false.

// completed tells the subscriber whose operation a batch answered, live or
// removed, that it is done.
func (h *Hub) completed(origin uint64) {
	if sub := h.subs[origin]; sub != nil {
		if sub.Completed != nil {
			sub.Completed()
		}
		return
	}
	if sub := h.lingering[origin]; sub != nil {
		sub.Completed()
		if !sub.Outstanding() {
			delete(h.lingering, origin)
		}
	}
}

// minSweep is the fewest lingering subscribers that make remove sweep.
const minSweep = 256

// sweepLingering forgets the lingering subscribers that no longer wait
// (a transport may give up on answers that never come: a venue that lost
// them). It runs when their number doubles, so it costs O(1) a remove.
func (h *Hub) sweepLingering() {
	for id, sub := range h.lingering {
		if !sub.Outstanding() {
			delete(h.lingering, id)
		}
	}
	h.sweepAt = max(minSweep, 2*len(h.lingering))
}
