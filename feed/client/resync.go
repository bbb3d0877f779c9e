package client

import (
	"github.com/tickcast/tickcast/feed/wire"
)

// resync resubscribes one stream after a gap or a bad book: unsubscribe,
// then subscribe again. For trades the subscribe carries since = the last
// seq delivered, so the server replays what was missed; for book it does
// not, so the server sends a fresh snapshot. Until then the stream drops
// what does not fit (see onPublic).
func (c *Client) resync(cn *conn, st *stream) {
	c.stats.resyncs.Add(1)
	c.mu.Lock()
	st.resyncing = true
	sub := &wire.Subscribe{Channels: []string{st.ch}, Symbols: []string{st.sym}}
	if st.ch != wire.ChanBook && st.known {
		sub.Epoch = c.epoch
		sub.Since = map[string]uint64{wire.Stream(st.ch, st.sym): st.last}
	}
	c.mu.Unlock()
	if st.book != nil {
		st.book.Reset()
	}
	c.post(cn, kinds(wire.KindUnsubscribed), nil, func(id wire.ID) wire.Op {
		return &wire.Unsubscribe{ID: id, Channels: sub.Channels, Symbols: sub.Symbols}
	})
	c.post(cn, kinds(wire.KindSubscribed), c.refused(sub), func(id wire.ID) wire.Op {
		sub.ID = id
		return sub
	})
}

// refused returns the hook of one of the client's own subscribes: when
// the server refuses it, the streams it named start over with whatever
// comes next instead of waiting for a replay that will not come.
func (c *Client) refused(sub *wire.Subscribe) func(wire.Message) {
	return func(m wire.Message) {
		e, ok := m.(*wire.Error)
		if !ok {
			return
		}
		c.cfg.Logger.Warn("tickcast client: resubscribe refused", "code", e.Code, "msg", e.Msg)
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, ch := range sub.Channels {
			for _, sym := range sub.Symbols {
				if st := c.lookupLocked(ch, sym); st != nil && st.ch != wire.ChanBook {
					st.resyncing, st.known = false, false
				}
			}
		}
	}
}

// resume runs after a reconnect, before the new connection is read:
// authenticate again if Auth was called, then resubscribe every tracked
// stream with the previous connection's epoch and the last seq of each
// stream, so that the server replays what was missed (protocol.md 7.1).
func (c *Client) resume(cn *conn) {
	c.mu.Lock()
	epoch := c.epoch
	byChannel := map[string][]*stream{}
	for ch, m := range c.streams {
		for _, st := range m {
			byChannel[ch] = append(byChannel[ch], st)
			if st.book != nil && !st.book.Ready() {
				st.resyncing, st.known = true, false
			}
		}
	}
	c.cn, c.state, c.welcome, c.epoch = cn, StateConnected, cn.welcome, cn.welcome.Epoch
	c.privSeq = 0
	auth := c.auth
	c.mu.Unlock()

	if auth != nil {
		c.post(cn, kinds(wire.KindAuthed), nil, func(id wire.ID) wire.Op {
			a := *auth
			a.ID = id
			return &a
		})
	}
	for ch, sts := range byChannel {
		for len(sts) > 0 {
			n := min(len(sts), wire.MaxSymbols)
			sub := resumeOp(ch, sts[:n], epoch)
			c.post(cn, kinds(wire.KindSubscribed), c.refused(sub), func(id wire.ID) wire.Op {
				sub.ID = id
				return sub
			})
			sts = sts[n:]
		}
	}
}

// resumeOp builds the subscribe resuming streams of one channel.
func resumeOp(ch string, sts []*stream, epoch string) *wire.Subscribe {
	sub := &wire.Subscribe{Channels: []string{ch}, Epoch: epoch}
	for _, st := range sts {
		sub.Symbols = append(sub.Symbols, st.sym)
		if st.known {
			if sub.Since == nil {
				sub.Since = map[string]uint64{}
			}
			sub.Since[wire.Stream(st.ch, st.sym)] = st.last
		}
	}
	if sub.Since == nil {
		sub.Epoch = ""
	}
	return sub
}
