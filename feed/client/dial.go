package client

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/gobwas/ws"
	"github.com/tickcast/tickcast/feed/wire"
)

// dialer builds the gobwas dialer for cfg once per client.
func newDialer(cfg *Config) ws.Dialer {
	d := ws.Dialer{
		ReadBufferSize: cfg.ReadBufferSize,
		Timeout:        cfg.HandshakeTimeout,
		Protocols:      []string{cfg.Format.Subprotocol()},
		NetDial:        cfg.NetDial,
	}
	if d.NetDial == nil {
		nd := &net.Dialer{LocalAddr: cfg.LocalAddr}
		d.NetDial = nd.DialContext
	}
	h := http.Header{}
	for k, v := range cfg.Header {
		h[k] = append([]string(nil), v...)
	}
	if cfg.Origin != "" {
		h.Set("Origin", cfg.Origin)
	}
	if len(h) > 0 {
		d.Header = ws.HandshakeHeaderHTTP(h)
	}
	return d
}

// connect dials, upgrades and reads the welcome.
func (c *Client) connect(ctx context.Context) (*conn, error) {
	nc, br, hs, err := c.dialer.Dial(ctx, c.cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("client: dial %s: %w", c.cfg.URL, err)
	}
	if f, ok := wire.FormatOf(hs.Protocol); !ok || f != c.cfg.Format {
		_ = nc.Close()
		return nil, fmt.Errorf("%w: server chose subprotocol %q", ErrHandshake, hs.Protocol)
	}
	cn := newConn(nc, br, &c.cfg)
	deadline := time.Now().Add(c.cfg.HandshakeTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	_ = nc.SetReadDeadline(deadline)
	w, err := cn.readWelcome()
	if err != nil {
		cn.close()
		return nil, err
	}
	cn.welcome = *w
	if w.MaxMsg > 0 && w.MaxMsg < uint64(cn.maxOut) {
		cn.maxOut = int(w.MaxMsg)
	}
	cn.readTimeout = c.cfg.ReadTimeout
	if cn.readTimeout <= 0 {
		cn.readTimeout = defaultReadTimeout
		if w.HeartbeatMS > 0 {
			cn.readTimeout = 3 * time.Duration(w.HeartbeatMS) * time.Millisecond
		}
	}
	_ = nc.SetReadDeadline(time.Time{})
	return cn, nil
}

// readWelcome reads the first message, which must be a welcome.
func (cn *conn) readWelcome() (*wire.Welcome, error) {
	raw, err := cn.next()
	if err != nil {
		return nil, fmt.Errorf("%w: reading welcome: %w", ErrHandshake, err)
	}
	m, err := wire.Decode(cn.format, raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrHandshake, err)
	}
	w, ok := m.(*wire.Welcome)
	if !ok {
		return nil, fmt.Errorf("%w: first message is %q, not welcome", ErrHandshake, m.Kind())
	}
	return w, nil
}
