package client

import (
	"strings"

	"github.com/tickcast/tickcast/feed/wire"
)

// stream is the client's state for one subscribed stream.
type stream struct {
	ch, sym  string
	lossless bool
	known    bool   // last holds a seq of the current epoch
	last     uint64 // last seq delivered
	// resyncing: after a gap or reset the stream waits for the replay
	// (seq last+1) or, on book, for a snapshot; until then messages that
	// do not fit are dropped.
	resyncing bool
	book      *Book // channel "book" unless Config.NoBooks
}

// lookupLocked returns the stream state, nil when not tracked.
func (c *Client) lookupLocked(ch, sym string) *stream {
	return c.streams[ch][sym]
}

// trackReply is the hook of Subscribe: it starts tracking the streams the
// server confirmed. A stream already tracked keeps its state.
func (c *Client) trackReply(m wire.Message) {
	r, ok := m.(*wire.Subscribed)
	if !ok {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, name := range r.Streams {
		ch, sym, ok := strings.Cut(name, ":")
		if !ok || c.lookupLocked(ch, sym) != nil {
			continue
		}
		st := &stream{ch: ch, sym: sym, lossless: wire.Lossless(ch)}
		if ch == wire.ChanBook {
			st.resyncing = true // a snapshot comes first
			if !c.cfg.NoBooks {
				st.book = NewBook(sym)
			}
		}
		if c.streams[ch] == nil {
			c.streams[ch] = map[string]*stream{}
		}
		c.streams[ch][sym] = st
	}
}

// untrackReply is the hook of Unsubscribe.
func (c *Client) untrackReply(m wire.Message) {
	r, ok := m.(*wire.Unsubscribed)
	if !ok {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, name := range r.Streams {
		if ch, sym, ok := strings.Cut(name, ":"); ok {
			delete(c.streams[ch], sym)
			if len(c.streams[ch]) == 0 {
				delete(c.streams, ch)
			}
		}
	}
}

// Book returns the book maintained for symbol, nil when the client is not
// subscribed to its book stream (or Config.NoBooks is set). The same
// *Book stays valid across resyncs and reconnects; check Ready.
func (c *Client) Book(symbol string) *Book {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st := c.lookupLocked(wire.ChanBook, symbol); st != nil {
		return st.book
	}
	return nil
}

// LastSeq returns the last seq delivered on a stream and whether one is
// known (false also when the stream is not tracked).
func (c *Client) LastSeq(channel, symbol string) (uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st := c.lookupLocked(channel, symbol); st != nil && st.known {
		return st.last, true
	}
	return 0, false
}

// Streams returns the names of the tracked streams.
func (c *Client) Streams() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for ch, m := range c.streams {
		for sym := range m {
			out = append(out, wire.Stream(ch, sym))
		}
	}
	return out
}
