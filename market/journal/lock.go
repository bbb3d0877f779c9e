package journal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// ErrLocked is returned by Open when another process holds the data
// directory.
var ErrLocked = errors.New("journal: data directory in use by another process")

// lockFile is the name of the lock file in the data directory.
const lockFile = "LOCK"

// lockDir takes an exclusive flock on dir's lock file, without waiting.
// The lock lasts until the returned file is closed or the process ends
// (the kernel releases it even after SIGKILL).
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s", ErrLocked, dir)
		}
		return nil, fmt.Errorf("journal: lock %s: %w", dir, err)
	}
	return f, nil
}
