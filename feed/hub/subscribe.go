package hub

import (
	"cmp"
	"context"
	"slices"

	"github.com/tickcast/tickcast/feed/wire"
)

// Request is a subscribe operation after validation: known streams only.
type Request struct {
	ID      wire.ID
	Streams []*Stream
	// Resume: Epoch and Since (stream name → last seq processed) as sent by
	// the client (protocol.md 7.1). An empty Epoch with Since means the current
	// epoch.
	Epoch string
	Since map[string]uint64
}

// Subscribe adds sub to the request's streams and queues, in this order:
// the subscribed reply; per stream either the messages missed since the
// client's seq (resume), or a reset and, for book, a fresh snapshot when
// they cannot be replayed; for a fresh book subscription a snapshot; for a
// fresh conflatable stream its latest value. Live messages follow with no
// gap and no duplicate. Over the subscription limit it answers an error
// and changes nothing.
func (h *Hub) Subscribe(ctx context.Context, sub *Sub, r Request) error {
	return h.do(ctx, func() {
		h.whenReached(func() bool { return !h.ahead(r) }, func() { h.subscribe(sub, r) })
	})
}

// ahead reports whether r resumes a stream of this epoch from a seq the
// hub has not relayed yet.
func (h *Hub) ahead(r Request) bool {
	if r.Epoch != "" && r.Epoch != h.cfg.Epoch {
		return false
	}
	for _, s := range r.Streams {
		if since, ok := r.Since[s.Name]; ok && since > s.lastSeq() {
			return true
		}
	}
	return false
}

func (h *Hub) subscribe(sub *Sub, r Request) {
	if sub.gone {
		return
	}
	added := 0
	for _, s := range r.Streams {
		if _, ok := sub.streams[s]; !ok {
			added++
		}
	}
	if len(sub.streams)+added > h.cfg.MaxSubscriptions {
		h.reply(sub, &wire.Error{ID: r.ID, Code: wire.CodeTooManySubscriptions, Msg: "subscription limit reached"})
		return
	}
	names := make([]string, len(r.Streams))
	for i, s := range r.Streams {
		names[i] = s.Name
	}
	if !h.reply(sub, &wire.Subscribed{ID: r.ID, Streams: names}) {
		return
	}
	epochOK := r.Epoch == "" || r.Epoch == h.cfg.Epoch
	// Resets go first; every frame after them (snapshots, replayed
	// messages, latest values) in order of offset across all streams, as
	// the feed published them (protocol.md 3.2: off is strictly increasing).
	var frames []*Frame
	for _, s := range r.Streams {
		since, resuming := r.Since[s.Name]
		switch {
		case resuming && !epochOK:
			frames = h.reset(sub, s, wire.ResetEpochChanged, frames)
		case resuming:
			missed, ok := s.after(since)
			if !ok {
				frames = h.reset(sub, s, wire.ResetHistoryExpired, frames)
				break
			}
			frames = append(frames, missed...)
		case s.mirror != nil:
			frames = append(frames, s.mirror.snapshot(s))
		case s.last != nil:
			if _, already := sub.streams[s]; !already {
				frames = append(frames, s.last)
			}
		}
		s.add(sub)
	}
	slices.SortStableFunc(frames, func(a, b *Frame) int { return cmp.Compare(a.Off, b.Off) })
	for _, f := range frames {
		sub.push(f)
	}
}

// reset tells sub that stream s cannot be resumed, and adds to frames what
// replaces the replay: a book's fresh snapshot, a conflatable stream's
// latest value.
func (h *Hub) reset(sub *Sub, s *Stream, reason string, frames []*Frame) []*Frame {
	h.reply(sub, &wire.Reset{Ch: s.Channel, S: s.Symbol, Reason: reason})
	switch {
	case s.mirror != nil:
		return append(frames, s.mirror.snapshot(s))
	case s.last != nil:
		return append(frames, s.last)
	}
	return frames
}

// reply queues a message for sub alone, in order with the public frames
// queued for it (a subscribe's answer before its snapshots, an
// unsubscribed after the stream's last frames).
func (h *Hub) reply(sub *Sub, m wire.Message) bool {
	if !sub.Q.PushOrdered(sub.own(m, h.cfg.Epoch, h.lastOff)) {
		h.dropped = append(h.dropped, sub)
		return false
	}
	return true
}

// Unsubscribe takes sub off streams and queues the unsubscribed reply.
func (h *Hub) Unsubscribe(ctx context.Context, sub *Sub, id wire.ID, streams []*Stream) error {
	return h.do(ctx, func() {
		if sub.gone {
			return
		}
		names := make([]string, len(streams))
		for i, s := range streams {
			s.remove(sub)
			names[i] = s.Name
		}
		h.reply(sub, &wire.Unsubscribed{ID: id, Streams: names})
	})
}

// SubscribeSSE adds an SSE viewer to streams. With a last event id in the
// current epoch (afterOff set), it replays every held message of those
// streams after that offset, in order; when it cannot (other epoch, or
// history expired) it sends a reset per stream, then book snapshots and
// latest values, as for a new viewer.
func (h *Hub) SubscribeSSE(ctx context.Context, sub *Sub, streams []*Stream, epoch string, afterOff uint64, resume bool) error {
	return h.do(ctx, func() {
		reached := func() bool { return !resume || epoch != h.cfg.Epoch || afterOff <= h.lastOff }
		h.whenReached(reached, func() { h.subscribeSSE(sub, streams, epoch, afterOff, resume) })
	})
}

func (h *Hub) subscribeSSE(sub *Sub, streams []*Stream, epoch string, afterOff uint64, resume bool) {
	if sub.gone {
		return
	}
	for _, s := range streams {
		s.add(sub)
	}
	// Offset 0 was never an event's id (offsets start at 1): a client
	// sending it would get the whole history replayed. It gets a
	// reset, as for an expired history.
	if resume && epoch == h.cfg.Epoch && afterOff > 0 {
		want := make(map[*Stream]bool, len(streams))
		for _, s := range streams {
			want[s] = true
		}
		if h.hist.afterOff(afterOff, h.lastOff, func(f *Frame) {
			if want[f.Stream] {
				sub.push(f)
			}
		}) {
			return
		}
	}
	reason := ""
	if resume {
		reason = wire.ResetHistoryExpired
		if epoch != h.cfg.Epoch {
			reason = wire.ResetEpochChanged
		}
	}
	var first []*Frame
	for _, s := range streams {
		if reason != "" {
			h.reply(sub, &wire.Reset{Ch: s.Channel, S: s.Symbol, Reason: reason})
		}
		switch {
		case s.mirror != nil:
			first = append(first, s.mirror.snapshot(s))
		case s.last != nil:
			first = append(first, s.last)
		}
	}
	slices.SortFunc(first, func(a, b *Frame) int { return cmp.Compare(a.Off, b.Off) })
	for _, f := range first {
		sub.push(f)
	}
}
