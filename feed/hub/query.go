package hub

import (
	"context"
	"errors"

	"github.com/tickcast/tickcast/feed/wire"
)

// ErrUnknownSymbol is returned by queries about a symbol the hub does not
// relay.
var ErrUnknownSymbol = errors.New("hub: unknown symbol")

// query runs fn on the hub goroutine and returns its result. If ctx ends
// or the hub stops first, fn may still run later: its result then goes
// nowhere, so fn must only read hub state and build a value of its own.
func query[T any](h *Hub, ctx context.Context, fn func() T) (T, error) {
	var zero T
	out := make(chan T, 1)
	if err := h.do(ctx, func() { out <- fn() }); err != nil {
		return zero, err
	}
	select {
	case v := <-out:
		return v, nil
	case <-h.done:
		return zero, ErrStopped
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// BookJSON returns symbol's book as the hub relays it, the JSON of a
// book_snapshot message with its best depth levels a side (REST GET
// /api/v1/book). It is served from the hub's mirror, so a deep book costs
// the venue nothing.
func (h *Hub) BookJSON(ctx context.Context, symbol string, depth int) ([]byte, error) {
	s := h.Lookup(wire.ChanBook, symbol)
	if s == nil {
		return nil, ErrUnknownSymbol
	}
	return query(h, ctx, func() []byte { return s.mirror.message(s, depth).AppendJSON(nil) })
}

// BookLevels returns how many levels symbol's book has on each side.
func (h *Hub) BookLevels(ctx context.Context, symbol string) (bids, asks int, err error) {
	s := h.Lookup(wire.ChanBook, symbol)
	if s == nil {
		return 0, 0, ErrUnknownSymbol
	}
	n, err := query(h, ctx, func() [2]int { b, a := s.mirror.Levels(); return [2]int{b, a} })
	return n[0], n[1], err
}
