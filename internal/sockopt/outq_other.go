//go:build !linux || 386 || s390x

package sockopt

import "syscall"

// usage is not known on this system (or, on 386 and s390x, needs the
// socketcall multiplexer): Backed then always reports false.
func (s *Sender) usage() (used, size int, ok bool) { return 0, 0, false }

// look holds nothing here: there is no query to keep (see outq_linux.go).
type look struct{}

// tryWritev cannot write without waiting here: it writes nothing, and the
// caller hands everything to its writer.
func (s *Sender) tryWritev(bufs [][]byte) (int, error) { return 0, nil }

const canTryWritev = false

func newSender(raw syscall.RawConn, size int) *Sender { return &Sender{raw: raw, size: size} }

// writevAll is never called here (Writev checks CanTryWritev).
func (s *Sender) writevAll(bufs [][]byte) (int64, error) { return 0, errNoWritev }
