// Package sse serves read-only market data as Server-Sent Events
// (PROTOCOL 7): one stream per viewer carrying many channels and symbols,
// so a browser needs one connection, with resume from Last-Event-ID.
//
// Each viewer is a hub subscriber with a bounded queue: conflatable
// channels keep only the newest value, a lossless backlog over the limit
// ends the stream (the browser reconnects and resumes). The records are the
// JSON the WebSocket JSON subprotocol sends, built once per message and
// shared by every viewer.
package sse

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/feed/wire"
)

// Config configures the SSE endpoint; zero fields mean the defaults.
type Config struct {
	Hub *hub.Hub // required
	// CORSOrigin is the Access-Control-Allow-Origin answer; default "*"
	// (the data is public and read-only).
	CORSOrigin string
	// Heartbeat is the interval of ": hb" comments; default 15 s.
	Heartbeat time.Duration
	// MaxViewers bounds concurrent streams (default 100,000);
	// MaxViewersPerIP per client address (default 20,000). Past either the
	// request is answered 503.
	MaxViewers      int
	MaxViewersPerIP int
	// Backlog bounds a viewer's lossless backlog (default 4 MiB or 10 s).
	Backlog hub.Limits
	// Viewers, if set, is told of each viewer starting (+1) and ending (-1).
	Viewers func(delta int)
	// Sent, if set, counts the events and bytes written.
	Sent   func(msgs, bytes int)
	Logger *slog.Logger
}

// Server is the /sse endpoint.
type Server struct {
	cfg      Config
	mu       sync.Mutex
	n        int
	perIP    map[string]int
	shutdown chan struct{}
	once     sync.Once
	wg       sync.WaitGroup
}

// NewServer returns an SSE endpoint.
func NewServer(cfg Config) (*Server, error) {
	if cfg.Hub == nil {
		return nil, errors.New("sse: Config.Hub is required")
	}
	if cfg.CORSOrigin == "" {
		cfg.CORSOrigin = "*"
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 15 * time.Second
	}
	if cfg.MaxViewers <= 0 {
		cfg.MaxViewers = 100_000
	}
	if cfg.MaxViewersPerIP <= 0 {
		cfg.MaxViewersPerIP = 20_000
	}
	if cfg.Viewers == nil {
		cfg.Viewers = func(int) {}
	}
	if cfg.Sent == nil {
		cfg.Sent = func(int, int) {}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Server{cfg: cfg, perIP: map[string]int{}, shutdown: make(chan struct{})}, nil
}

// Viewers returns the number of open streams.
func (s *Server) Viewers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// errorBody answers status with PROTOCOL 1's JSON error body.
func errorBody(ctx *fasthttp.RequestCtx, status int, code, msg string) {
	b, _ := json.Marshal(map[string]string{"code": code, "msg": msg})
	ctx.SetStatusCode(status)
	ctx.SetContentType("application/json")
	ctx.SetBody(b)
}

// request is a parsed /sse request.
type request struct {
	streams []*hub.Stream
	epoch   string
	off     uint64
	resume  bool
}

// parse reads channels, symbols and the last event id.
func (s *Server) parse(ctx *fasthttp.RequestCtx) (request, bool) {
	h := s.cfg.Hub
	args := ctx.QueryArgs()
	channels := splitList(string(args.Peek("channels")), []string{wire.ChanTicker})
	symbols := splitList(string(args.Peek("symbols")), h.Symbols())
	var r request
	if len(channels)*len(symbols) > h.MaxSubscriptions() {
		errorBody(ctx, fasthttp.StatusBadRequest, wire.CodeTooManySubscriptions, "too many streams")
		return r, false
	}
	for _, ch := range channels {
		if h.Lookup(ch, h.Symbols()[0]) == nil {
			errorBody(ctx, fasthttp.StatusBadRequest, wire.CodeUnknownChannel, "unknown channel: "+truncate(ch))
			return r, false
		}
	}
	for _, sym := range symbols {
		if !h.KnownSymbol(sym) {
			errorBody(ctx, fasthttp.StatusBadRequest, wire.CodeUnknownSymbol, "unknown symbol: "+truncate(sym))
			return r, false
		}
		for _, ch := range channels {
			r.streams = append(r.streams, h.Lookup(ch, sym))
		}
	}
	id := string(ctx.Request.Header.Peek("Last-Event-ID"))
	if id == "" {
		id = string(args.Peek("last_event_id"))
	}
	if id != "" {
		epoch, off, ok := strings.Cut(id, ":")
		n, err := strconv.ParseUint(off, 10, 64)
		if !ok || err != nil || len(epoch) > wire.MaxEpochLen {
			errorBody(ctx, fasthttp.StatusBadRequest, wire.CodeBadRequest, "Last-Event-ID must be epoch:offset")
			return r, false
		}
		r.epoch, r.off, r.resume = epoch, n, true
	}
	return r, true
}

// truncate keeps echoed client input short and printable.
func truncate(s string) string {
	if len(s) > 32 {
		s = s[:32]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, s)
}

func splitList(v string, def []string) []string {
	if v == "" {
		return def
	}
	var out []string
	seen := map[string]bool{}
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return def
	}
	return out
}

// Handle is the fasthttp handler of GET /sse.
func (s *Server) Handle(ctx *fasthttp.RequestCtx) {
	ctx.Response.Header.Set("Access-Control-Allow-Origin", s.cfg.CORSOrigin)
	if !ctx.IsGet() {
		errorBody(ctx, fasthttp.StatusMethodNotAllowed, wire.CodeBadRequest, "GET only")
		return
	}
	r, ok := s.parse(ctx)
	if !ok {
		return
	}
	ip := ctx.RemoteIP().String()
	if !s.admit(ip) {
		errorBody(ctx, fasthttp.StatusServiceUnavailable, wire.CodeInternal, "too many viewers: try again later")
		return
	}
	sub := hub.NewSub(hub.SSE, s.cfg.Backlog)
	h := s.cfg.Hub
	reqCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if h.Add(reqCtx, sub) != nil || h.SubscribeSSE(reqCtx, sub, r.streams, r.epoch, r.off, r.resume) != nil {
		s.release(ip)
		errorBody(ctx, fasthttp.StatusServiceUnavailable, wire.CodeInternal, "server busy")
		return
	}
	hdr := &ctx.Response.Header
	hdr.SetContentType("text/event-stream")
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("X-Accel-Buffering", "no")
	ctx.Response.ImmediateHeaderFlush = true
	done := ctx.Done() // closes on server shutdown; captured before the handler returns
	s.wg.Add(1)
	ctx.SetBodyStreamWriter(func(w *bufio.Writer) {
		defer s.wg.Done()
		defer s.release(ip)
		defer func() {
			c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = h.Remove(c, sub)
			sub.Q.Close()
		}()
		defer func() {
			if p := recover(); p != nil {
				s.cfg.Logger.Error("sse: viewer panic", "panic", p)
			}
		}()
		s.stream(w, sub, done)
	})
}

func (s *Server) admit(ip string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n >= s.cfg.MaxViewers || s.perIP[ip] >= s.cfg.MaxViewersPerIP {
		return false
	}
	s.n++
	s.perIP[ip]++
	s.cfg.Viewers(1)
	return true
}

func (s *Server) release(ip string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n--
	if s.perIP[ip]--; s.perIP[ip] <= 0 {
		delete(s.perIP, ip)
	}
	s.cfg.Viewers(-1)
}

// stream writes one viewer's events until the viewer goes, falls too far
// behind, or the server shuts down.
func (s *Server) stream(w *bufio.Writer, sub *hub.Sub, done <-chan struct{}) {
	epoch := s.cfg.Hub.Epoch()
	if _, err := w.WriteString("retry: 2000\n\n"); err != nil || w.Flush() != nil {
		return
	}
	beat := time.NewTicker(s.cfg.Heartbeat)
	defer beat.Stop()
	items := make([]hub.Item, 0, 64)
	for {
		select {
		case <-done:
			return
		case <-s.shutdown:
			return
		case <-beat.C:
			if _, err := w.WriteString(": hb\n\n"); err != nil || w.Flush() != nil {
				return
			}
		case <-sub.Q.Ready():
			if sub.Q.Overflowed() {
				return // a slow viewer: it reconnects with Last-Event-ID
			}
			for {
				items = sub.Q.Pop(items[:0], 256)
				if len(items) == 0 {
					break
				}
				n := 0
				for i, it := range items {
					b := it.Own
					if it.Frame != nil {
						b = it.Frame.SSE(epoch)
					}
					_, _ = w.Write(b)
					n += len(b)
					items[i] = hub.Item{}
				}
				if w.Flush() != nil {
					return
				}
				s.cfg.Sent(len(items), n)
			}
		}
	}
}

// Shutdown ends every stream and waits for them, until ctx is done.
func (s *Server) Shutdown(ctx context.Context) error {
	s.once.Do(func() { close(s.shutdown) })
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
