//go:build unix

package bench

import "syscall"

// noFileLimit returns the soft limit on open files (the most sockets a
// process may hold).
func noFileLimit() uint64 {
	var rl syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl) != nil {
		return 0
	}
	return rl.Cur
}
