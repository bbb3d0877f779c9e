package journal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// MaxSnapshot is the largest snapshot payload, in bytes.
const MaxSnapshot = 1 << 30

// WriteSnapshot stores data as the snapshot of the state reached after
// the records before index, atomically: a temporary file, fsynced, then
// renamed over and the directory fsynced. It first commits what was
// appended.
func (j *Journal) WriteSnapshot(index uint64, data []byte) error {
	if len(data) == 0 || len(data) > MaxSnapshot {
		return fmt.Errorf("journal: snapshot of %d bytes: want 1 to %d", len(data), MaxSnapshot)
	}
	if err := j.Commit(); err != nil {
		return err
	}
	if err := WriteFileAtomic(j.snapPath(index), appendFrame(nil, data), 0o644); err != nil {
		return fmt.Errorf("journal: snapshot: %w", err)
	}
	return nil
}

// WriteFileAtomic writes a file whole and durably: a temporary file beside
// it, fsynced, renamed over path, then the directory fsynced. A crash
// leaves the old file or the new one, never part of either.
func WriteFileAtomic(path string, b []byte, perm os.FileMode) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(filepath.Dir(path))
}

// Snapshots lists the indexes of the snapshots kept, oldest first.
func (j *Journal) Snapshots() ([]uint64, error) {
	return numbered(j.dir, snapPrefix, snapSuffix)
}

// ReadSnapshot returns the payload of the snapshot at index, checked
// against its checksum (an error wrapping ErrDamaged names the file).
func (j *Journal) ReadSnapshot(index uint64) ([]byte, error) {
	path := j.snapPath(index)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	p, n, err := readFrame(b, MaxSnapshot)
	if err == nil && n != len(b) {
		err = errors.New("bytes after the frame")
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: offset 0: %v", ErrDamaged, path, err)
	}
	return p, nil
}

// RemoveBefore deletes the snapshots older than index and the segments
// whose every record is before it (never the segment being appended to).
func (j *Journal) RemoveBefore(index uint64) error {
	snaps, err := j.Snapshots()
	if err != nil {
		return err
	}
	for _, s := range snaps {
		if s < index {
			if err := os.Remove(j.snapPath(s)); err != nil {
				return fmt.Errorf("journal: %w", err)
			}
		}
	}
	keep := j.segs[:0]
	for i, s := range j.segs {
		if i < len(j.segs)-1 && s.first+s.count <= index {
			if err := os.Remove(s.path); err != nil {
				return fmt.Errorf("journal: %w", err)
			}
			continue
		}
		keep = append(keep, s)
	}
	j.segs = keep
	return syncDir(j.dir)
}
