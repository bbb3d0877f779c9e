package sockopt

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestBackedWhenPeerStopsReading: writing to a peer that reads nothing
// fills the bounded send buffer; Backed says so before a write blocks.
func TestBackedWhenPeerStopsReading(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("SO_MEMINFO is Linux's")
	}
	c, peer := loopback(t)
	_ = peer.(*net.TCPConn).SetReadBuffer(4096)
	s := NewSender(c, 64<<10)
	if s == nil || s.Backed() {
		t.Fatal("a fresh connection is backed up")
	}
	if _, size, ok := s.usage(); !ok || size < 64<<10 {
		t.Fatalf("usage: size %d ok %v", size, ok)
	}
	msg := make([]byte, 1000)
	for i := 0; !s.Backed(); i++ {
		if i > 10_000 {
			t.Fatal("never backed up writing 10 MB to a peer that reads nothing")
		}
		_ = c.SetWriteDeadline(time.Now().Add(2 * time.Second))
		if _, err := c.Write(msg); err != nil {
			t.Fatalf("write %d blocked before Backed said so: %v", i, err)
		}
	}
	// Room is left: a small write still goes through at once.
	_ = c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
	if _, err := c.Write(make([]byte, 128)); err != nil {
		t.Fatalf("no room left for a close frame: %v", err)
	}
}

// TestUsageAllocatesNothing: a writer asks every 16 KiB it sends to every
// client that keeps up, so the look must not allocate (a closure over its
// result escaped with it: three allocations per look).
func TestUsageAllocatesNothing(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("SO_MEMINFO is Linux's")
	}
	c, _ := loopback(t)
	s := NewSender(c, 64<<10)
	if _, _, ok := s.Usage(); !ok {
		t.Fatal("usage unknown on a TCP connection")
	}
	if n := testing.AllocsPerRun(100, func() { _, _, _ = s.Usage() }); n != 0 {
		t.Fatalf("Usage allocates %v times per call, want 0", n)
	}
	if raceEnabled {
		return // the iovec arrays come from a sync.Pool
	}
	for _, size := range []int{1, 64} { // unix.Writev allocated past 8 buffers
		bufs := make([][]byte, size) // a writer's batch, reused from one write to the next
		for i := range bufs {
			bufs[i] = []byte("x")
		}
		if n := testing.AllocsPerRun(100, func() { _, _ = s.TryWritev(bufs) }); n != 0 {
			t.Fatalf("TryWritev of %d buffers allocates %v times per call, want 0", size, n)
		}
	}
}

// TestTryWritevWritesInOrder: a batch's buffers reach the peer whole and in
// order, empty ones skipped; one longer than a writev takes (IOV_MAX) is
// written in part, and the count says how far; a broken connection is an
// error.
func TestTryWritevWritesInOrder(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("TryWritev writes on Linux only")
	}
	c, peer := loopback(t)
	s := NewSender(c, 0)
	var bufs [][]byte
	var want bytes.Buffer
	for i := range 1500 {
		if i%7 == 3 {
			bufs = append(bufs, nil)
			continue
		}
		b := []byte(fmt.Sprintf("<%d>", i))
		bufs = append(bufs, b)
		want.Write(b)
	}
	n, err := s.TryWritev(bufs)
	if err != nil {
		t.Fatal(err)
	}
	// The first maxIovecs non-empty buffers, no more.
	limit, seen := 0, 0
	for _, b := range bufs {
		if len(b) == 0 {
			continue
		}
		if seen == maxIovecs {
			break
		}
		seen++
		limit += len(b)
	}
	if n != limit {
		t.Fatalf("wrote %d bytes, want %d (the first %d buffers)", n, limit, maxIovecs)
	}
	got := make([]byte, n)
	_ = peer.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(peer, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()[:n]) {
		t.Fatal("the peer read other bytes than the batch's, in its order")
	}
	if n, err := s.TryWritev([][]byte{nil, {}}); n != 0 || err != nil {
		t.Fatalf("an empty batch: %d, %v", n, err)
	}
	peer.Close()
	var werr error
	for i := 0; i < 100 && werr == nil; i++ { // the reset comes back after a write or two
		_, werr = s.TryWritev([][]byte{[]byte("after the peer closed")})
		time.Sleep(time.Millisecond)
	}
	if werr == nil {
		t.Fatal("writing to a closed peer never failed")
	}
}

// loopback returns the server end and the client end of a loopback TCP
// connection, closed when the test ends.
func loopback(t *testing.T) (c, peer net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if peer, err = net.Dial("tcp", ln.Addr().String()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { peer.Close() })
	if c, err = ln.Accept(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, peer
}

// TestWritevWritesAllAndWaits: Writev writes a batch far larger than the
// socket takes at once (more buffers than one writev takes, and more bytes
// than the bounded send buffer), waiting for room while the peer reads
// slowly, in order; with the peer stopped, it ends at the write deadline
// with a timeout; and it allocates nothing per write (Go's own writev
// keeps an iovec array per connection, as long as its longest batch).
func TestWritevWritesAllAndWaits(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Writev writes on Linux only")
	}
	c, peer := loopback(t)
	s := NewSender(c, 8<<10)
	var bufs [][]byte
	var want bytes.Buffer
	for i := range 3000 {
		if i%7 == 3 {
			bufs = append(bufs, nil)
			continue
		}
		b := bytes.Repeat([]byte(fmt.Sprintf("<%d>", i)), 1+i%50)
		bufs = append(bufs, b)
		want.Write(b)
	}
	got := make(chan []byte, 1)
	go func() {
		var b bytes.Buffer
		_ = peer.SetReadDeadline(time.Now().Add(10 * time.Second))
		chunk := make([]byte, 1000)
		for b.Len() < want.Len() {
			n, err := peer.Read(chunk)
			b.Write(chunk[:n])
			if err != nil {
				break
			}
			time.Sleep(50 * time.Microsecond) // a slow reader: the writer waits for room
		}
		got <- b.Bytes()
	}()
	_ = c.SetWriteDeadline(time.Now().Add(10 * time.Second))
	n, err := s.Writev(slices.Clone(bufs))
	if err != nil || n != int64(want.Len()) {
		t.Fatalf("wrote %d of %d bytes: %v", n, want.Len(), err)
	}
	if !bytes.Equal(<-got, want.Bytes()) {
		t.Fatal("the peer read other bytes than the batch's, in its order")
	}

	small := [][]byte{[]byte("0123456789")}
	if a := testing.AllocsPerRun(100, func() {
		if raceEnabled { // the pooled iovec arrays are dropped at random
			return
		}
		b := small
		if _, err := s.Writev(b); err != nil {
			t.Fatal(err)
		}
	}); a != 0 {
		t.Fatalf("%.1f allocations per Writev, want 0", a)
	}

	// Nobody reads now: the write waits for the deadline, and times out.
	_ = c.SetWriteDeadline(time.Now().Add(200 * time.Millisecond))
	_, err = s.Writev(slices.Clone(bufs))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("a write to a peer that stopped reading ended with %v, want a timeout", err)
	}
}

// TestConsumed: what is left of a vectored write's buffers after n bytes,
// as Writev and the WebSocket writers keep it.
func TestConsumed(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "ab|c|def"}, {1, "b|c|def"}, {2, "c|def"}, {3, "def"}, {5, "f"}, {6, ""}} {
		bufs := [][]byte{nil, []byte("ab"), []byte("c"), {}, []byte("def")}
		out := Consumed(bufs, c.n)
		if len(out) > 0 && len(out[0]) == 0 {
			t.Errorf("Consumed(%d) left an empty buffer in front", c.n)
		}
		var parts []string
		for _, b := range out {
			if len(b) > 0 {
				parts = append(parts, string(b))
			}
		}
		if got := strings.Join(parts, "|"); got != c.want {
			t.Errorf("Consumed(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}
