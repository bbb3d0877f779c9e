package client

import (
	"sync"

	"github.com/tickcast/tickcast/feed/wire"
)

// collector records what a client delivers, through both handlers.
type collector struct {
	mu      sync.Mutex
	msgs    []wire.Message
	headers []wire.Header
	states  []StateEvent
}

func (c *collector) config(cfg *Config) {
	cfg.OnDecoded = c.decoded
	cfg.OnMessage = c.raw
	cfg.OnState = c.state
}

func (c *collector) decoded(m wire.Message) {
	c.mu.Lock()
	c.msgs = append(c.msgs, m)
	c.mu.Unlock()
}

func (c *collector) raw(_ []byte, h wire.Header) {
	c.mu.Lock()
	c.headers = append(c.headers, h)
	c.mu.Unlock()
}

func (c *collector) state(ev StateEvent) {
	c.mu.Lock()
	c.states = append(c.states, ev)
	c.mu.Unlock()
}

// seqs returns the seqs delivered on a stream, in order.
func (c *collector) seqs(ch, sym string) []uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []uint64
	for _, h := range c.headers {
		if h.Ch == ch && h.S == sym && h.Kind.Public() {
			out = append(out, h.Seq)
		}
	}
	return out
}

// count returns how many messages of kind k were delivered.
func (c *collector) count(k wire.Kind) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, m := range c.msgs {
		if m.Kind() == k {
			n++
		}
	}
	return n
}

// stateEvents returns a copy of the state events.
func (c *collector) stateEvents() []StateEvent {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]StateEvent(nil), c.states...)
}

func upTo(n uint64) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = uint64(i + 1)
	}
	return out
}
