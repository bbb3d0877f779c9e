package bench

import "github.com/tickcast/tickcast/feed/wire"

// streamPos is one stream's position as a client has seen it.
type streamPos struct {
	ch, sym  string
	lossless bool
	known    bool
	last     uint64
}

// seqCheck is what one message did to its stream's continuity.
type seqCheck struct {
	gap       bool   // a jump on a lossless stream: messages were lost
	conflated uint64 // messages a jump on a conflatable stream skipped
	duplicate bool   // seq not above the last one: nothing new
}

// seqTracker checks seq continuity per stream for one client (protocol.md 3.2):
// on a lossless stream every seq follows the last by one, on a conflatable
// stream seq may skip the messages the server replaced. It keeps a short
// slice, not a map: a client has a handful of streams, and the channel and
// symbol strings of wire.Header are interned, so comparing them is cheap.
type seqTracker struct {
	streams []streamPos
}

// pos returns the position of stream ch:sym, adding it when new.
func (t *seqTracker) pos(ch, sym string) *streamPos {
	for i := range t.streams {
		if p := &t.streams[i]; p.ch == ch && p.sym == sym {
			return p
		}
	}
	t.streams = append(t.streams, streamPos{ch: ch, sym: sym, lossless: wire.Lossless(ch)})
	return &t.streams[len(t.streams)-1]
}

// observe checks one public message. A book snapshot restarts its stream
// (the server sends one after every subscribe and resync, and its seq is
// the last delta it contains), as does the first message of a stream.
func (t *seqTracker) observe(kind wire.Kind, ch, sym string, seq uint64) seqCheck {
	p := t.pos(ch, sym)
	var c seqCheck
	switch {
	case kind == wire.KindBookSnapshot || !p.known:
	case seq <= p.last:
		return seqCheck{duplicate: true}
	case seq == p.last+1:
	case p.lossless:
		c.gap = true
	default:
		c.conflated = seq - p.last - 1
	}
	p.known, p.last = true, seq
	return c
}

// forget restarts stream ch:sym: after a reset message its seq may start
// anywhere.
func (t *seqTracker) forget(ch, sym string) {
	t.pos(ch, sym).known = false
}
