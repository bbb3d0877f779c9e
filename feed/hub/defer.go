package hub

import "time"

// deferredResume is a resume waiting for the hub to reach the client's
// position (Config.ResumeWait).
type deferredResume struct {
	reached  func() bool
	run      func()
	deadline time.Time
}

// whenReached runs fn now if reached says the hub holds the position it
// needs (or no wait is configured), else once it does or ResumeWait has
// passed (fn then answers reset, as it would have at once).
func (h *Hub) whenReached(reached func() bool, fn func()) {
	if h.cfg.ResumeWait <= 0 || reached() {
		fn()
		return
	}
	h.deferred = append(h.deferred, deferredResume{reached, fn, time.Now().Add(h.cfg.ResumeWait)})
}

// retryDeferred runs the waiting resumes whose position was reached or
// whose wait is over, in the order they came.
func (h *Hub) retryDeferred() {
	if len(h.deferred) == 0 {
		return
	}
	now := time.Now()
	keep := h.deferred[:0]
	for _, d := range h.deferred {
		if d.reached() || now.After(d.deadline) {
			d.run()
			continue
		}
		keep = append(keep, d)
	}
	clear(h.deferred[len(keep):])
	h.deferred = keep
}

// deferTick ticks while resumes wait (their deadlines pass even when no
// batch comes), nil otherwise.
func (h *Hub) deferTick() <-chan time.Time {
	if len(h.deferred) == 0 {
		if h.tick != nil {
			h.tick.Stop()
			h.tick = nil
		}
		return nil
	}
	if h.tick == nil {
		h.tick = time.NewTicker(50 * time.Millisecond)
	}
	return h.tick.C
}
