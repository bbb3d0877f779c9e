package sse

import (
	"bufio"
	"context"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/feed/wire"
)

// subscribeTimeout bounds the wait for the hub to take a new viewer.
const subscribeTimeout = 5 * time.Second

// Handle is the fasthttp handler of /sse: GET opens a stream, OPTIONS
// answers a CORS preflight, anything else is 405. Every answer, errors
// included, carries Access-Control-Allow-Origin, so that a page can read
// the JSON error body.
func (s *Server) Handle(ctx *fasthttp.RequestCtx) {
	hdr := &ctx.Response.Header
	hdr.Set("Access-Control-Allow-Origin", s.cfg.CORSOrigin)
	switch {
	case ctx.IsOptions():
		preflight(ctx)
		return
	case !ctx.IsGet():
		hdr.Set("Allow", "GET, OPTIONS")
		errorBody(ctx, fasthttp.StatusMethodNotAllowed, wire.CodeBadRequest, "GET only")
		return
	}
	r, ok := s.parse(ctx)
	if !ok {
		return
	}
	v := &viewer{ip: ctx.RemoteIP().String(), conn: ctx.Conn(), sub: hub.NewSub(hub.SSE, s.cfg.Backlog)}
	if !s.admit(v) {
		errorBody(ctx, fasthttp.StatusServiceUnavailable, wire.CodeInternal, "too many viewers: try again later")
		return
	}
	h := s.cfg.Hub
	reqCtx, cancel := context.WithTimeout(context.Background(), subscribeTimeout)
	defer cancel()
	if err := h.Add(reqCtx, v.sub); err != nil {
		s.release(v)
		errorBody(ctx, fasthttp.StatusServiceUnavailable, wire.CodeInternal, "server busy")
		return
	}
	if err := h.SubscribeSSE(reqCtx, v.sub, r.streams, r.epoch, r.off, r.resume); err != nil {
		// Add went through: take the subscriber off the hub again, or it
		// would stay registered for the life of the process.
		s.unsubscribe(v)
		s.release(v)
		errorBody(ctx, fasthttp.StatusServiceUnavailable, wire.CodeInternal, "server busy")
		return
	}
	hdr.SetContentType("text/event-stream")
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("X-Accel-Buffering", "no") // nginx: pass each chunk on at once
	// The stream ends only when the viewer must go (slow, shutdown, error):
	// the connection goes with it rather than waiting for another request.
	ctx.SetConnectionClose()
	ctx.Response.ImmediateHeaderFlush = true
	done := ctx.Done() // closes on server shutdown; captured before the handler returns
	// fasthttp runs the writer in its own goroutine, started right here.
	ctx.SetBodyStreamWriter(func(w *bufio.Writer) {
		defer s.release(v)
		defer s.unsubscribe(v)
		defer func() {
			if p := recover(); p != nil {
				s.cfg.Logger.Error("sse: viewer panic", "panic", p)
			}
		}()
		s.stream(w, v, done)
	})
}

// preflight answers a CORS preflight: fetch-based EventSource clients send
// Last-Event-ID (and sometimes Cache-Control) as request headers, which
// are not CORS-safelisted.
func preflight(ctx *fasthttp.RequestCtx) {
	hdr := &ctx.Response.Header
	hdr.Set("Access-Control-Allow-Methods", "GET, OPTIONS")
	hdr.Set("Access-Control-Allow-Headers", "Last-Event-ID, Cache-Control, Accept")
	hdr.Set("Access-Control-Max-Age", "86400")
	ctx.SetStatusCode(fasthttp.StatusNoContent)
}

// admit counts a new viewer in, unless a limit is reached or the server is
// shutting down.
func (s *Server) admit(v *viewer) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing || s.n >= s.cfg.MaxViewers || s.perIP[v.ip] >= s.cfg.MaxViewersPerIP {
		return false
	}
	s.n++
	s.perIP[v.ip]++
	s.viewers[v] = struct{}{}
	s.wg.Add(1)
	s.cfg.Viewers(1)
	return true
}

// release counts a viewer out; it undoes admit.
func (s *Server) release(v *viewer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n--
	if s.perIP[v.ip]--; s.perIP[v.ip] <= 0 {
		delete(s.perIP, v.ip)
	}
	delete(s.viewers, v)
	s.cfg.Viewers(-1)
	s.wg.Done()
}

// unsubscribe takes the viewer off the hub and empties its queue.
func (s *Server) unsubscribe(v *viewer) {
	c, cancel := context.WithTimeout(context.Background(), subscribeTimeout)
	defer cancel()
	if err := s.cfg.Hub.Remove(c, v.sub); err != nil {
		s.cfg.Logger.Warn("sse: viewer not removed from the hub", "err", err)
	}
	v.sub.Q.Close()
}
