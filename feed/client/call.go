package client

import (
	"context"

	"github.com/tickcast/tickcast/feed/wire"
)

// call is a request waiting for the reply with its id.
type call struct {
	kinds kindSet
	// hook runs on the client goroutine when the reply arrives, before
	// the reply is delivered to handlers (used to start tracking streams
	// before their first message is read).
	hook func(m wire.Message)
	// done receives the reply; nil for the client's own fire-and-forget
	// requests.
	done chan reply
}

type reply struct {
	msg wire.Message
	err error
}

// kindSet is a set of message kinds.
type kindSet uint32

func kinds(ks ...wire.Kind) kindSet {
	var s kindSet
	for _, k := range ks {
		s |= 1 << k
	}
	return s | 1<<wire.KindError // every request may fail
}

func (s kindSet) has(k wire.Kind) bool { return s&(1<<k) != 0 }

// replyKinds are the kinds that can answer a request.
var replyKinds = kinds(wire.KindSubscribed, wire.KindUnsubscribed, wire.KindAuthed,
	wire.KindCanceledAll, wire.KindPong, wire.KindOrder)

// register adds a pending call and returns its id.
func (c *Client) register(cl *call) uint64 {
	id := c.nextID.Add(1)
	c.mu.Lock()
	c.pending[id] = cl
	c.mu.Unlock()
	return id
}

func (c *Client) unregister(id uint64) {
	c.mu.Lock()
	delete(c.pending, id)
	c.mu.Unlock()
}

// take removes and returns the call a reply of kind k with id answers.
func (c *Client) take(id uint64, k wire.Kind) *call {
	c.mu.Lock()
	defer c.mu.Unlock()
	cl := c.pending[id]
	if cl == nil || !cl.kinds.has(k) {
		return nil
	}
	delete(c.pending, id)
	return cl
}

// failPending fails every pending call with err.
func (c *Client) failPending(err error) {
	c.mu.Lock()
	calls := c.pending
	c.pending = map[uint64]*call{}
	c.mu.Unlock()
	for _, cl := range calls {
		if cl.done != nil {
			cl.done <- reply{err: err}
		}
	}
}

// request sends op (built by mk with the assigned id) and waits for its
// reply. An error reply becomes a *ServerError.
func (c *Client) request(ctx context.Context, ks kindSet, hook func(wire.Message), mk func(id wire.ID) wire.Op) (wire.Message, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cn, err := c.live()
	if err != nil {
		return nil, err
	}
	cl := &call{kinds: ks, hook: hook, done: make(chan reply, 1)}
	id := c.register(cl)
	if err := cn.send(mk(wire.SomeID(id))); err != nil {
		c.unregister(id)
		return nil, err
	}
	select {
	case r := <-cl.done:
		if r.err != nil {
			return nil, r.err
		}
		if e, ok := r.msg.(*wire.Error); ok {
			return nil, serverError(e)
		}
		return r.msg, nil
	case <-ctx.Done():
		c.unregister(id)
		return nil, ctx.Err()
	}
}

// post sends one of the client's own requests without waiting; hook runs
// with the reply (or a *wire.Error) on the client goroutine.
func (c *Client) post(cn *conn, ks kindSet, hook func(wire.Message), mk func(id wire.ID) wire.Op) {
	id := c.register(&call{kinds: ks, hook: hook})
	if err := cn.send(mk(wire.SomeID(id))); err != nil {
		c.unregister(id)
		c.cfg.Logger.Debug("tickcast client: send failed", "err", err)
	}
}
