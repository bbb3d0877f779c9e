package bus

import (
	"sync"
	"sync/atomic"

	"github.com/tickcast/tickcast/market"
)

// Memory is the in-process bus. Publish hands each batch to every
// subscriber's channel in order. A full channel blocks the publisher: the
// subscribers are the feed's hubs, which never block on clients, so a full
// channel means the machine cannot keep up, and slowing the venue is the
// right answer (dropping would break lossless streams). A blocked Publish
// gives up when the bus closes or that subscription is cancelled, so that
// a stalled hub cannot hang shutdown; and neither Subscribe, Cancel nor
// Close waits for a Publish blocked on some other subscriber.
type Memory struct {
	mu     sync.Mutex                   // serialises changes to subs and closed
	subs   atomic.Pointer[[]*memorySub] // copy on write: Publish reads it without a lock
	closed bool

	done     chan struct{} // closed by Close first
	doneOnce sync.Once
}

var (
	_ market.Publisher = (*Memory)(nil)
	_ Subscriber       = (*Memory)(nil)
	_ Subscription     = (*memorySub)(nil)
)

// NewMemory returns an empty in-process bus.
func NewMemory() *Memory { return &Memory{done: make(chan struct{})} }

// memorySub is one subscription. Its channel is sent on and closed only
// with sendMu held, so that no send meets a closed channel; whoever closes
// it first closes cancelled (or the bus's done), which frees a send
// blocked on it, so sendMu is never held for long by a stalled subscriber.
type memorySub struct {
	bus        *Memory
	c          chan []*market.Event
	cancelled  chan struct{} // closed first by Cancel: unblocks a Publish sending to c
	cancelOnce sync.Once
	sendMu     sync.Mutex
	chClosed   bool // c is closed; guarded by sendMu
}

func (s *memorySub) C() <-chan []*market.Event { return s.c }

func (s *memorySub) Cancel() {
	s.cancelOnce.Do(func() { close(s.cancelled) })
	m := s.bus
	m.mu.Lock()
	m.removeLocked(s)
	m.mu.Unlock()
	s.closeCh()
}

// closeCh closes the subscription's channel once no send is under way.
func (s *memorySub) closeCh() {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	if !s.chClosed {
		s.chClosed = true
		close(s.c)
	}
}

// send hands batch to the subscriber: false when the bus closed first.
func (s *memorySub) send(batch []*market.Event, done <-chan struct{}) bool {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	if s.chClosed {
		return true // cancelled: nothing to deliver
	}
	select {
	case s.c <- batch:
	case <-s.cancelled:
	case <-done:
		return false
	}
	return true
}

func (m *Memory) removeLocked(s *memorySub) {
	old := m.subsNow()
	for i, x := range old {
		if x == s {
			next := make([]*memorySub, 0, len(old)-1)
			next = append(append(next, old[:i]...), old[i+1:]...)
			m.subs.Store(&next)
			return
		}
	}
}

func (m *Memory) subsNow() []*memorySub {
	if p := m.subs.Load(); p != nil {
		return *p
	}
	return nil
}

// PublishBatch delivers batch to every subscriber, in the order of
// earlier batches. It blocks while a subscriber's channel is full, until that
// subscriber takes a batch, cancels, or the bus closes; it returns
// ErrClosed if the bus closed before every subscriber got the batch.
// Calls must not overlap (the venue publishes from one goroutine).
func (m *Memory) PublishBatch(batch []*market.Event) error {
	select {
	case <-m.done:
		return ErrClosed
	default:
	}
	for _, s := range m.subsNow() {
		if !s.send(batch, m.done) {
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
		s.closeCh()
		return s
	}
	old := m.subsNow()
	next := append(make([]*memorySub, 0, len(old)+1), old...)
	next = append(next, s)
	m.subs.Store(&next)
	return s
}

// Close ends the bus: a Publish blocked on a full channel gives up, every
// subscriber's channel is closed after the batches it already holds, and
// later publishes are refused. It returns promptly whatever the
// subscribers do. Idempotent.
func (m *Memory) Close() {
	m.doneOnce.Do(func() { close(m.done) }) // first, so that a blocked Publish lets go
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return
	}
	m.closed = true
	subs := m.subsNow()
	m.subs.Store(nil)
	m.mu.Unlock()
	for _, s := range subs {
		s.closeCh()
	}
}
