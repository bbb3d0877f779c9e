package journal

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func quiet() Options { return Options{Logger: slog.New(slog.DiscardHandler)} }

func rec(i int) []byte { return []byte(fmt.Sprintf("record %d %s", i, strings.Repeat("x", i%17))) }

// fill appends n records, committing every group records.
func fill(t *testing.T, j *Journal, from, n, group int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		if err := j.Append(rec(i)); err != nil {
			t.Fatal(err)
		}
		if (i+1)%group == 0 {
			if err := j.Commit(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := j.Commit(); err != nil {
		t.Fatal(err)
	}
}

func all(t *testing.T, j *Journal, from uint64) [][]byte {
	t.Helper()
	var out [][]byte
	if err := j.Records(from, func(i uint64, p []byte) error {
		if want := from + uint64(len(out)); i != want {
			t.Fatalf("record index %d, want %d", i, want)
		}
		out = append(out, bytes.Clone(p))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAppendReopenRotate(t *testing.T) {
	dir := t.TempDir()
	o := quiet()
	o.SegmentSize = 500
	j, err := Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	fill(t, j, 0, 100, 7)
	if j.Next() != 100 || j.Syncs() != 15 {
		t.Fatalf("next %d syncs %d, want 100 and 15 (one per group)", j.Next(), j.Syncs())
	}
	if len(j.segs) < 3 {
		t.Fatalf("%d segments, want several of ~500 bytes", len(j.segs))
	}
	j.Close()
	j, err = Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	got := all(t, j, 0)
	if len(got) != 100 {
		t.Fatalf("%d records after reopening, want 100", len(got))
	}
	for i, p := range got {
		if !bytes.Equal(p, rec(i)) {
			t.Fatalf("record %d = %q", i, p)
		}
	}
	if got := all(t, j, 42); len(got) != 58 || !bytes.Equal(got[0], rec(42)) {
		t.Fatalf("from 42: %d records, first %q", len(got), got[0])
	}
	fill(t, j, 100, 5, 5)
	if got := all(t, j, 0); len(got) != 105 {
		t.Fatalf("%d records, want 105", len(got))
	}
}

func TestLockRefusesSecondOpen(t *testing.T) {
	dir := t.TempDir()
	j, err := Open(dir, quiet())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, quiet()); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
	j.Close()
	j, err = Open(dir, quiet())
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	j.Close()
}

func lastSegment(t *testing.T, dir string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, segPrefix+"*"+segSuffix))
	if len(m) == 0 {
		t.Fatal("no segment")
	}
	return m[len(m)-1]
}

func TestTornTailIsCut(t *testing.T) {
	for name, damage := range map[string]func(b []byte) []byte{
		"half a frame":  func(b []byte) []byte { return b[:len(b)-5] },
		"header only":   func(b []byte) []byte { return append(b, 9, 0, 0, 0) },
		"zeros":         func(b []byte) []byte { return append(b, make([]byte, 4096)...) },
		"bad last crc":  func(b []byte) []byte { b[len(b)-1] ^= 0xff; return b },
		"length to eof": func(b []byte) []byte { return append(b, 200, 0, 0, 0, 1, 2, 3, 4, 5) },
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			var logs bytes.Buffer
			o := Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))}
			j, _ := Open(dir, o)
			fill(t, j, 0, 10, 3)
			j.Close()
			path := lastSegment(t, dir)
			b, _ := os.ReadFile(path)
			os.WriteFile(path, damage(b), 0o644)
			j, err := Open(dir, o)
			if err != nil {
				t.Fatalf("Open with a torn tail: %v", err)
			}
			defer j.Close()
			n := len(all(t, j, 0))
			if n != 10 && n != 9 {
				t.Fatalf("%d records kept, want 10 (or 9 when the last one was torn)", n)
			}
			if !strings.Contains(logs.String(), "torn last record cut off") || !strings.Contains(logs.String(), path) {
				t.Fatalf("no log line naming the file: %q", logs.String())
			}
			fill(t, j, n, 3, 3)
			if got := all(t, j, 0); len(got) != n+3 || !bytes.Equal(got[n], rec(n)) {
				t.Fatalf("appending after the cut: %d records", len(got))
			}
		})
	}
}

func TestDamageRefusesToOpen(t *testing.T) {
	dir := t.TempDir()
	o := quiet()
	o.SegmentSize = 300
	j, _ := Open(dir, o)
	fill(t, j, 0, 60, 4)
	j.Close()
	m, _ := filepath.Glob(filepath.Join(dir, segPrefix+"*"))
	if len(m) < 3 {
		t.Fatalf("%d segments", len(m))
	}
	for _, c := range []struct {
		name string
		path string
		off  int
	}{{"middle segment", m[1], 20}, {"last segment, not its tail", m[len(m)-1], 10}} {
		t.Run(c.name, func(t *testing.T) {
			b, _ := os.ReadFile(c.path)
			orig := bytes.Clone(b)
			defer os.WriteFile(c.path, orig, 0o644)
			b[c.off] ^= 0x40
			os.WriteFile(c.path, b, 0o644)
			_, err := Open(dir, o)
			if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), c.path) || !strings.Contains(err.Error(), "offset ") {
				t.Fatalf("Open: %v, want ErrDamaged naming %s and an offset", err, c.path)
			}
		})
	}
	t.Run("missing segment", func(t *testing.T) {
		b, _ := os.ReadFile(m[1])
		os.Remove(m[1])
		defer os.WriteFile(m[1], b, 0o644)
		if _, err := Open(dir, o); !errors.Is(err, ErrDamaged) {
			t.Fatalf("Open with a segment missing: %v", err)
		}
	})
}

func TestSnapshotsAndRemoval(t *testing.T) {
	dir := t.TempDir()
	o := quiet()
	o.SegmentSize = 300
	j, _ := Open(dir, o)
	fill(t, j, 0, 50, 5)
	if err := j.WriteSnapshot(30, []byte("state at 30")); err != nil {
		t.Fatal(err)
	}
	if err := j.WriteSnapshot(45, []byte("state at 45")); err != nil {
		t.Fatal(err)
	}
	if err := j.RemoveBefore(45); err != nil {
		t.Fatal(err)
	}
	snaps, _ := j.Snapshots()
	if len(snaps) != 1 || snaps[0] != 45 {
		t.Fatalf("snapshots %v, want [45]", snaps)
	}
	if j.First() > 45 || j.First() == 0 {
		t.Fatalf("first record %d: want old segments gone, 45 kept", j.First())
	}
	if err := j.Records(0, func(uint64, []byte) error { return nil }); !errors.Is(err, ErrRemoved) {
		t.Fatalf("Records(0) after removal: %v", err)
	}
	j.Close()
	j, err := Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if p, err := j.ReadSnapshot(45); err != nil || string(p) != "state at 45" {
		t.Fatalf("ReadSnapshot: %q %v", p, err)
	}
	if got := all(t, j, 45); len(got) != 5 || !bytes.Equal(got[0], rec(45)) {
		t.Fatalf("tail after the snapshot: %d records", len(got))
	}
	path := j.snapPath(45)
	b, _ := os.ReadFile(path)
	b[12] ^= 1
	os.WriteFile(path, b, 0o644)
	if _, err := j.ReadSnapshot(45); !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), path) {
		t.Fatalf("damaged snapshot: %v", err)
	}
}

func TestRefusesBadRecords(t *testing.T) {
	j, _ := Open(t.TempDir(), quiet())
	defer j.Close()
	if j.Append(nil) == nil || j.Append(make([]byte, MaxRecord+1)) == nil {
		t.Fatal("empty or oversized record accepted")
	}
}

func FuzzReadFrame(f *testing.F) {
	f.Add(appendFrame(nil, []byte("hello")))
	f.Add([]byte{255, 255, 255, 255, 0, 0, 0, 0})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, n, err := readFrame(b, MaxRecord)
		if err != nil {
			return
		}
		if n > len(b) || len(p) != n-frameHeader || !bytes.Equal(appendFrame(nil, p), b[:n]) {
			t.Fatalf("frame of %d bytes decoded inconsistently", n)
		}
	})
}

func TestReadOnlyBesideTheWriter(t *testing.T) {
	dir := t.TempDir()
	j, _ := Open(dir, quiet())
	defer j.Close()
	fill(t, j, 0, 20, 4)
	f, _ := os.OpenFile(lastSegment(t, dir), os.O_WRONLY|os.O_APPEND, 0)
	f.Write([]byte{50, 0, 0, 0, 1}) // a write in progress
	f.Close()
	o := quiet()
	o.ReadOnly = true
	r, err := Open(dir, o)
	if err != nil {
		t.Fatalf("read-only Open beside the writer: %v", err)
	}
	if got := all(t, r, 0); len(got) != 20 {
		t.Fatalf("%d records read, want 20", len(got))
	}
	if err := r.Append([]byte("x")); err == nil {
		if err := r.Commit(); !errors.Is(err, ErrReadOnly) {
			t.Fatalf("Commit on a read-only journal: %v", err)
		}
	}
	r.Close()
	if b, _ := os.ReadFile(lastSegment(t, dir)); b[len(b)-1] != 1 {
		t.Fatal("the read-only open changed the file")
	}
}
