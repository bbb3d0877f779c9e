package ws

import (
	"context"
	"errors"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gobwas/ws"
	"github.com/valyala/fasthttp"

	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/feed/wire"
)

// Server accepts WebSocket sessions and keeps a registry of them, because
// fasthttp's Shutdown neither waits for nor closes hijacked connections.
type Server struct {
	cfg    Config
	origin *originPolicy
	// ctx bounds sessions' calls into the hub and the venue; it ends when
	// Shutdown gives up waiting.
	ctx    context.Context
	cancel context.CancelFunc

	// Operations waiting for the venue, per client address and per
	// account, across sessions (inflight.go), and the refusals of the
	// in-flight caps by scope.
	addrs, accounts *inflightTable
	refusals        [3]atomic.Uint64 // session, account, address

	mu       sync.Mutex
	sessions map[*session]struct{}
	perIP    map[string]int
	closing  bool
	wg       sync.WaitGroup

	pool     *writerPool // nil: a writer goroutine per session (Config.Writers < 0)
	poolOnce sync.Once   // the pool starts with the first write
	reads    *readPoller // the trading sessions' sockets, which the pool looks at (nil: none)
}

// NewServer returns a WebSocket server.
func NewServer(cfg Config) (*Server, error) {
	if cfg.Hub == nil || cfg.Venue == nil {
		return nil, errors.New("ws: Config.Hub and Config.Venue are required")
	}
	cfg.fill()
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{cfg: cfg, origin: newOriginPolicy(cfg.AllowOrigins), ctx: ctx, cancel: cancel, sessions: map[*session]struct{}{}, perIP: map[string]int{},
		addrs: newInflightTable(), accounts: newInflightTable()}
	if cfg.Writers >= 0 {
		s.reads = newReadPoller()
	}
	if s.reads != nil {
		// The hub keeps a P busy through a fan-out as the pool's workers
		// do: it looks too, and lets the readers it woke run at once.
		cfg.Hub.SetBetween(func() {
			if s.reads.poll() {
				runtime.Gosched()
			}
		})
	}
	return s, nil
}

// InflightScopes names the in-flight caps, in the order of InflightRefused.
var InflightScopes = [3]string{"session", "account", "address"}

// InflightRefused returns how many operations each in-flight cap
// (InflightScopes: a session's, an account's, an address's) refused.
func (s *Server) InflightRefused() [3]uint64 {
	var out [3]uint64
	for i := range out {
		out[i] = s.refusals[i].Load()
	}
	return out
}

// refused counts a refusal of the in-flight cap of scope.
func (s *Server) refused(scope string) {
	for i, name := range InflightScopes {
		if name == scope {
			s.refusals[i].Add(1)
			return
		}
	}
}

// Sessions returns the number of open sessions.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

// Handle is the fasthttp handler of GET /ws. The fasthttp.Server must
// have KeepHijackedConns set: the session owns the connection after the
// upgrade, and the hijack handler returns at once so that fasthttp can
// release the request context and its read buffer.
func (s *Server) Handle(ctx *fasthttp.RequestCtx) {
	accept, proto, format, ref := handshake(ctx, s.origin)
	if ref != nil {
		ctx.Response.Header.Set("Content-Type", "text/plain; charset=utf-8")
		ctx.Response.Header.Set("Connection", "close")
		ctx.SetStatusCode(ref.status)
		ctx.SetBodyString(ref.msg + "\n")
		return
	}
	ip := clientIP(ctx.RemoteAddr())
	// Everything needed from ctx is copied now: fasthttp forbids holding
	// it once the hijack handler runs.
	ctx.HijackSetNoResponse(true)
	ctx.Hijack(func(c net.Conn) {
		var resp strings.Builder
		resp.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ")
		resp.WriteString(accept)
		if proto != "" {
			resp.WriteString("\r\nSec-WebSocket-Protocol: ")
			resp.WriteString(proto)
		}
		resp.WriteString("\r\n\r\n")
		raw := c
		if u, ok := c.(interface{ UnsafeConn() net.Conn }); ok {
			raw = u.UnsafeConn()
		}
		_ = raw.SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout))
		if _, err := raw.Write([]byte(resp.String())); err != nil {
			_ = raw.Close()
			return
		}
		s.serve(raw, buffered(c, raw), format, ip)
	})
}

// buffered returns what fasthttp has already read from the connection
// beyond the upgrade request (a client may send its first frame with it):
// reads with a deadline in the past return buffered bytes and never wait.
// After this the connection is read directly, and fasthttp's buffer can go.
func buffered(c, raw net.Conn) []byte {
	_ = raw.SetReadDeadline(time.Unix(1, 0))
	defer func() { _ = raw.SetReadDeadline(time.Time{}) }()
	var out []byte
	var tmp [512]byte
	for {
		n, err := c.Read(tmp[:])
		out = append(out, tmp[:n]...)
		if err != nil || n == 0 {
			return out
		}
	}
}

// serve starts a session on an upgraded connection and returns: the
// session's reader is a new goroutine, which starts with a small stack and
// keeps it small while the connection idles.
func (s *Server) serve(c net.Conn, prefix []byte, format wire.Format, ip string) {
	if code := s.admit(ip); code != 0 {
		reject(c, code, s.cfg.WriteTimeout)
		_ = c.Close()
		return
	}
	sess := newSession(s, c, prefix, format, ip)
	s.mu.Lock()
	s.sessions[sess] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	leave := func() {
		s.mu.Lock()
		delete(s.sessions, sess)
		s.perIP[ip]--
		if s.perIP[ip] == 0 {
			delete(s.perIP, ip)
		}
		s.mu.Unlock()
		s.wg.Done()
	}
	if !sess.start() {
		leave()
		return
	}
	go func() {
		defer leave()
		sess.read()
	}()
}

// admit counts a new session in, or returns the close code refusing it.
func (s *Server) admit(ip string) ws.StatusCode {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closing:
		return ws.StatusGoingAway
	case len(s.sessions) >= s.cfg.MaxConns, s.perIP[ip] >= s.cfg.MaxConnsPerIP:
		return StatusTryAgainLater
	}
	s.perIP[ip]++
	return 0
}

// reject closes a just-upgraded connection at once with code.
func reject(c net.Conn, code ws.StatusCode, timeout time.Duration) {
	_ = c.SetWriteDeadline(time.Now().Add(timeout))
	_, _ = c.Write(ws.MustCompileFrame(ws.NewCloseFrame(ws.NewCloseFrameBody(code, closeReason(code)))))
}

// Shutdown sends 1001 to every session and waits for them to end, until
// ctx is done; then it cuts the remaining connections.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	all := make([]*session, 0, len(s.sessions))
	for sess := range s.sessions {
		all = append(all, sess)
	}
	s.mu.Unlock()
	for _, sess := range all {
		sess.shut(ws.StatusGoingAway, "server shutting down")
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	defer s.stopPool()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.cancel()
		s.mu.Lock()
		for sess := range s.sessions {
			sess.kill()
		}
		s.mu.Unlock()
		<-done
		return ctx.Err()
	}
}

// writers returns the writer pool, started on first use; nil when the
// server has none (Config.Writers < 0).
func (s *Server) writers() *writerPool {
	if s.cfg.Writers < 0 {
		return nil
	}
	s.poolOnce.Do(func() { s.pool = newWriterPool(s.cfg.Writers, s.reads) })
	return s.pool
}

// stopPool stops the writer pool's goroutines once every session ended.
func (s *Server) stopPool() {
	s.poolOnce.Do(func() {}) // none starts after this
	if s.pool != nil {
		s.pool.close()
	}
	if s.reads != nil {
		s.cfg.Hub.SetBetween(nil)
		s.reads.close()
	}
}

func clientIP(a net.Addr) string {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.IP.String()
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}

// transportOf maps a negotiated format to the hub's transport.
func transportOf(f wire.Format) hub.Transport {
	if f == wire.JSON {
		return hub.WSText
	}
	return hub.WSBinary
}
