package client

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/tickcast/tickcast/feed/wire"
)

// Config configures a Client. The zero value of every field except URL
// means the documented default.
type Config struct {
	// URL is the WebSocket endpoint, e.g. "ws://127.0.0.1:8080/ws".
	URL string
	// Format selects the subprotocol; the default is msgpack.
	Format wire.Format
	// Origin, when set, is sent as the Origin header (browsers always send
	// one; other clients usually do not).
	Origin string
	// Header holds extra handshake request headers.
	Header http.Header
	// LocalAddr is the local address to dial from, e.g.
	// &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)} to spread many connections
	// over source addresses. Ignored when NetDial is set.
	LocalAddr net.Addr
	// NetDial, when set, opens the TCP connection instead of net.Dialer.
	NetDial func(ctx context.Context, network, addr string) (net.Conn, error)

	// HandshakeTimeout bounds connect, upgrade and welcome; default 10 s.
	HandshakeTimeout time.Duration
	// ReadTimeout is how long the connection may stay silent before it is
	// considered dead; default three times the welcome's heartbeat_ms (the
	// server pings every heartbeat), or 45 s if the welcome has none.
	ReadTimeout time.Duration
	// WriteTimeout bounds each write; default 10 s.
	WriteTimeout time.Duration
	// MaxMessageSize bounds a server message (and each frame), so a full
	// book snapshot fits; default 16 MiB.
	MaxMessageSize int64
	// ReadBufferSize is the size of the connection's read buffer; default
	// 4096. It is most of a connection's memory: lower it for very many
	// connections.
	ReadBufferSize int

	// Reconnect is the reconnect policy.
	Reconnect Reconnect
	// NoBooks disables book reconstruction: book messages are then not
	// decoded and not checksummed (gaps are still detected by seq).
	NoBooks bool

	// OnMessage, when set, is called for every message received (replies
	// included, duplicates excluded) with the raw bytes, valid only during
	// the call, and the decoded header.
	OnMessage func(raw []byte, h wire.Header)
	// OnDecoded, when set, is called for the same messages, fully decoded.
	OnDecoded func(m wire.Message)
	// OnState, when set, is called on every connection state change.
	OnState func(ev StateEvent)
	// Logger receives diagnostics; default: discarded.
	Logger *slog.Logger
}

// Reconnect is the reconnect policy: exponential backoff with full jitter,
// the n-th attempt waiting a random time in [0, min(MaxDelay, MinDelay·2^n)).
type Reconnect struct {
	// Disable turns automatic reconnection off.
	Disable bool
	// MinDelay is the backoff base; default 100 ms.
	MinDelay time.Duration
	// MaxDelay caps the backoff; default 10 s.
	MaxDelay time.Duration
	// MaxAttempts is the number of consecutive failed attempts after which
	// the client gives up; 0 means never.
	MaxAttempts int
	// ShouldReconnect decides from how a connection ended whether to
	// reconnect; default DefaultShouldReconnect.
	ShouldReconnect func(CloseInfo) bool
}

// Defaults applied by Dial.
const (
	DefaultHandshakeTimeout = 10 * time.Second
	DefaultWriteTimeout     = 10 * time.Second
	DefaultMaxMessageSize   = 16 << 20
	DefaultReadBufferSize   = 4096
	DefaultMinDelay         = 100 * time.Millisecond
	DefaultMaxDelay         = 10 * time.Second
	// defaultReadTimeout applies when the welcome has no heartbeat.
	defaultReadTimeout = 45 * time.Second
)

// DefaultShouldReconnect reconnects after anything except a normal closure
// (1000) and the codes that blame the client (1002 protocol error, 1003
// wrong data type, 1007 invalid UTF-8, 1008 policy, 1009 too big), which a
// reconnect would only repeat. 1001 (shutdown), 1011, 1013, 4008 (slow
// consumer) and a dropped connection are retried.
func DefaultShouldReconnect(ci CloseInfo) bool {
	switch ci.Code {
	case 1000, 1002, 1003, 1007, 1008, 1009:
		return false
	}
	return true
}

// withDefaults returns cfg with defaults filled in, or an error.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.URL == "" {
		return cfg, fmt.Errorf("%w: URL is required", ErrConfig)
	}
	if !cfg.Format.Valid() {
		return cfg, fmt.Errorf("%w: format %d", ErrConfig, cfg.Format)
	}
	set := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	set(&cfg.HandshakeTimeout, DefaultHandshakeTimeout)
	set(&cfg.WriteTimeout, DefaultWriteTimeout)
	set(&cfg.Reconnect.MinDelay, DefaultMinDelay)
	set(&cfg.Reconnect.MaxDelay, DefaultMaxDelay)
	if cfg.MaxMessageSize <= 0 {
		cfg.MaxMessageSize = DefaultMaxMessageSize
	}
	if cfg.ReadBufferSize <= 0 {
		cfg.ReadBufferSize = DefaultReadBufferSize
	}
	if cfg.Reconnect.ShouldReconnect == nil {
		cfg.Reconnect.ShouldReconnect = DefaultShouldReconnect
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg, nil
}
