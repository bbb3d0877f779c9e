package feed

import (
	"errors"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// guardedListener is what the HTTP server accepts from. It survives
// running out of file descriptors: on EMFILE or ENFILE (and the kernel's
// ENOBUFS/ENOMEM) it backs off, 5 ms doubling up to 1 s, and tries again,
// where fasthttp would take the error as permanent and stop serving. And it
// bounds, per client address, the connections that have not been handed
// over to a transport yet (a WebSocket or SSE hijack): those still reading
// their request, and idle keep-alive connections. A connection over that
// bound is closed at once.
//
// Accept returns the accepted connection itself, not a wrapper (a wrapper
// would hide the *net.TCPConn, and with it writev, from the writers); the
// server's ConnState hook tells the listener when a connection is hijacked
// or closed.
type guardedListener struct {
	net.Listener
	perIP int
	log   *slog.Logger

	mu      sync.Mutex
	pending map[net.Conn]string // accepted, neither hijacked nor closed yet → client address
	byIP    map[string]int

	closed   chan struct{}
	closeErr error
	once     sync.Once

	fdErrors   atomic.Uint64 // accept failures for want of descriptors
	refusedIP  atomic.Uint64 // connections closed for the per-address bound
	lastFDLog  atomic.Int64  // unix ns of the last "out of descriptors" log line
	lastIPLog  atomic.Int64
	backoffMax time.Duration
}

func newGuardedListener(ln net.Listener, perIP int, log *slog.Logger) *guardedListener {
	return &guardedListener{Listener: ln, perIP: perIP, log: log, pending: map[net.Conn]string{},
		byIP: map[string]int{}, closed: make(chan struct{}), backoffMax: time.Second}
}

// fdExhausted reports an accept error that passes once descriptors (or
// kernel memory) are freed.
func fdExhausted(err error) bool {
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) ||
		errors.Is(err, syscall.ENOBUFS) || errors.Is(err, syscall.ENOMEM)
}

// Accept waits for the next connection that may be served.
func (l *guardedListener) Accept() (net.Conn, error) {
	var backoff time.Duration
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			if !fdExhausted(err) {
				return nil, err
			}
			l.fdErrors.Add(1)
			backoff = min(max(2*backoff, 5*time.Millisecond), l.backoffMax)
			if l.every(&l.lastFDLog) {
				l.log.Warn("feed: out of file descriptors, not accepting for a moment", "err", err, "retry_in", backoff,
					"failures_so_far", l.fdErrors.Load())
			}
			select {
			case <-time.After(backoff):
				continue
			case <-l.closed:
				return nil, net.ErrClosed
			}
		}
		backoff = 0
		ip := clientIP(c.RemoteAddr())
		l.mu.Lock()
		if l.perIP > 0 && l.byIP[ip] >= l.perIP {
			l.mu.Unlock()
			l.refusedIP.Add(1)
			if l.every(&l.lastIPLog) {
				l.log.Warn("feed: too many unfinished connections from one address, closing", "ip", ip, "limit", l.perIP,
					"refused_so_far", l.refusedIP.Load())
			}
			_ = c.Close()
			continue
		}
		l.byIP[ip]++
		l.pending[c] = ip
		l.mu.Unlock()
		return c, nil
	}
}

// every reports whether a rate-limited log line may be written now (one a
// minute), and notes it.
func (l *guardedListener) every(last *atomic.Int64) bool {
	now := time.Now().UnixNano()
	prev := last.Load()
	return now-prev >= int64(time.Minute) && last.CompareAndSwap(prev, now)
}

// release forgets c: it was hijacked by a transport, or closed.
func (l *guardedListener) release(c net.Conn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ip, ok := l.pending[c]
	if !ok {
		return
	}
	delete(l.pending, c)
	if l.byIP[ip]--; l.byIP[ip] <= 0 {
		delete(l.byIP, ip)
	}
}

// Pending returns how many accepted connections have been neither
// hijacked nor closed.
func (l *guardedListener) Pending() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.pending)
}

// Close closes the listener; an Accept backing off returns at once.
func (l *guardedListener) Close() error {
	l.once.Do(func() {
		close(l.closed)
		l.closeErr = l.Listener.Close()
	})
	return l.closeErr
}

// clientIP is the address part of a connection's remote address.
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
