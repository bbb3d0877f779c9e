package hub

import (
	"context"

	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/market"
)

// Resync tells the hub that the events between what it relayed last and
// off were lost on their way to it (an edge whose bus lost them: Redis
// restarted empty, say), and that books (KindBookSnapshot events, one per
// symbol, with the seq, off and ts of each book's last delta) are the state
// as of off. Nothing is spliced over the hole: the history is forgotten (a
// client resuming from before it gets reset history_expired), every
// subscriber of a stream gets a reset (history_expired) for it, book
// subscribers then the new book, and the batches that follow apply on top.
//
// It runs on the hub goroutine between two batches: the caller must have
// handed the hub every batch it means to come before it (its bus channel
// empty), and hand it the ones after only once Resync returned.
func (h *Hub) Resync(ctx context.Context, off uint64, books []*market.Event) error {
	done := make(chan struct{})
	if err := h.do(ctx, func() { defer close(done); h.resync(off, books) }); err != nil {
		return err
	}
	select {
	case <-done:
		return nil
	case <-h.done:
		return ErrStopped
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hub) resync(off uint64, books []*market.Event) {
	for h.hist.all.n > 0 {
		h.hist.all.pop()
	}
	for _, s := range h.streams {
		s.hist = fifo{}
		for _, sub := range s.subs {
			h.reply(sub, &wire.Reset{Ch: s.Channel, S: s.Symbol, Reason: wire.ResetHistoryExpired})
		}
	}
	for _, e := range books {
		if e.Kind != market.KindBookSnapshot {
			continue
		}
		if s := h.Lookup(wire.ChanBook, e.Symbol); s != nil {
			h.seedBook(s, public(e).(*wire.BookSnapshot))
		}
	}
	for _, sub := range h.wake {
		sub.Q.Notify()
	}
	clear(h.wake)
	h.wake = h.wake[:0]
	h.lastOff = max(h.lastOff, off)
}
