//go:build !linux || 386 || s390x

package sockopt

// usage is not known on this system (or, on 386 and s390x, needs the
// socketcall multiplexer): Backed then always reports false.
func (s *Sender) usage() (used, size int, ok bool) { return 0, 0, false }
