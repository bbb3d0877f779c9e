package sse

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/internal/sockopt"
)

// subscribeTimeout bounds the wait for the hub to take a new viewer.
const subscribeTimeout = 5 * time.Second

// Handle is the fasthttp handler of /sse: GET opens a stream, OPTIONS
// answers a CORS preflight, anything else is 405. Every answer, errors
// included, carries Access-Control-Allow-Origin, so that a page can read
// the JSON error body.
//
// A stream takes the connection over (fasthttp hijack): the viewer's
// goroutine writes the response itself, straight to the socket, sharing
// the hub's record bytes with every other viewer. fasthttp's own way,
// SetBodyStreamWriter, costs a second goroutine, a pipe and two more
// copies per viewer and event: with 10,000 viewers, 35 KiB of server
// memory per viewer against 12 KiB this way, and more CPU per event
// (BENCHMARKS.md, SSE viewers). The fasthttp.Server must have
// KeepHijackedConns set (as for WebSocket): the hijack handler returns at
// once so that fasthttp can let go of the request context and its read
// buffer, and the viewer's goroutine owns the connection.
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
	ip := ctx.RemoteIP().String()
	if !s.room(ip) { // admit decides; this answers most refusals the usual way
		errorBody(ctx, fasthttp.StatusServiceUnavailable, wire.CodeInternal, tooMany)
		return
	}
	// Everything needed from ctx is copied now: fasthttp forbids holding
	// it once the hijack handler runs.
	chunked := ctx.Request.Header.IsHTTP11() // an HTTP/1.0 body ends with the connection
	done := ctx.Done()                       // closes on server shutdown
	ctx.HijackSetNoResponse(true)
	ctx.Hijack(func(c net.Conn) {
		raw := c
		if u, ok := c.(interface{ UnsafeConn() net.Conn }); ok {
			raw = u.UnsafeConn() // nothing more is read: fasthttp's buffer can go
		}
		v := &viewer{ip: ip, conn: raw, chunked: chunked, sub: s.cfg.Hub.NewSub(hub.SSE, s.cfg.Backlog)}
		v.sub.Remote = raw.RemoteAddr().String()
		if s.cfg.SendBuffer > 0 {
			v.snd = sockopt.NewSender(raw, s.cfg.SendBuffer)
			v.lookEvery = max(s.cfg.SendBuffer/8, 4096)
		}
		go s.serve(v, r, done)
	})
}

const tooMany = "too many viewers: try again later"

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

// serve runs one viewer on its own connection: admission, subscription,
// then the stream until it ends. fasthttp recovers no panics on this
// goroutine: serve does.
func (s *Server) serve(v *viewer, r request, done <-chan struct{}) {
	defer v.conn.Close()
	defer func() {
		if p := recover(); p != nil {
			s.cfg.Logger.Error("sse: viewer panic", "panic", p)
		}
	}()
	if !s.admit(v) {
		s.refuse(v, tooMany)
		return
	}
	defer s.release(v)
	h := s.cfg.Hub
	ctx, cancel := context.WithTimeout(context.Background(), subscribeTimeout)
	defer cancel()
	if err := h.Add(ctx, v.sub); err != nil {
		s.refuse(v, "server busy")
		return
	}
	defer s.unsubscribe(v) // also when SubscribeSSE cannot be queued: Add went through
	if err := h.SubscribeSSE(ctx, v.sub, r.streams, r.epoch, r.off, r.resume); err != nil {
		s.refuse(v, "server busy")
		return
	}
	s.stream(v, done)
}

// refuse answers 503 on a taken-over connection.
func (s *Server) refuse(v *viewer, msg string) {
	body, _ := json.Marshal(map[string]string{"code": wire.CodeInternal, "msg": msg})
	resp := "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\nAccess-Control-Allow-Origin: " + s.cfg.CORSOrigin + "\r\nConnection: close\r\n\r\n"
	_ = v.conn.SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout))
	_, _ = v.conn.Write(append([]byte(resp), body...))
}

// room reports whether a viewer from ip would be admitted now.
func (s *Server) room(ip string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.closing && s.n < s.cfg.MaxViewers && s.perIP[ip] < s.cfg.MaxViewersPerIP
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
	if err := s.cfg.Hub.Remove(c, v.sub); err != nil && !errors.Is(err, hub.ErrStopped) { // stopped: shutdown
		s.cfg.Logger.Warn("sse: viewer not removed from the hub", "err", err)
	}
	v.sub.Q.Close()
}
