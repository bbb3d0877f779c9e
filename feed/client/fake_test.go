package client

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	"github.com/tickcast/tickcast/feed/wire"
)

// fakeServer speaks enough of the protocol for the client's tests: it
// keeps per-stream history for resume, a reference book per symbol, and
// records every operation it receives.
type fakeServer struct {
	t   *testing.T
	srv *httptest.Server
	URL string

	mu        sync.Mutex
	epoch     string
	heartbeat uint64
	conns     map[*fakeConn]struct{}
	history   map[string][]wire.Message
	seqs      map[string]uint64
	off       uint64
	books     map[string]*refBook
	origins   []string
	privSeq   uint64
	nextOID   uint64

	// knobs, set before use
	replayOverlap uint64                    // replay this many already-seen messages too
	dropLive      func(m wire.Message) bool // true: stored in history but not sent live
	pingJitter    bool                      // answer pings after a random delay

	ops   chan wire.Op
	pongs chan string
}

type fakeConn struct {
	nc     net.Conn
	format wire.Format
	wmu    sync.Mutex
	subs   map[string]bool // under fakeServer.mu
}

func newFakeServer(t *testing.T) *fakeServer {
	fs := &fakeServer{
		t: t, epoch: "E1", heartbeat: 15000,
		conns: map[*fakeConn]struct{}{}, history: map[string][]wire.Message{},
		seqs: map[string]uint64{}, books: map[string]*refBook{}, nextOID: 1000,
		ops: make(chan wire.Op, 10000), pongs: make(chan string, 100),
	}
	fs.srv = httptest.NewServer(http.HandlerFunc(fs.serveHTTP))
	fs.URL = "ws" + strings.TrimPrefix(fs.srv.URL, "http") + "/ws"
	t.Cleanup(fs.close)
	return fs
}

func (fs *fakeServer) close() {
	fs.kick(1001, "test over")
	fs.srv.Close()
}

func (fs *fakeServer) serveHTTP(w http.ResponseWriter, r *http.Request) {
	u := ws.HTTPUpgrader{Protocol: func(p string) bool {
		_, ok := wire.FormatOf(p)
		return ok && p != ""
	}}
	nc, rw, hs, err := u.Upgrade(r, w)
	if err != nil {
		return
	}
	format, _ := wire.FormatOf(hs.Protocol)
	fc := &fakeConn{nc: nc, format: format, subs: map[string]bool{}}
	fs.mu.Lock()
	fs.origins = append(fs.origins, r.Header.Get("Origin"))
	fs.conns[fc] = struct{}{}
	fc.send(&wire.Welcome{V: 1, Epoch: fs.epoch, ServerTime: time.Now().UnixNano(), HeartbeatMS: fs.heartbeat, MaxMsg: wire.MaxMessage})
	fs.mu.Unlock()
	fs.readLoop(fc, rw.Reader)
	fs.mu.Lock()
	delete(fs.conns, fc)
	fs.mu.Unlock()
	_ = nc.Close()
}

func (fs *fakeServer) readLoop(fc *fakeConn, br *bufio.Reader) {
	rd := wsutil.Reader{Source: br, State: ws.StateServerSide, CheckUTF8: true}
	for {
		hdr, err := rd.NextFrame()
		if err != nil {
			return
		}
		data, err := io.ReadAll(&rd)
		if err != nil {
			return
		}
		switch hdr.OpCode {
		case ws.OpPing:
			fc.write(ws.OpPong, data)
			continue
		case ws.OpPong:
			fs.pongs <- string(data)
			continue
		case ws.OpClose:
			fc.write(ws.OpClose, data)
			return
		}
		op, err := wire.DecodeOp(fc.format, data)
		if err != nil {
			var oe *wire.OpError
			if errors.As(err, &oe) {
				r := oe.Reply()
				fc.send(&r)
			}
			continue
		}
		fs.ops <- op
		fs.handle(fc, op)
	}
}

func (fc *fakeConn) write(op ws.OpCode, p []byte) {
	fc.wmu.Lock()
	defer fc.wmu.Unlock()
	_ = fc.nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_ = wsutil.WriteServerMessage(fc.nc, op, p)
}

func (fc *fakeConn) send(m wire.Message) {
	op := ws.OpBinary
	if fc.format == wire.JSON {
		op = ws.OpText
	}
	fc.write(op, wire.Append(fc.format, nil, m))
}

// kick closes every connection with a close frame.
func (fs *fakeServer) kick(code int, reason string) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.kickLocked(code, reason)
}

func (fs *fakeServer) kickLocked(code int, reason string) {
	for fc := range fs.conns {
		p := binary.BigEndian.AppendUint16(nil, uint16(code))
		fc.write(ws.OpClose, append(p, reason...))
		_ = fc.nc.Close()
		delete(fs.conns, fc)
	}
}

// pingAll sends a WebSocket ping with payload to every connection.
func (fs *fakeServer) pingAll(payload string) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for fc := range fs.conns {
		fc.write(ws.OpPing, []byte(payload))
	}
}

// numConns returns the number of open connections.
func (fs *fakeServer) numConns() int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return len(fs.conns)
}

// waitOp returns the next received op accepted by match.
func (fs *fakeServer) waitOp(match func(wire.Op) bool) wire.Op {
	fs.t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case op := <-fs.ops:
			if match(op) {
				return op
			}
		case <-timeout:
			fs.t.Fatalf("no matching op received")
			return nil
		}
	}
}

// dial connects a client to fs with test-friendly defaults.
func dial(t *testing.T, fs *fakeServer, f wire.Format, mod func(*Config)) *Client {
	t.Helper()
	cfg := Config{URL: fs.URL, Format: f, Reconnect: Reconnect{MinDelay: 5 * time.Millisecond, MaxDelay: 20 * time.Millisecond}}
	if mod != nil {
		mod(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := Dial(ctx, cfg)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// jitter sleeps up to 2 ms, to shuffle reply order in the fake server.
func jitter() { time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond) }
