package client

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gobwas/ws"
	"github.com/tickcast/tickcast/feed/wire"
)

// Client is a connection to a tickcast server that reconnects and resumes
// by itself. Its methods are safe for concurrent use.
type Client struct {
	cfg    Config
	dialer ws.Dialer
	ctx    context.Context // canceled by Close
	cancel context.CancelFunc
	done   chan struct{}
	stats  counters
	nextID atomic.Uint64

	mu        sync.Mutex
	cn        *conn // nil between connections
	state     State
	welcome   wire.Welcome
	lastClose CloseInfo
	err       error                         // why the client stopped
	pending   map[uint64]*call              // requests waiting for their reply
	streams   map[string]map[string]*stream // channel → symbol → state
	epoch     string                        // epoch the streams' seqs belong to
	auth      *wire.Auth                    // replayed after a reconnect
	privSeq   uint64                        // last private seq seen on this connection
	closeOnce sync.Once
}

// Dial connects to cfg.URL, reads the welcome and starts the client. The
// context bounds only this first connection; later reconnections run
// until Close. If the first connection fails, Dial returns its error and
// does not retry.
func Dial(ctx context.Context, cfg Config) (*Client, error) {
	c, err := newClient(cfg)
	if err != nil {
		return nil, err
	}
	cn, err := c.connect(ctx)
	if err != nil {
		c.cancel()
		return nil, err
	}
	c.mu.Lock()
	c.cn, c.state, c.welcome, c.epoch = cn, StateConnected, cn.welcome, cn.welcome.Epoch
	c.mu.Unlock()
	c.emit(StateEvent{State: StateConnected})
	go c.run(cn)
	return c, nil
}

// newClient validates cfg and builds an unconnected client.
func newClient(cfg Config) (*Client, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	c := &Client{
		cfg:     cfg,
		done:    make(chan struct{}),
		pending: map[uint64]*call{},
		streams: map[string]map[string]*stream{},
	}
	c.dialer = newDialer(&c.cfg)
	c.ctx, c.cancel = context.WithCancel(context.Background())
	return c, nil
}

// Close sends a normal close frame, stops reconnecting and waits for the
// client's goroutine to finish. Pending requests fail with ErrClosed.
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		c.cancel()
		if cn, err := c.live(); err == nil {
			_ = cn.writeClose(1000, "")
			// Give the server a moment to echo the close, then cut.
			_ = cn.nc.SetReadDeadline(time.Now().Add(time.Second))
		}
	})
	<-c.done
	return nil
}

// Done is closed when the client has stopped for good.
func (c *Client) Done() <-chan struct{} { return c.done }

// Err returns why the client stopped: nil after Close, else the close or
// dial error that ended it. It returns nil while the client runs.
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// State returns the connection state.
func (c *Client) State() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// Welcome returns the welcome of the current (or last) connection.
func (c *Client) Welcome() wire.Welcome {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.welcome
}

// LastClose returns how the last connection ended (zero before any ended).
func (c *Client) LastClose() CloseInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastClose
}

// Stats returns the client's counters.
func (c *Client) Stats() Stats { return c.stats.snapshot() }

// closing reports whether Close was called.
func (c *Client) closing() bool { return c.ctx.Err() != nil }

// live returns the live connection, or ErrClosed or ErrNotConnected.
func (c *Client) live() (*conn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.cn != nil:
		return c.cn, nil
	case c.state == StateClosed || c.closing():
		return nil, ErrClosed
	}
	return nil, ErrNotConnected
}

// emit calls OnState.
func (c *Client) emit(ev StateEvent) {
	if c.cfg.OnState != nil {
		c.cfg.OnState(ev)
	}
}
