//go:build linux && !386 && !s390x

package sockopt

import (
	"os"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Indices into the SO_MEMINFO array (linux/sock_diag.h).
const (
	memSndbuf      = 3 // SK_MEMINFO_SNDBUF: the send buffer's size as the kernel counts it
	memWmemQueued  = 5 // SK_MEMINFO_WMEM_QUEUED: what the queued data takes of it
	memInfoEntries = 9
	soMemInfo      = 55 // SO_MEMINFO
)

// usage returns how much of the send buffer is taken and its size, in the
// kernel's own accounting (SO_MEMINFO): queued data with its buffers'
// overhead, which for small writes is several times the data itself (the
// byte count of TIOCOUTQ leaves that out, and a writer trusting it still
// blocked on a full buffer).
//
// Like tryWritev it is not safe for concurrent use (a connection's writer
// looks, one at a time): the look's result lives in s.look, so that the
// callback handed to RawConn.Control is made once per Sender. A closure
// over locals escaped with them, three allocations per look, and every
// client that keeps up is looked at every 16 KiB it is sent.
func (s *Sender) usage() (used, size int, ok bool) {
	l := &s.look
	cerr := s.raw.Control(l.fn)
	info, errno := l.info, l.errno
	l.info, l.errno = [memInfoEntries]uint32{}, 0
	if cerr != nil || errno != 0 {
		return 0, 0, false
	}
	return int(info[memWmemQueued]), int(info[memSndbuf]), true
}

// look is the SO_MEMINFO query in progress (usage) and its callback.
type look struct {
	info  [memInfoEntries]uint32
	errno syscall.Errno
	fn    func(fd uintptr)
}

// meminfo is the callback of RawConn.Control: one getsockopt into l.info.
func (l *look) meminfo(fd uintptr) {
	n := uint32(unsafe.Sizeof(l.info))
	_, _, l.errno = syscall.Syscall6(syscall.SYS_GETSOCKOPT, fd, syscall.SOL_SOCKET, soMemInfo,
		uintptr(unsafe.Pointer(&l.info)), uintptr(unsafe.Pointer(&n)), 0)
}

const canTryWritev = true

func newSender(raw syscall.RawConn, size int) *Sender {
	s := &Sender{raw: raw, size: size}
	s.wfn = s.writev
	s.allFn = s.writevMore
	s.look.fn = s.look.meminfo
	return s
}

// maxIovecs is the most buffers one writev takes (IOV_MAX); a longer batch
// is written in part, as a socket short of room would.
const maxIovecs = 1024

// iovecs lends the iovec arrays of the writes in progress: one array per
// write at a time, not per Sender (an idle session would hold one) nor per
// write (unix.Writev allocates one for every batch of more than 8 buffers,
// which was half of the fan-out's garbage with 10,000 subscribers).
var iovecs = sync.Pool{New: func() any { return new([]unix.Iovec) }}

// writev is the callback of RawConn.Write: one writev, never waiting for
// room (the caller hands the rest over).
func (s *Sender) writev(fd uintptr) bool {
	p := iovecs.Get().(*[]unix.Iovec)
	iov := (*p)[:0]
	for _, b := range s.wbufs {
		if len(iov) == maxIovecs {
			break
		}
		if len(b) > 0 {
			v := unix.Iovec{Base: &b[0]}
			v.SetLen(len(b))
			iov = append(iov, v)
		}
	}
	s.wn, s.werr = 0, nil
	if len(iov) > 0 {
		n, _, errno := syscall.Syscall(syscall.SYS_WRITEV, fd, uintptr(unsafe.Pointer(&iov[0])), uintptr(len(iov)))
		if errno != 0 {
			s.werr = errno
		} else {
			s.wn = int(n)
		}
	}
	clear(iov) // the pooled array must not keep the frames alive
	*p = iov[:0]
	iovecs.Put(p)
	return true
}

// tryWritev is not safe for concurrent use: a session's writes come from
// its one writer at a time.
func (s *Sender) tryWritev(bufs [][]byte) (int, error) {
	s.wbufs = bufs
	err := s.raw.Write(s.wfn)
	n, werr := s.wn, s.werr
	s.wbufs, s.wn, s.werr = nil, 0, nil
	if err != nil {
		return 0, err
	}
	if werr == unix.EAGAIN {
		return 0, nil
	}
	return max(n, 0), werr
}

// writevAll writes all of bufs (Writev); not safe for concurrent use.
func (s *Sender) writevAll(bufs [][]byte) (int64, error) {
	s.wbufs, s.wall, s.werr = bufs, 0, nil
	err := s.raw.Write(s.allFn)
	n, werr := s.wall, s.werr
	s.wbufs, s.wall, s.wn, s.werr = nil, 0, 0, nil
	if werr != nil {
		return n, os.NewSyscallError("writev", werr)
	}
	return n, err
}

// writevMore is the callback of RawConn.Write for Writev: it writes until
// s.wbufs is done (true), the socket has no room (false: the poller waits
// for room or for the write deadline, then calls it again) or a write
// fails (true, the error in s.werr).
func (s *Sender) writevMore(fd uintptr) bool {
	for {
		if s.wbufs = Consumed(s.wbufs, 0); len(s.wbufs) == 0 {
			return true
		}
		s.writev(fd)
		switch s.werr {
		case nil:
		case unix.EAGAIN:
			s.werr = nil
			return false
		case unix.EINTR:
			s.werr = nil
			continue
		default:
			return true
		}
		s.wall += int64(s.wn)
		s.wbufs = Consumed(s.wbufs, s.wn)
	}
}
