//go:build linux

package ws

import (
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// readPoller watches the sockets of the sessions that trade (readers of
// order operations) from the goroutines that keep a P busy for long: the
// writer pool's workers look at it between two runs of visits, and wake
// the reader of a session whose client sent something.
//
// Why: Go's network poller runs when a P has nothing else to run, or from
// sysmon every 10 ms. Under a broadcast the pool's workers and the hub
// keep both Ps of this machine busy for milliseconds at a time, and an
// order waited in the socket for the next poll: 6 ms at p90, 12 ms at p99
// with 10,000 subscribers. Woken from a worker, the reader runs on the
// worker's P as soon as the worker yields it.
type readPoller struct {
	epfd int
	n    atomic.Int32 // sessions watched: no syscall when none
	mu   sync.Mutex
	byID map[int32]*session
	next int32
}

// newReadPoller returns a poller, or nil if the kernel will not make one
// (the readers are then woken by Go's poller alone).
func newReadPoller() *readPoller {
	fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil
	}
	return &readPoller{epfd: fd, byID: map[int32]*session{}}
}

// watch adds s's socket, once; it is edge-triggered, so that a client's
// bytes wake its reader once, not at every look until they are read. It
// runs on s's reader, as forget does.
func (p *readPoller) watch(s *session) {
	if p == nil || s.pollID != 0 {
		return
	}
	s.pollID = -1 // tried: not again if it fails
	sc, ok := s.raw.(syscall.Conn)
	if !ok {
		return
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return
	}
	p.mu.Lock()
	id := p.next
	for id <= 0 || p.byID[id] != nil { // 0 is "not watched"; wrapped, it starts over at 1
		id = max(id+1, 1)
	}
	p.next = id + 1
	p.byID[id] = s
	p.mu.Unlock()
	var cerr error
	err = rc.Control(func(fd uintptr) {
		ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLET, Fd: id}
		cerr = unix.EpollCtl(p.epfd, unix.EPOLL_CTL_ADD, int(fd), &ev)
	})
	if err != nil || cerr != nil {
		p.mu.Lock()
		delete(p.byID, id)
		p.mu.Unlock()
		return
	}
	s.pollID = id
	p.n.Add(1)
}

// forget removes s, before its connection is closed (the descriptor's
// number may be reused at once after).
func (p *readPoller) forget(s *session) {
	if p == nil || s.pollID <= 0 {
		return
	}
	if sc, ok := s.raw.(syscall.Conn); ok {
		if rc, err := sc.SyscallConn(); err == nil {
			_ = rc.Control(func(fd uintptr) { _ = unix.EpollCtl(p.epfd, unix.EPOLL_CTL_DEL, int(fd), nil) })
		}
	}
	p.mu.Lock()
	delete(p.byID, s.pollID)
	p.mu.Unlock()
	s.pollID = 0
	p.n.Add(-1)
}

// pollEvents bounds the sessions woken per look.
const pollEvents = 32

// poll wakes the readers of the watched sessions whose clients sent
// something since the last look, without waiting; it reports whether it
// woke any (the caller then yields its P to them).
func (p *readPoller) poll() bool {
	if p == nil || p.n.Load() == 0 {
		return false
	}
	var evs [pollEvents]unix.EpollEvent
	n, err := unix.EpollWait(p.epfd, evs[:], 0)
	if err != nil || n <= 0 {
		return false
	}
	woke := false
	p.mu.Lock()
	for i := range evs[:n] {
		if s := p.byID[evs[i].Fd]; s != nil {
			s.src.poke()
			woke = true
		}
	}
	p.mu.Unlock()
	return woke
}

// close releases the poller once no session is left.
func (p *readPoller) close() {
	if p != nil {
		_ = unix.Close(p.epfd)
	}
}
