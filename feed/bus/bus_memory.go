package bus

import (
	"sync"

	"github.com/tickcast/tickcast/market"
)

// Memory is the in-process bus. Publish hands each batch to every
// subscriber's channel in order. A full channel blocks the publisher: the
// subscribers are the feed's hubs, which never block on clients, so a full
// channel means the machine cannot keep up, and slowing the venue is the
// right answer (dropping would break lossless streams). A blocked Publish
// gives up when the bus closes or that subscription is cancelled, so that
// a stalled hub cannot hang shutdown.
type Memory struct {
	mu     sync.RWMutex // held for reading while publishing; for writing to change subs
	subs   []*memorySub
	closed bool

	done     chan struct{} // closed by Close before it takes mu
	doneOnce sync.Once
}

var (
	_ market.Publisher = (*Memory)(nil)
	_ Subscriber       = (*Memory)(nil)
	_ Subscription     = (*memorySub)(nil)
)

// NewMemory returns an empty in-process bus.
func NewMemory() *Memory { return &Memory{done: make(chan struct{})} }

// memorySub is one subscription. Its channel is closed only with mu held
// for writing, so that no Publish (holding it for reading) sends on it then.
type memorySub struct {
	bus        *Memory
	c          chan []*market.Event
	cancelled  chan struct{} // closed first by Cancel: unblocks a Publish sending to c
	cancelOnce sync.Once
	closeOnce  sync.Once
}

func (s *memorySub) C() <-chan []*market.Event { return s.c }

func (s *memorySub) Cancel() {
	s.cancelOnce.Do(func() { close(s.cancelled) })
	m := s.bus
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, x := range m.subs {
		if x == s {
			m.subs = append(m.subs[:i], m.subs[i+1:]...)
			break
		}
	}
	s.closeLocked()
}

func (s *memorySub) closeLocked() { s.closeOnce.Do(func() { close(s.c) }) }

// PublishBatch delivers batch to every subscriber, in the order of
// earlier batches. It blocks while a subscriber's channel is full, until that
// subscriber takes a batch, cancels, or the bus closes; it returns
// ErrClosed if the bus closed before every subscriber got the batch.
// Calls must not overlap (the venue publishes from one goroutine).
func (m *Memory) PublishBatch(batch []*market.Event) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return ErrClosed
	}
	for _, s := range m.subs {
		select {
		case s.c <- batch:
		case <-s.cancelled:
		case <-m.done:
			return ErrClosed
		}
	}
	return nil
}

// Publish is PublishBatch for the venue's market.Publisher; a batch
// refused because the bus is closed is dropped (the venue is stopping).
func (m *Memory) Publish(batch []*market.Event) { _ = m.PublishBatch(batch) }

// Subscribe registers a subscriber; see Subscriber. After Close it returns
// a subscription whose channel is already closed.
func (m *Memory) Subscribe(buf int) Subscription {
	s := &memorySub{bus: m, c: make(chan []*market.Event, max(buf, 0)), cancelled: make(chan struct{})}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		s.closeLocked()
		return s
	}
	m.subs = append(m.subs, s)
	return s
}

// Close ends the bus: a Publish blocked on a full channel gives up, every
// subscriber's channel is closed after the batches it already holds, and
// later publishes are refused. It returns promptly whatever the
// subscribers do. Idempotent.
func (m *Memory) Close() {
	m.doneOnce.Do(func() { close(m.done) }) // first, so that a blocked Publish lets go of mu
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return
	}
	m.closed = true
	for _, s := range m.subs {
		s.closeLocked()
	}
	m.subs = nil
}
