//go:build !unix

package main

import (
	"context"
	"errors"
)

// stopPid is not available where processes are not signalled this way.
func stopPid(int) (func(context.Context) error, error) {
	return nil, errors.New("--stop-pid is supported on unix only")
}
