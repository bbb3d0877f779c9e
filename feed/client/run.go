package client

import (
	"math/rand/v2"
	"time"
)

// run is the client's goroutine: it serves a connection until it ends,
// then reconnects and resumes, until Close or the policy says stop.
func (c *Client) run(cn *conn) {
	defer close(c.done)
	for {
		info := c.serve(cn)
		cn.close()
		c.mu.Lock()
		c.cn, c.state, c.lastClose = nil, StateDisconnected, info
		c.mu.Unlock()
		c.failPending(ErrDisconnected)
		if c.closing() || c.cfg.Reconnect.Disable || !c.cfg.Reconnect.ShouldReconnect(info) {
			c.stop(info, nil)
			return
		}
		c.emit(StateEvent{State: StateDisconnected, Close: info})
		var err error
		if cn, err = c.reconnect(info); cn == nil {
			c.stop(info, err)
			return
		}
	}
}

// serve reads and dispatches messages until the connection ends.
func (c *Client) serve(cn *conn) CloseInfo {
	for {
		raw, err := cn.next()
		if err != nil {
			info := closeInfoOf(err)
			if c.closing() && !info.Remote {
				info = CloseInfo{Code: 1000, Err: err}
			}
			return info
		}
		c.dispatch(cn, raw)
	}
}

// reconnect redials with backoff until it succeeds, Close is called, or
// MaxAttempts is exhausted; it then resumes the session on the new
// connection.
func (c *Client) reconnect(info CloseInfo) (*conn, error) {
	var err error
	for attempt := 0; ; attempt++ {
		if n := c.cfg.Reconnect.MaxAttempts; n > 0 && attempt >= n {
			return nil, err
		}
		t := time.NewTimer(c.backoff(attempt))
		select {
		case <-c.ctx.Done():
			t.Stop()
			return nil, nil
		case <-t.C:
		}
		var cn *conn
		cn, err = c.connect(c.ctx)
		if err == nil {
			c.stats.reconnects.Add(1)
			c.resume(cn)
			c.emit(StateEvent{State: StateConnected, Close: info, Attempt: attempt})
			return cn, nil
		}
		c.cfg.Logger.Debug("tickcast client: reconnect failed", "attempt", attempt, "err", err)
		if c.closing() {
			return nil, nil
		}
		c.emit(StateEvent{State: StateDisconnected, Close: info, Attempt: attempt + 1, Err: err})
	}
}

// backoff returns the delay before the attempt-th reconnect: uniformly
// random in [0, min(MaxDelay, MinDelay·2^attempt)) (full jitter).
func (c *Client) backoff(attempt int) time.Duration {
	p := c.cfg.Reconnect
	ceil := p.MaxDelay
	if attempt < 32 {
		if d := p.MinDelay << attempt; d > 0 && d < ceil {
			ceil = d
		}
	}
	return rand.N(ceil) + 1
}

// stop ends the client for good.
func (c *Client) stop(info CloseInfo, err error) {
	c.mu.Lock()
	c.state = StateClosed
	switch {
	case c.closing():
		c.err = nil
	case err != nil:
		c.err = err
	case info.Remote || info.Err == nil:
		c.err = &closedByServer{info: info}
	default:
		c.err = info.Err
	}
	c.mu.Unlock()
	c.failPending(ErrClosed)
	c.emit(StateEvent{State: StateClosed, Close: info, Err: err})
}
