package app

import "syscall"

// RaiseOpenFiles raises the process's soft limit on open files to its hard
// limit (every WebSocket session and SSE viewer holds a descriptor) and
// returns the limit now in force. Go already does this at start on Linux;
// doing it here as well makes it explicit and gives the figure to log.
func RaiseOpenFiles() (limit uint64, err error) {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 0, err
	}
	if r.Cur < r.Max {
		r.Cur = r.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
			return r.Cur, err
		}
	}
	return r.Cur, nil
}
