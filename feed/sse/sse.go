// Package sse serves read-only market data as Server-Sent Events
// (protocol.md 7.6): one stream per viewer carrying many channels and symbols,
// so a browser needs one connection, with resume from Last-Event-ID.
//
// Each viewer is a hub subscriber with a bounded queue: conflatable
// channels keep only the newest value, a lossless backlog over the limit
// ends the stream (the browser reconnects and resumes). The records are the
// JSON the WebSocket JSON subprotocol sends, built once per message and
// shared by every viewer.
//
// Each stream takes its connection over from fasthttp (hijack) and writes
// the response itself: one goroutine per viewer, the shared records
// written straight to the socket with writev, a deadline per write (the
// server has no WriteTimeout, which would cut every stream), the header
// written before any event, every stream ended on server shutdown, panics
// recovered. fasthttp's SetBodyStreamWriter would add a goroutine, a pipe
// and two copies per viewer; see Handle.
package sse

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/tickcast/tickcast/feed/hub"
)

// Config configures the SSE endpoint; zero fields mean the defaults.
type Config struct {
	Hub *hub.Hub // required
	// CORSOrigin is the Access-Control-Allow-Origin answer; default "*"
	// (the data is public and read-only).
	CORSOrigin string
	// Heartbeat is the interval of ": hb" comments; default 15 s (protocol.md
	// 7.6 asks for at least one every 15 s).
	Heartbeat time.Duration
	// WriteTimeout bounds how long one write to a viewer may stay blocked
	// (a viewer that stopped reading) before its stream is cut; default
	// 10 s. It is a deadline per write, not per response.
	WriteTimeout time.Duration
	// MaxViewers bounds concurrent streams (default 100,000);
	// MaxViewersPerIP per client address (default 500). Past either the
	// request is answered 503.
	MaxViewers      int
	MaxViewersPerIP int
	// Backlog bounds a viewer's lossless backlog (default 4 MiB or 10 s).
	Backlog hub.Limits
	// SendBuffer is each viewer's socket send buffer (SO_SNDBUF); default
	// 128 KiB, negative: the kernel's. A viewer's writer stops while more
	// than half of it is unacknowledged: a viewer that stopped reading
	// pins at most this much kernel memory, never blocks its writer, and
	// still gets the end of its stream.
	SendBuffer int
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
	viewers  map[*viewer]struct{}
	closing  bool
	shutdown chan struct{}
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
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 10 * time.Second
	}
	if cfg.MaxViewers <= 0 {
		cfg.MaxViewers = 100_000
	}
	if cfg.SendBuffer == 0 {
		cfg.SendBuffer = 128 << 10
	}
	if cfg.MaxViewersPerIP <= 0 {
		cfg.MaxViewersPerIP = 500
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
	return &Server{cfg: cfg, perIP: map[string]int{}, viewers: map[*viewer]struct{}{}, shutdown: make(chan struct{})}, nil
}

// Viewers returns the number of open streams.
func (s *Server) Viewers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// graceful is how long Shutdown lets streams end on their own (a clean end
// of the chunked body) before it cuts the connections of those still
// blocked in a write. With 10,000 viewers on 2 cores ending them all takes
// a few hundred ms (BENCHMARKS.md, SSE viewers); 200 ms cut some.
const graceful = time.Second

// Shutdown ends every stream and waits for them, until ctx is done. New
// requests are answered 503 from then on. A stream blocked writing to a
// viewer that stopped reading is cut by an immediate write deadline, so
// shutdown never waits for a viewer.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if !s.closing {
		s.closing = true
		close(s.shutdown)
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	grace := time.NewTimer(graceful)
	defer grace.Stop()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.kickAll()
		return ctx.Err()
	case <-grace.C:
		s.kickAll()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// kickAll makes every pending and future write of every stream fail now.
func (s *Server) kickAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for v := range s.viewers {
		v.kick()
	}
}
