package client

import (
	"github.com/tickcast/tickcast/feed/wire"
)

// inbound is one received message, decoded lazily.
type inbound struct {
	format wire.Format
	raw    []byte
	h      wire.Header
	m      wire.Message
	err    error
}

// msg decodes the message on first use.
func (in *inbound) msg() (wire.Message, error) {
	if in.m == nil && in.err == nil {
		in.m, in.err = wire.Decode(in.format, in.raw)
	}
	return in.m, in.err
}

// dispatch handles one message on the client goroutine: stream
// bookkeeping, reply matching, then the user's handlers.
func (c *Client) dispatch(cn *conn, raw []byte) {
	in := inbound{format: cn.format, raw: raw}
	var err error
	if in.h, err = wire.DecodeHeader(cn.format, raw); err != nil {
		c.malformed(err)
		return
	}
	switch k := in.h.Kind; {
	case k.Public():
		if !c.onPublic(cn, &in) {
			return
		}
	case k.Private():
		c.onPrivate(&in.h)
	case k == wire.KindReset:
		m, err := in.msg()
		if err != nil {
			c.malformed(err)
			return
		}
		c.onReset(m.(*wire.Reset))
	}
	var cl *call
	if in.h.ID.Valid && replyKinds.has(in.h.Kind) {
		cl = c.take(in.h.ID.Value, in.h.Kind)
	}
	var rerr error
	if cl != nil {
		var m wire.Message
		if m, rerr = in.msg(); rerr == nil && cl.hook != nil {
			cl.hook(m)
		}
	}
	c.stats.messages.Add(1)
	c.stats.bytes.Add(uint64(len(raw)))
	if f := c.cfg.OnMessage; f != nil {
		f(raw, in.h)
	}
	if f := c.cfg.OnDecoded; f != nil {
		if m, err := in.msg(); err == nil {
			f(m)
		} else {
			c.malformed(err)
		}
	}
	if cl != nil && cl.done != nil {
		cl.done <- reply{msg: in.m, err: rerr}
	}
}

func (c *Client) malformed(err error) {
	c.stats.malformed.Add(1)
	c.cfg.Logger.Warn("tickcast client: malformed message", "err", err)
}

// onPrivate checks the account's seq; private streams have no resync, so
// a gap is only counted.
func (c *Client) onPrivate(h *wire.Header) {
	if c.privSeq != 0 && h.Seq != c.privSeq+1 && h.Seq > c.privSeq {
		c.stats.gaps.Add(1)
	}
	if h.Seq > c.privSeq {
		c.privSeq = h.Seq
	}
}

// onReset forgets a stream's position: the next message starts it again
// (for book, the next snapshot).
func (c *Client) onReset(r *wire.Reset) {
	c.stats.resets.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.lookupLocked(r.Ch, r.S)
	if st == nil {
		return
	}
	st.known = false
	st.resyncing = st.ch == wire.ChanBook
	if st.book != nil {
		st.book.Reset()
	}
}
