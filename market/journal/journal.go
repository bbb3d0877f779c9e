package journal

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// ErrDamaged is wrapped by the errors of Open and Records when a file of
// the data directory is damaged anywhere but in its torn last record.
var ErrDamaged = errors.New("journal: damaged")

// ErrRemoved is returned by Records when the records asked for were
// removed behind a snapshot.
var ErrRemoved = errors.New("journal: records removed behind a snapshot")

// DefaultSegmentSize is the size past which the journal starts a new
// segment file.
const DefaultSegmentSize = 64 << 20

const (
	segPrefix  = "journal-"
	segSuffix  = ".log"
	snapPrefix = "snapshot-"
	snapSuffix = ".snap"
)

// Options configures Open. Zero values mean the defaults.
type Options struct {
	// SegmentSize is the size past which a new segment starts; default
	// DefaultSegmentSize.
	SegmentSize int64
	// Logger; default slog.Default().
	Logger *slog.Logger
	// ReadOnly opens the directory to read it only, beside the process
	// that may hold it: no lock, nothing truncated or created; a torn
	// tail ends the records. Append and Commit then fail.
	ReadOnly bool
}

// ErrReadOnly is returned by Commit on a journal opened ReadOnly.
var ErrReadOnly = errors.New("journal: opened read-only")

// segment is one journal file: the index of its first record and how
// many records it holds.
type segment struct {
	first, count uint64
	path         string
}

// Journal is an open data directory: its journal segments (for appending)
// and its snapshots. It is not safe for concurrent use: one goroutine (the
// venue's sequencer) appends and commits.
type Journal struct {
	dir     string
	opts    Options
	log     *slog.Logger
	lock    *os.File
	segs    []segment
	f       *os.File // the last segment, open for appending
	size    int64    // its size
	next    uint64   // index of the next record appended
	buf     []byte   // frames appended, not yet written
	pending uint64   // records in buf
	syncs   uint64
	last    []byte // the last record found at Open
}

// Open opens (creating it if needed) the data directory dir, locks it,
// and checks every journal frame. A torn last record is cut off and
// logged; damage elsewhere is an error wrapping ErrDamaged that names the
// file and the offset.
func Open(dir string, opts Options) (*Journal, error) {
	if opts.SegmentSize <= 0 {
		opts.SegmentSize = DefaultSegmentSize
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	var lock *os.File
	if opts.ReadOnly {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("journal: %w", err)
		}
	} else {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("journal: %w", err)
		}
		var err error
		if lock, err = lockDir(dir); err != nil {
			return nil, err
		}
	}
	j := &Journal{dir: dir, opts: opts, log: opts.Logger, lock: lock}
	if err := j.scan(); err != nil {
		if lock != nil {
			lock.Close()
		}
		return nil, err
	}
	return j, nil
}

// numbered lists the files of dir named prefix + a decimal number +
// suffix, by number.
func numbered(dir, prefix, suffix string) ([]uint64, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	var ns []uint64
	for _, e := range ents {
		name := e.Name()
		if !strings.HasPrefix(name, prefix) || !strings.HasSuffix(name, suffix) {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(name, prefix), suffix), 10, 64)
		if err != nil {
			continue
		}
		ns = append(ns, n)
	}
	slices.Sort(ns)
	return ns, nil
}

func (j *Journal) segPath(first uint64) string {
	return filepath.Join(j.dir, fmt.Sprintf("%s%020d%s", segPrefix, first, segSuffix))
}

func (j *Journal) snapPath(index uint64) string {
	return filepath.Join(j.dir, fmt.Sprintf("%s%020d%s", snapPrefix, index, snapSuffix))
}

// scan reads every segment, counts its records, cuts a torn tail off the
// last one and opens it for appending.
func (j *Journal) scan() error {
	firsts, err := numbered(j.dir, segPrefix, segSuffix)
	if err != nil {
		return err
	}
	if len(firsts) == 0 {
		snaps, err := numbered(j.dir, snapPrefix, snapSuffix)
		if err != nil {
			return err
		}
		if len(snaps) > 0 {
			j.next = snaps[len(snaps)-1]
		}
		if j.opts.ReadOnly {
			j.segs = []segment{{first: j.next}}
			return nil
		}
		return j.create(j.next)
	}
	for i, first := range firsts {
		path := j.segPath(first)
		if i > 0 && first != j.next {
			return fmt.Errorf("%w: %s: starts at record %d, the segment before ends at %d", ErrDamaged, path, first, j.next)
		}
		count, size, err := j.check(path, i == len(firsts)-1)
		if err != nil {
			return err
		}
		j.segs = append(j.segs, segment{first: first, count: count, path: path})
		j.next = first + count
		j.size = size
	}
	if j.opts.ReadOnly {
		return nil
	}
	last := j.segs[len(j.segs)-1]
	f, err := os.OpenFile(last.path, os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	j.f = f
	return nil
}

// check verifies the frames of one segment and returns how many records
// it holds and its size. In the last segment a torn tail is truncated.
func (j *Journal) check(path string, last bool) (count uint64, size int64, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, fmt.Errorf("journal: %w", err)
	}
	off := 0
	defer func() {
		if count > 0 && err == nil {
			j.last = slices.Clone(j.last)
		}
	}()
	for off < len(b) {
		p, n, ferr := readFrame(b[off:], MaxRecord)
		if ferr == nil {
			off += n
			count++
			j.last = p
			continue
		}
		if last && torn(b[off:], ferr) && j.opts.ReadOnly {
			return count, int64(off), nil
		}
		if last && torn(b[off:], ferr) {
			j.log.Warn("journal: torn last record cut off", "file", path, "offset", off, "bytes", len(b)-off, "reason", ferr.Error())
			if err := os.Truncate(path, int64(off)); err != nil {
				return 0, 0, fmt.Errorf("journal: truncate %s: %w", path, err)
			}
			return count, int64(off), nil
		}
		return 0, 0, fmt.Errorf("%w: %s: offset %d: %v", ErrDamaged, path, off, ferr)
	}
	return count, int64(off), nil
}

// torn reports whether rest, the bytes of the last segment from its first
// bad frame on, look like a write the process did not finish: a frame
// that runs past the end of the file, a bad one that ends exactly there,
// or bytes the kernel zero-filled.
func torn(rest []byte, err error) bool {
	if errors.Is(err, errTruncated) || allZero(rest) {
		return true
	}
	if errors.Is(err, errCRC) && len(rest) >= frameHeader {
		n := int(rest[0]) | int(rest[1])<<8 | int(rest[2])<<16 | int(rest[3])<<24
		return frameHeader+n == len(rest)
	}
	return false
}

// create starts a new segment whose first record is first.
func (j *Journal) create(first uint64) error {
	path := j.segPath(first)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	if err := syncDir(j.dir); err != nil {
		f.Close()
		return err
	}
	if j.f != nil {
		j.f.Close()
	}
	j.f, j.size = f, 0
	j.segs = append(j.segs, segment{first: first, path: path})
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("journal: sync %s: %w", dir, err)
	}
	return nil
}

// Dir is the data directory.
func (j *Journal) Dir() string { return j.dir }

// First is the index of the oldest record still in the journal.
func (j *Journal) First() uint64 { return j.segs[0].first }

// Next is the index the next record appended will have: the number of
// records ever committed.
func (j *Journal) Next() uint64 { return j.next + j.pending }

// Last returns the last record the journal held when it was opened (nil
// if none).
func (j *Journal) Last() []byte { return j.last }

// Syncs is how many times Commit has synced the journal.
func (j *Journal) Syncs() uint64 { return j.syncs }

// Append adds one record to the group of the next Commit. Nothing is on
// disk before Commit returns. p is copied.
func (j *Journal) Append(p []byte) error {
	if len(p) == 0 || len(p) > MaxRecord {
		return fmt.Errorf("journal: record of %d bytes: want 1 to %d", len(p), MaxRecord)
	}
	j.buf = appendFrame(j.buf, p)
	j.pending++
	return nil
}

// Commit writes the records appended since the last Commit and fsyncs the
// segment once for all of them (group commit). When it returns nil they
// are durable.
func (j *Journal) Commit() error {
	if j.pending == 0 {
		return nil
	}
	if j.opts.ReadOnly {
		return ErrReadOnly
	}
	if j.size >= j.opts.SegmentSize {
		if err := j.create(j.next); err != nil {
			return err
		}
	}
	if _, err := j.f.Write(j.buf); err != nil {
		return fmt.Errorf("journal: write: %w", err)
	}
	if err := unix.Fdatasync(int(j.f.Fd())); err != nil {
		return fmt.Errorf("journal: fsync: %w", err)
	}
	j.syncs++
	j.size += int64(len(j.buf))
	j.segs[len(j.segs)-1].count += j.pending
	j.next += j.pending
	j.pending = 0
	if cap(j.buf) > 4<<20 {
		j.buf = nil
	} else {
		j.buf = j.buf[:0]
	}
	return nil
}

// Records calls fn with every committed record from index from on, in
// order. The payload is valid only during the call. It fails with
// ErrRemoved if from is before the oldest record kept.
func (j *Journal) Records(from uint64, fn func(index uint64, p []byte) error) error {
	if from < j.segs[0].first {
		return fmt.Errorf("%w: record %d asked, the oldest is %d", ErrRemoved, from, j.segs[0].first)
	}
	for _, s := range j.segs {
		if s.first+s.count <= from {
			continue
		}
		if err := readSegment(s, from, fn); err != nil {
			return err
		}
	}
	return nil
}

func readSegment(s segment, from uint64, fn func(uint64, []byte) error) error {
	f, err := os.Open(s.path)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	off := 0
	for i := s.first; i < s.first+s.count; i++ {
		p, n, err := readFrame(b[off:], MaxRecord)
		if err != nil {
			return fmt.Errorf("%w: %s: offset %d: %v", ErrDamaged, s.path, off, err)
		}
		if i >= from {
			if err := fn(i, p); err != nil {
				return err
			}
		}
		off += n
	}
	return nil
}

// Close commits what was appended and releases the directory.
func (j *Journal) Close() error {
	err := j.Commit()
	if j.f != nil {
		if cerr := j.f.Close(); err == nil {
			err = cerr
		}
		j.f = nil
	}
	if j.lock != nil {
		j.lock.Close()
		j.lock = nil
	}
	return err
}
