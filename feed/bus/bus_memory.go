package bus

import (
	"sync"

	"github.com/tickcast/tickcast/market"
)

// Memory is the in-process bus. Publish hands each batch to every
// subscriber's channel in order. A full channel blocks the publisher: the
// subscribers are the feed's hubs, which never block on clients, so a full
// channel means the machine cannot keep up and slowing the venue is the
// right answer (dropping would break lossless streams).
type Memory struct {
	mu     sync.RWMutex
	subs   []chan []*market.Event
	closed bool
}

var (
	_ market.Publisher = (*Memory)(nil)
	_ Subscriber       = (*Memory)(nil)
)

// NewMemory returns an empty in-process bus.
func NewMemory() *Memory { return &Memory{} }

// Publish delivers batch to every subscriber.
func (m *Memory) Publish(batch []*market.Event) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return
	}
	for _, c := range m.subs {
		c <- batch
	}
}

// Subscribe registers a subscriber; see Subscriber.
func (m *Memory) Subscribe(buf int) <-chan []*market.Event {
	c := make(chan []*market.Event, buf)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		close(c)
		return c
	}
	m.subs = append(m.subs, c)
	return c
}

// Close closes every subscriber's channel; later publishes are dropped.
func (m *Memory) Close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return
	}
	m.closed = true
	for _, c := range m.subs {
		close(c)
	}
}
