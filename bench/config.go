package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// ErrConfig reports an invalid Config.
var ErrConfig = errors.New("bench: invalid config")

// Config configures a run. The zero value of every field except Target
// means the documented default.
type Config struct {
	// Target is the server: "http://host:port", "ws://host:port" or
	// "host:port". The WebSocket, SSE, REST and metrics URLs derive from it.
	Target string
	// WS and SSE are the numbers of WebSocket and SSE clients.
	WS, SSE int
	// Stalled is the number of stalled clients: WebSocket subscribers
	// (msgpack, Channels on Symbols, like the WebSocket clients) that
	// never read once the subscription is answered, with a socket receive
	// buffer of StalledRcvBuf bytes so that the server's writer backs up
	// at once. They are read at the end of the run, to find how the server
	// ended them (Report.Stalled).
	Stalled int
	// StalledRcvBuf is the stalled clients' SO_RCVBUF, set before they
	// connect; default DefaultStalledRcvBuf (4096; the kernel doubles it).
	StalledRcvBuf int
	// Duration is the measurement window; default 10 s.
	Duration time.Duration
	// Warmup runs between the end of the ramp and the window; default 2 s.
	Warmup time.Duration
	// Symbols the clients subscribe to; default BTC-USD.
	Symbols []string
	// Channels of the WebSocket clients; default trades, book, quote. The
	// single name "none" leaves them unsubscribed (idle connections).
	Channels []string
	// SSEChannels of the SSE clients; default ticker.
	SSEChannels []string
	// SSESymbols of the SSE clients; default every symbol of the server
	// (a viewer's ticker board).
	SSESymbols []string
	// Ramp is how many connections per second are opened, over all
	// workers; default 2000.
	Ramp float64
	// RampTimeout bounds the ramp: past it, connections still pending are
	// given up and the run goes on with those that are up; default the
	// ramp's planned time plus 60 s.
	RampTimeout time.Duration
	// SourceIPs are the local addresses the connections are spread over
	// (loopback targets need several past ~28k connections); default none
	// (the kernel chooses).
	SourceIPs []netip.Addr
	// Orders is the order rate per second of the active mode; 0 is passive.
	Orders float64
	// Workers is the number of worker processes; 0 picks the fewest that
	// hold the run's connections at ConnsPerWorker each (one: in-process).
	Workers int
	// ConnsPerWorker is the most connections one worker opens when Workers
	// is 0; default 15,000 (the open-files limit is 20,000 per process).
	ConnsPerWorker int
	// ReadBufferSize of every WebSocket and SSE client; default 1024.
	ReadBufferSize int
	// Books makes the WebSocket clients rebuild and checksum order books
	// (default off: pure fan-out; gaps are still detected by seq).
	Books bool
	// Stop, when set, tells the server to stop once the window has
	// closed, with every client still connected: the run then measures
	// how the streams end, from the moment it calls Stop
	// (Report.Shutdown), and makes no reconnect. Stop may return as soon
	// as it has asked (a signal sent) or once the server has stopped; the
	// report says how long it took. Its context ends after StopTimeout.
	Stop func(ctx context.Context) error
	// StopName says what Stop does, for the report ("SIGTERM to pid
	// 1234"); default "Config.Stop".
	StopName string
	// StopTimeout bounds the wait for Stop and for every stream to end;
	// default 30 s.
	StopTimeout time.Duration
	// CPUs, if set, are the only CPUs the generator runs on (Linux): Run
	// confines every thread of this process to them before it starts a
	// worker, and each worker process does so again at its start. On a
	// machine the generator shares with the server, the server pinned to
	// the other CPUs (taskset), the figures then measure the server rather
	// than the generator's competition with it for a core. CPUs are
	// numbered below MaxCPU; ParseCPUList reads them in the format of
	// taskset -c. A CPU that is not online or not allowed to the process
	// fails the run.
	CPUs []int
	// TraderRT runs every thread of the order worker (the traders' process)
	// SCHED_FIFO at priority 1 (Linux; needs CAP_SYS_NICE): the traders then
	// wake as soon as an ack arrives or an order is due instead of waiting
	// for a core behind the subscribers' workers, so the floor and the acks
	// measure the server. It needs an order rate.
	TraderRT bool
	// Progress receives the live progress lines; nil: none.
	Progress io.Writer
	// ProgressInterval is the time between progress lines; default 1 s.
	ProgressInterval time.Duration
	// Spawn starts worker processes; default Spawn (this binary again).
	Spawn SpawnFunc
	// Logger receives diagnostics; default discarded.
	Logger *slog.Logger
}

// Defaults of Config.
const (
	DefaultDuration       = 10 * time.Second
	DefaultWarmup         = 2 * time.Second
	DefaultRamp           = 2000
	DefaultConnsPerWorker = 15_000
	DefaultReadBufferSize = 1024
	DefaultSymbol         = "BTC-USD"
)

// Default channel lists.
var (
	DefaultChannels    = []string{"trades", "book", "quote"}
	DefaultSSEChannels = []string{"ticker"}
)

// withDefaults validates c and fills in the defaults.
func (c Config) withDefaults() (Config, error) {
	if _, err := parseTarget(c.Target); err != nil {
		return c, err
	}
	switch {
	case c.WS < 0 || c.SSE < 0 || c.Stalled < 0:
		return c, fmt.Errorf("%w: negative client count", ErrConfig)
	case c.Duration < 0 || c.Warmup < 0:
		return c, fmt.Errorf("%w: negative duration", ErrConfig)
	case c.Orders < 0 || c.Ramp < 0:
		return c, fmt.Errorf("%w: negative rate", ErrConfig)
	case c.Workers < 0 || c.ConnsPerWorker < 0:
		return c, fmt.Errorf("%w: negative worker count", ErrConfig)
	case c.StopTimeout < 0:
		return c, fmt.Errorf("%w: negative stop timeout", ErrConfig)
	}
	if err := c.checkPlacement(); err != nil {
		return c, err
	}
	if c.StopTimeout == 0 {
		c.StopTimeout = DefaultStopTimeout
	}
	if c.Stop != nil && c.StopName == "" {
		c.StopName = "Config.Stop"
	}
	if c.Duration == 0 {
		c.Duration = DefaultDuration
	}
	if c.Warmup == 0 {
		c.Warmup = DefaultWarmup
	}
	if len(c.Symbols) == 0 {
		c.Symbols = []string{DefaultSymbol}
	}
	if len(c.Channels) == 0 {
		c.Channels = DefaultChannels
	}
	if len(c.Channels) == 1 && c.Channels[0] == "none" {
		c.Channels = []string{}
	}
	if len(c.SSEChannels) == 0 {
		c.SSEChannels = DefaultSSEChannels
	}
	if c.Ramp == 0 {
		c.Ramp = DefaultRamp
	}
	if c.RampTimeout <= 0 {
		planned := time.Duration(float64(c.WS+c.SSE+c.Stalled) / c.Ramp * float64(time.Second))
		c.RampTimeout = planned + 60*time.Second
	}
	if c.ConnsPerWorker == 0 {
		c.ConnsPerWorker = DefaultConnsPerWorker
	}
	if c.StalledRcvBuf <= 0 {
		c.StalledRcvBuf = DefaultStalledRcvBuf
	}
	if c.ReadBufferSize <= 0 {
		c.ReadBufferSize = DefaultReadBufferSize
	}
	if c.ProgressInterval <= 0 {
		c.ProgressInterval = time.Second
	}
	if c.Spawn == nil {
		c.Spawn = Spawn
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// workerCount is the number of subscriber workers the run uses (with
// Orders, the order worker runs besides them).
func (c *Config) workerCount() int {
	if c.Workers > 0 {
		return c.Workers
	}
	conns := c.WS + c.SSE + c.Stalled
	return max(1, (conns+c.ConnsPerWorker-1)/c.ConnsPerWorker)
}

// endpoints are the URLs derived from Config.Target.
type endpoints struct {
	HTTP string // http://host:port, no trailing slash
	WS   string // ws://host:port/ws
	Host string // host:port
}

// parseTarget derives the endpoints from a target.
func parseTarget(t string) (endpoints, error) {
	if t == "" {
		return endpoints{}, fmt.Errorf("%w: target is required", ErrConfig)
	}
	if !strings.Contains(t, "://") {
		t = "http://" + t
	}
	u, err := url.Parse(t)
	if err != nil || u.Host == "" {
		return endpoints{}, fmt.Errorf("%w: target %q: want http://host:port", ErrConfig, t)
	}
	scheme, ws := "http", "ws"
	switch u.Scheme {
	case "http", "ws":
	case "https", "wss":
		scheme, ws = "https", "wss"
	default:
		return endpoints{}, fmt.Errorf("%w: target scheme %q", ErrConfig, u.Scheme)
	}
	return endpoints{HTTP: scheme + "://" + u.Host, WS: ws + "://" + u.Host + "/ws", Host: u.Host}, nil
}

// ParseIPRange parses source addresses: a range "127.0.0.2-127.0.0.9", a
// comma list "127.0.0.2,127.0.0.3", or a mix of both.
func ParseIPRange(s string) ([]netip.Addr, error) {
	var out []netip.Addr
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := netip.ParseAddr(strings.TrimSpace(lo))
		if err != nil {
			return nil, fmt.Errorf("%w: source address %q: %v", ErrConfig, part, err)
		}
		if !isRange {
			out = append(out, a)
			continue
		}
		b, err := netip.ParseAddr(strings.TrimSpace(hi))
		if err != nil {
			return nil, fmt.Errorf("%w: source address %q: %v", ErrConfig, part, err)
		}
		if a.BitLen() != b.BitLen() || b.Less(a) {
			return nil, fmt.Errorf("%w: source range %q is empty or mixes families", ErrConfig, part)
		}
		for x := a; ; x = x.Next() {
			out = append(out, x)
			if len(out) > 1024 {
				return nil, fmt.Errorf("%w: source range %q: more than 1024 addresses", ErrConfig, part)
			}
			if x == b {
				break
			}
		}
	}
	return out, nil
}

// share returns worker i's part of n split over k workers (the first n%k
// workers take one more).
func share(n, i, k int) int {
	s := n / k
	if i < n%k {
		s++
	}
	return s
}

// ipsFor returns worker i's source addresses: every k-th address from i,
// or, with fewer addresses than workers, one address shared round robin.
func ipsFor(ips []netip.Addr, i, k int) []netip.Addr {
	if len(ips) == 0 {
		return nil
	}
	if len(ips) < k {
		return []netip.Addr{ips[i%len(ips)]}
	}
	var out []netip.Addr
	for j := i; j < len(ips); j += k {
		out = append(out, ips[j])
	}
	return out
}
