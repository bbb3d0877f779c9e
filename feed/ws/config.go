package ws

import (
	"context"
	"log/slog"
	"time"

	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/market"
)

// Venue is what sessions need of the exchange: order entry, accounts, and
// token checks. *market.Venue implements it.
type Venue interface {
	VerifyToken(token string) (account string, ok bool)
	PlaceOrder(origin market.Origin, account string, r market.OrderRequest) error
	CancelOrder(origin market.Origin, account string, ref market.OrderRef) error
	AmendOrder(origin market.Origin, account string, ref market.OrderRef, a market.AmendRequest) error
	CancelAll(origin market.Origin, account, symbol string) error
	Auth(origin market.Origin, account string, cod bool) error
	Detach(ctx context.Context, session uint64, account string) error
}

// Metrics receives what sessions count. Implementations must be safe for
// concurrent use and cheap.
type Metrics interface {
	// Connected counts a session starting (+1) or ending (-1).
	Connected(delta int)
	// Sent counts messages and bytes written in a format ("msgpack", "json").
	Sent(format string, msgs, bytes int)
	// Closed counts a session closed with code.
	Closed(code int)
	// OrderRoundTrip observes the time from reading an order operation to
	// queuing its first reply.
	OrderRoundTrip(d time.Duration)
}

// Config configures the WebSocket server; zero fields mean the documented
// defaults.
type Config struct {
	Hub   *hub.Hub // required
	Venue Venue    // required
	// AllowOrigins lists the Origin values accepted besides requests
	// without one and same-host ones; "*" accepts any (protocol.md 2.1).
	AllowOrigins []string
	// MaxConns bounds the sessions (default 100,000); MaxConnsPerIP bounds
	// them per client address (default 500: a machine's worth). Past either, the upgrade
	// completes and the session closes at once with 1013.
	MaxConns      int
	MaxConnsPerIP int
	// Heartbeat is the ping interval (default 15 s); a session from which
	// nothing arrives for three intervals is closed.
	Heartbeat time.Duration
	// WriteTimeout bounds one write to a client (default 10 s).
	WriteTimeout time.Duration
	// SendBuffer is each session's socket send buffer (SO_SNDBUF, which
	// also stops the kernel growing it); default 128 KiB, negative: the
	// kernel's default and autotuning. A writer stops writing while more
	// than half of it is unacknowledged, so that a client that stopped
	// reading pins at most this much kernel memory and can still be sent
	// its 4008.
	SendBuffer int
	// Writers is how many goroutines write to the sessions that keep up
	// (pool.go). Default: one fewer than GOMAXPROCS, at least one, so that
	// one P is left for readers, the venue and the hub, which must not wait
	// behind a broadcast. Negative: no pool, a writer goroutine per
	// session with something to write (the first design; for comparison).
	Writers int
	// MaxMessage is the largest client message (default and at most
	// 65,536 bytes); larger closes with 1009.
	MaxMessage int
	// MalformedBudget is how many malformed messages a session may send
	// before it is closed with 1008 (default 10).
	MalformedBudget int
	// OpRate bounds the operations a session may send, a second (ping
	// aside): default 100, with bursts of OpBurst (default 200). Past it
	// an operation is answered rate_limited without being carried out.
	OpRate  float64
	OpBurst int
	// MaxInflight bounds a session's operations waiting for the venue's
	// answer (default 64): past it one is answered rate_limited at once, so
	// that no session can fill the venue's queue in front of others.
	MaxInflight int
	// MaxInflightAccount bounds the operations of all an account's
	// sessions waiting for the venue (default 256: four sessions at
	// MaxInflight), an auth counting for the account its token names;
	// MaxInflightIP bounds those of all the sessions of one client address
	// (default 1024; see DefaultMaxInflightIP). Past either, one is
	// answered rate_limited at once, as for MaxInflight: whatever number
	// of sessions an account or an address opens, it holds only this much
	// of the venue's queue, ahead of everyone else's next order.
	MaxInflightAccount int
	MaxInflightIP      int
	// RateLimitBudget is how many consecutive order operations the
	// account's rate limit may refuse before the session is closed with
	// 1008 (default 100: a client that ignores rate_limited).
	RateLimitBudget int
	// Backlog bounds each session's lossless backlog (default 4 MiB or
	// 10 s behind); past it the session closes with 4008.
	Backlog hub.Limits
	Metrics Metrics
	Logger  *slog.Logger
}

func (c *Config) fill() {
	if c.MaxConns <= 0 {
		c.MaxConns = 100_000
	}
	if c.MaxConnsPerIP <= 0 {
		c.MaxConnsPerIP = 500
	}
	if c.Heartbeat <= 0 {
		c.Heartbeat = 15 * time.Second
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 10 * time.Second
	}
	if c.SendBuffer == 0 {
		c.SendBuffer = 128 << 10
	}
	if c.Writers == 0 {
		c.Writers = defaultWriters()
	}
	if c.MaxMessage <= 0 || c.MaxMessage > 65536 {
		c.MaxMessage = 65536
	}
	if c.MalformedBudget <= 0 {
		c.MalformedBudget = 10
	}
	if c.OpRate <= 0 {
		c.OpRate = 100
	}
	if c.OpBurst <= 0 {
		c.OpBurst = 200
	}
	if c.MaxInflight <= 0 {
		c.MaxInflight = 64
	}
	if c.MaxInflightAccount <= 0 {
		c.MaxInflightAccount = DefaultMaxInflightAccount
	}
	if c.MaxInflightIP <= 0 {
		c.MaxInflightIP = DefaultMaxInflightIP
	}
	if c.RateLimitBudget <= 0 {
		c.RateLimitBudget = 100
	}
	if c.Metrics == nil {
		c.Metrics = nopMetrics{}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// DefaultMaxInflightAccount is MaxInflightAccount's default: four
// sessions with MaxInflight each.
const DefaultMaxInflightAccount = 256

// DefaultMaxInflightIP is MaxInflightIP's default. The venue's input queue
// holds 65,536 commands; an address's 500 sessions (MaxConnsPerIP) with 64
// in flight each (MaxInflight) could hold 32,000 of them, two addresses
// all. At 1,024 an address holds at most 1/64 of the queue, whatever
// number of sessions it opens: filling the queue takes 64 addresses, each
// at its cap, and another trader's order waits behind at most 1,024
// commands per flooding address. (An account's 256 is a quarter of it: one
// address flooding on one account holds 256.)
const DefaultMaxInflightIP = 1024

type nopMetrics struct{}

func (nopMetrics) Connected(int)                {}
func (nopMetrics) Sent(string, int, int)        {}
func (nopMetrics) Closed(int)                   {}
func (nopMetrics) OrderRoundTrip(time.Duration) {}
