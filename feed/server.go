package feed

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttpadaptor"

	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/feed/sse"
	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/feed/ws"
)

// Config configures the feed's server. Zero fields mean the documented
// defaults; the transport limits are documented in feed/ws and feed/sse.
type Config struct {
	Venue Venue    // required
	Hub   *hub.Hub // required
	// AllowOrigins lists the browser origins allowed to open WebSocket
	// sessions besides same-host pages; "*" allows any.
	AllowOrigins []string
	// CORSOrigin answers Access-Control-Allow-Origin on the public
	// read-only endpoints (SSE and REST GETs); default "*".
	CORSOrigin string
	// WS and SSE carry the transports' own settings; their Hub, Venue and
	// Metrics are filled in by NewServer.
	WS  ws.Config
	SSE sse.Config
	// AccountsPerMinute bounds demo account creation per client network
	// (an IPv4 /24, an IPv6 /64); default 30, burst as many.
	AccountsPerMinute int
	// RESTRate bounds REST requests per client address (IPv6: per /64),
	// a second; default 20, with bursts of RESTBurst (default 100). Past
	// it a request is answered 429.
	RESTRate  float64
	RESTBurst int
	// MaxPending bounds the connections not handed over to a transport yet
	// (reading their request or WebSocket handshake, or idle between REST
	// requests); past it new ones are answered 503 and closed. Default
	// 4,096. MaxPendingPerIP bounds them per client address (default 128);
	// past it a new connection is closed at once.
	MaxPending      int
	MaxPendingPerIP int
	// RequestTimeout bounds reading one request, the WebSocket handshake
	// and an SSE request included, from the connection's first byte (or
	// its opening) to the end of the request; default 5 s. IdleTimeout
	// bounds a keep-alive connection's wait for its next request; default
	// 15 s.
	RequestTimeout time.Duration
	IdleTimeout    time.Duration
	// UI is the built web UI (nil or unbuilt: a plain notice).
	UI fs.FS
	// GateOnReady refuses WebSocket upgrades, SSE streams and REST with
	// 503 (Retry-After: 1) while the server is not ready, so that a load
	// balancer sends the client to another server: an edge that is still
	// catching up, or lost Redis, would otherwise answer a resume with
	// resets. The sessions already open go on.
	GateOnReady bool
	// Collectors are registered beside the feed's own metrics on
	// /metrics (an edge's lag behind the engine, say).
	Collectors []prometheus.Collector
	Logger     *slog.Logger
	Version    string
}

// Server is the feed's HTTP server.
type Server struct {
	cfg      Config
	http     *fasthttp.Server
	ws       *ws.Server
	sse      *sse.Server
	metrics  *metrics
	prom     fasthttp.RequestHandler
	accounts *keyLimiter
	rest     *keyLimiter
	ready    func() bool
	log      *slog.Logger
	ln       atomic.Pointer[guardedListener]
}

// NewServer wires the transports, REST and metrics. ready reports whether
// the venue and hub are running (for /readyz).
func NewServer(cfg Config, ready func() bool) (*Server, error) {
	if cfg.Venue == nil || cfg.Hub == nil {
		return nil, errors.New("feed: Config.Venue and Config.Hub are required")
	}
	if cfg.CORSOrigin == "" {
		cfg.CORSOrigin = "*"
	}
	if cfg.AccountsPerMinute <= 0 {
		cfg.AccountsPerMinute = 30
	}
	if cfg.RESTRate <= 0 {
		cfg.RESTRate = 20
	}
	if cfg.RESTBurst <= 0 {
		cfg.RESTBurst = 100
	}
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = 4096
	}
	if cfg.MaxPendingPerIP <= 0 {
		cfg.MaxPendingPerIP = 128
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 5 * time.Second
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 15 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{cfg: cfg, ready: ready, log: cfg.Logger, accounts: newKeyLimiter(float64(cfg.AccountsPerMinute)/60, cfg.AccountsPerMinute),
		rest: newKeyLimiter(cfg.RESTRate, cfg.RESTBurst)}
	s.metrics = newMetrics(cfg.Hub.Stats(), func() float64 { return float64(cfg.Venue.QueueDepth()) },
		func() float64 { return float64(cfg.Venue.ExpiredAccounts()) })
	s.metrics.watchListener(s.ln.Load)
	for _, c := range cfg.Collectors {
		if err := s.metrics.reg.Register(c); err != nil {
			return nil, fmt.Errorf("feed: Config.Collectors: %w", err)
		}
	}
	wcfg := cfg.WS
	wcfg.Hub, wcfg.Venue, wcfg.Metrics, wcfg.Logger = cfg.Hub, cfg.Venue, s.metrics, cfg.Logger
	wcfg.AllowOrigins = cfg.AllowOrigins
	var err error
	if s.ws, err = ws.NewServer(wcfg); err != nil {
		return nil, err
	}
	s.metrics.watchInflight(s.ws.InflightRefused)
	scfg := cfg.SSE
	scfg.Hub, scfg.CORSOrigin, scfg.Logger = cfg.Hub, cfg.CORSOrigin, cfg.Logger
	scfg.Viewers = s.metrics.viewers
	scfg.Sent = func(msgs, bytes int) { s.metrics.Sent("sse", msgs, bytes) }
	if s.sse, err = sse.NewServer(scfg); err != nil {
		return nil, err
	}
	s.prom = fasthttpadaptor.NewFastHTTPHandler(promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	s.http = &fasthttp.Server{
		Handler:            s.route,
		Name:               "tickcast",
		ReadTimeout:        cfg.RequestTimeout, // request headers and bodies; SSE and hijacked sessions set their own
		WriteTimeout:       0,                  // a whole-response deadline would cut every SSE stream
		IdleTimeout:        cfg.IdleTimeout,
		Concurrency:        cfg.MaxPending, // counts connections until hijacked (fasthttp frees the worker then)
		ConnState:          s.connState,
		MaxRequestBodySize: 64 << 10,
		ReadBufferSize:     4096,
		CloseOnShutdown:    true,
		KeepHijackedConns:  true, // WebSocket sessions own their connections (see ws.Server.Handle)
		Logger:             slogPrinter{cfg.Logger},
	}
	return s, nil
}

// Serve serves HTTP on ln until Shutdown; call it once. Running out of
// file descriptors does not stop it: it waits and accepts again.
func (s *Server) Serve(ln net.Listener) error {
	g := newGuardedListener(ln, s.cfg.MaxPendingPerIP, s.log)
	s.ln.Store(g)
	return s.http.Serve(g)
}

// connState follows fasthttp's connections: one that a transport took
// over, or that closed, no longer counts as pending.
func (s *Server) connState(c net.Conn, st fasthttp.ConnState) {
	if st != fasthttp.StateHijacked && st != fasthttp.StateClosed {
		return
	}
	if g := s.ln.Load(); g != nil {
		g.release(c)
	}
}

// Shutdown closes every WebSocket session with 1001, ends every SSE
// stream, then stops the HTTP server, all within ctx (5 s is plenty).
func (s *Server) Shutdown(ctx context.Context) error {
	errWS := s.ws.Shutdown(ctx)
	errSSE := s.sse.Shutdown(ctx)
	errHTTP := s.http.ShutdownWithContext(ctx)
	return errors.Join(errWS, errSSE, errHTTP)
}

// WSSessions and SSEViewers report the open sessions and streams.
func (s *Server) WSSessions() int { return s.ws.Sessions() }

// SSEViewers reports the open SSE streams.
func (s *Server) SSEViewers() int { return s.sse.Viewers() }

// route dispatches a request; panics are recovered and answered 500.
func (s *Server) route(ctx *fasthttp.RequestCtx) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("feed: handler panic", "panic", p, "path", string(ctx.Path()))
			jsonError(ctx, fasthttp.StatusInternalServerError, "internal", "internal error")
		}
	}()
	path := string(ctx.Path())
	if s.cfg.GateOnReady && (path == "/ws" || path == "/sse" || strings.HasPrefix(path, "/api/")) && !s.ready() {
		ctx.Response.Header.Set("Retry-After", "1")
		jsonError(ctx, fasthttp.StatusServiceUnavailable, wire.CodeInternal, "not ready: try again or another server")
		return
	}
	switch {
	case path == "/ws":
		s.ws.Handle(ctx)
	case path == "/sse":
		s.sse.Handle(ctx)
	case path == "/healthz":
		ctx.SetContentType("text/plain; charset=utf-8")
		ctx.SetBodyString("ok\n")
	case path == "/readyz":
		ctx.SetContentType("text/plain; charset=utf-8")
		if !s.ready() {
			ctx.SetStatusCode(fasthttp.StatusServiceUnavailable)
			ctx.SetBodyString("starting\n")
			return
		}
		ctx.SetBodyString("ready\n")
	case path == "/metrics":
		s.prom(ctx)
	case strings.HasPrefix(path, "/api/"):
		if !s.rest.allow(netKey(ctx.RemoteIP(), 32)) {
			ctx.Response.Header.Set("Retry-After", "1")
			ctx.Response.Header.Set("Access-Control-Allow-Origin", s.cfg.CORSOrigin)
			jsonError(ctx, fasthttp.StatusTooManyRequests, wire.CodeRateLimited, "too many requests from this address: slow down")
			return
		}
		s.api(ctx, path)
	default:
		s.ui(ctx, path)
	}
}

// slogPrinter adapts slog to fasthttp's Logger.
type slogPrinter struct{ l *slog.Logger }

func (p slogPrinter) Printf(format string, args ...any) {
	p.l.Debug("fasthttp", "msg", strings.TrimSpace(fmt.Sprintf(format, args...)))
}
