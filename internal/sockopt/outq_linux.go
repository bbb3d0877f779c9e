//go:build linux && !386 && !s390x

package sockopt

import (
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
func (s *Sender) usage() (used, size int, ok bool) {
	var info [memInfoEntries]uint32
	var errno syscall.Errno
	cerr := s.raw.Control(func(fd uintptr) {
		n := uint32(unsafe.Sizeof(info))
		_, _, errno = syscall.Syscall6(syscall.SYS_GETSOCKOPT, fd, syscall.SOL_SOCKET, soMemInfo,
			uintptr(unsafe.Pointer(&info)), uintptr(unsafe.Pointer(&n)), 0)
	})
	if cerr != nil || errno != 0 {
		return 0, 0, false
	}
	return int(info[memWmemQueued]), int(info[memSndbuf]), true
}

const canTryWritev = true

func newSender(raw syscall.RawConn, size int) *Sender {
	s := &Sender{raw: raw, size: size}
	s.wfn = s.writev
	return s
}

// writev is the callback of RawConn.Write: one writev, never waiting for
// room (the caller hands the rest over).
func (s *Sender) writev(fd uintptr) bool {
	s.wn, s.werr = unix.Writev(int(fd), s.wbufs)
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
