package client

import (
	"context"

	"github.com/tickcast/tickcast/feed/wire"
)

// Subscribe subscribes to channels × symbols and returns the server's
// reply. The streams it lists are tracked (and resumed after reconnects)
// from the moment the reply is read, before any of their messages.
func (c *Client) Subscribe(ctx context.Context, channels, symbols []string) (*wire.Subscribed, error) {
	m, err := c.request(ctx, kinds(wire.KindSubscribed), c.trackReply, func(id wire.ID) wire.Op {
		return &wire.Subscribe{ID: id, Channels: channels, Symbols: symbols}
	})
	if err != nil {
		return nil, err
	}
	return m.(*wire.Subscribed), nil
}

// Unsubscribe unsubscribes from channels × symbols; the streams the reply
// lists are no longer tracked.
func (c *Client) Unsubscribe(ctx context.Context, channels, symbols []string) (*wire.Unsubscribed, error) {
	m, err := c.request(ctx, kinds(wire.KindUnsubscribed), c.untrackReply, func(id wire.ID) wire.Op {
		return &wire.Unsubscribe{ID: id, Channels: channels, Symbols: symbols}
	})
	if err != nil {
		return nil, err
	}
	return m.(*wire.Unsubscribed), nil
}

// Auth authenticates the connection. On success the token is remembered
// and sent again after every reconnect.
func (c *Client) Auth(ctx context.Context, token string, cancelOnDisconnect bool) (*wire.Authed, error) {
	op := wire.Auth{Token: token, CancelOnDisconnect: cancelOnDisconnect}
	m, err := c.request(ctx, kinds(wire.KindAuthed), nil, func(id wire.ID) wire.Op {
		o := op
		o.ID = id
		return &o
	})
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.auth = &op
	c.mu.Unlock()
	return m.(*wire.Authed), nil
}

// PlaceOrder sends an order (its ID is assigned by the client) and returns
// the first order message answering it: status "new" or "rejected" (a
// rejection is not an error; see Order.Reason).
func (c *Client) PlaceOrder(ctx context.Context, o wire.NewOrder) (*wire.Order, error) {
	return c.orderRequest(ctx, func(id wire.ID) wire.Op { o.ID = id; return &o })
}

// Cancel cancels an order by OID or CID and returns the order message
// answering it (status "canceled"); an unknown order is a *ServerError
// with code "unknown_order".
func (c *Client) Cancel(ctx context.Context, op wire.Cancel) (*wire.Order, error) {
	return c.orderRequest(ctx, func(id wire.ID) wire.Op { op.ID = id; return &op })
}

// Amend changes an order's quantity and/or price and returns the order
// message with the new values.
func (c *Client) Amend(ctx context.Context, op wire.Amend) (*wire.Order, error) {
	return c.orderRequest(ctx, func(id wire.ID) wire.Op { op.ID = id; return &op })
}

func (c *Client) orderRequest(ctx context.Context, mk func(wire.ID) wire.Op) (*wire.Order, error) {
	m, err := c.request(ctx, kinds(wire.KindOrder), nil, mk)
	if err != nil {
		return nil, err
	}
	return m.(*wire.Order), nil
}

// CancelAll cancels all open orders, or those on symbol when it is not
// empty, and returns the count.
func (c *Client) CancelAll(ctx context.Context, symbol string) (*wire.CanceledAll, error) {
	m, err := c.request(ctx, kinds(wire.KindCanceledAll), nil, func(id wire.ID) wire.Op {
		return &wire.CancelAll{ID: id, S: symbol}
	})
	if err != nil {
		return nil, err
	}
	return m.(*wire.CanceledAll), nil
}

// Ping sends an application-level ping and returns the pong.
func (c *Client) Ping(ctx context.Context) (*wire.Pong, error) {
	m, err := c.request(ctx, kinds(wire.KindPong), nil, func(id wire.ID) wire.Op {
		return &wire.Ping{ID: id}
	})
	if err != nil {
		return nil, err
	}
	return m.(*wire.Pong), nil
}

// Send writes op as it is, without waiting for or matching a reply, and
// without the bookkeeping of the request methods (a subscribe sent this
// way is not tracked). Use it for load generation or to test servers
// with arbitrary operations; ids chosen here may collide with the
// client's own, so prefer ids above 1<<52.
func (c *Client) Send(op wire.Op) error {
	cn, err := c.live()
	if err != nil {
		return err
	}
	return cn.send(op)
}
