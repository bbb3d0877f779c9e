//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// stopPid returns a bench.Config.Stop that sends SIGTERM to the server's
// process and returns once the process is gone; it fails at once if there
// is no such process of ours to signal.
func stopPid(pid int) (func(context.Context) error, error) {
	if pid <= 0 {
		return nil, fmt.Errorf("--stop-pid %d: not a process id", pid)
	}
	if err := syscall.Kill(pid, 0); err != nil {
		return nil, fmt.Errorf("--stop-pid %d: %w", pid, err)
	}
	return func(ctx context.Context) error {
		if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
			return fmt.Errorf("SIGTERM to pid %d: %w", pid, err)
		}
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for !gone(pid) {
			select {
			case <-ctx.Done():
				return fmt.Errorf("pid %d still running: %w", pid, ctx.Err())
			case <-tick.C:
			}
		}
		return nil
	}, nil
}

// gone reports whether process pid has exited: it no longer exists, or
// it is a zombie its parent has not reaped yet.
func gone(pid int) bool {
	if errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
		return true
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false // no /proc: only the signal tells
	}
	if i := bytes.LastIndexByte(b, ')'); i >= 0 && i+2 < len(b) {
		return b[i+2] == 'Z'
	}
	return false
}
