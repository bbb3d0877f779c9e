package client

import (
	"errors"

	"github.com/tickcast/tickcast/feed/wire"
)

// onPublic applies a public message to its stream's state and reports
// whether to deliver it. Only the client goroutine changes stream state;
// it takes c.mu for the writes that readers can observe.
func (c *Client) onPublic(cn *conn, in *inbound) bool {
	h := &in.h
	c.mu.Lock()
	st := c.lookupLocked(h.Ch, h.S)
	c.mu.Unlock()
	if st == nil {
		return true // not subscribed through this client: pass through
	}
	switch {
	case h.Kind == wire.KindBookSnapshot:
		if st.book != nil && !c.applyBook(cn, st, in) {
			return false
		}
		c.advance(st, h.Seq)
		return true
	case st.resyncing && st.ch == wire.ChanBook:
		return false // waiting for the snapshot
	case !st.known:
		c.advance(st, h.Seq)
		return true
	case h.Seq <= st.last:
		c.stats.duplicates.Add(1)
		return false
	case h.Seq == st.last+1:
		if h.Kind == wire.KindBook && st.book != nil && !c.applyBook(cn, st, in) {
			return false
		}
		c.advance(st, h.Seq)
		return true
	case !st.lossless:
		c.advance(st, h.Seq) // conflated: seq may skip
		return true
	case st.resyncing:
		return false // old subscription still draining; replay follows
	}
	c.stats.gaps.Add(1)
	c.resync(cn, st)
	return false
}

// advance records seq as the stream's last.
func (c *Client) advance(st *stream, seq uint64) {
	c.mu.Lock()
	st.last, st.known, st.resyncing = seq, true, false
	c.mu.Unlock()
}

// applyBook decodes a book message and applies it; on failure it resyncs
// the stream and reports false.
func (c *Client) applyBook(cn *conn, st *stream, in *inbound) bool {
	m, err := in.msg()
	if err == nil {
		switch b := m.(type) {
		case *wire.BookSnapshot:
			err = st.book.ApplySnapshot(b)
		case *wire.BookDelta:
			err = st.book.ApplyDelta(b)
		}
	}
	if err == nil {
		return true
	}
	if errors.Is(err, ErrChecksum) {
		c.stats.checksums.Add(1)
	} else {
		c.stats.malformed.Add(1)
	}
	c.cfg.Logger.Warn("tickcast client: book out of sync", "symbol", st.sym, "err", err)
	c.resync(cn, st)
	return false
}
