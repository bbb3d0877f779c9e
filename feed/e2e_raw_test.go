package feed_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/gobwas/ws"

	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/internal/testkit"
)

// rawConn is a minimal WebSocket client written for the tests: a
// handcrafted handshake on a plain TCP connection, frames written with
// gobwas/ws (masked as a client must, or not, when a test wants to break
// the rules) and read one by one, so that tests see exactly what the
// server puts on the wire, close frames included.
type rawConn struct {
	t       testing.TB
	nc      net.Conn
	br      *bufio.Reader
	format  wire.Format
	resp    *http.Response
	welcome *wire.Welcome
}

// rawOpts shape a raw handshake.
type rawOpts struct {
	// header overrides the default request headers; an empty value
	// removes the header.
	header map[string]string
	// rcvBuf, when set, is the socket's SO_RCVBUF, set before connecting.
	rcvBuf int
	// trailer is sent right after the request, in the same write.
	trailer []byte
	// local, when set, is the address to connect from (any 127.0.0.0/8
	// address works on loopback): the server counts per client address.
	local string
}

const sampleKey = "dGhlIHNhbXBsZSBub25jZQ==" // RFC 6455's example

// rawHandshake connects and sends an upgrade request; it returns the
// connection and the server's HTTP answer, whatever its status.
func (ts *testServer) rawHandshake(t testing.TB, o rawOpts) (*rawConn, *http.Response) {
	t.Helper()
	rc, err := ts.tryRawHandshake(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rc.nc.Close() })
	rc.t = t
	return rc, rc.resp
}

// tryRawHandshake is rawHandshake without the test: it returns an error
// instead of failing, and may run on any goroutine. The caller closes the
// connection; the rawConn's helpers that fail the test need its t set.
func (ts *testServer) tryRawHandshake(o rawOpts) (*rawConn, error) {
	d := net.Dialer{Timeout: 5 * time.Second}
	if o.local != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(o.local)}
	}
	if o.rcvBuf > 0 {
		d.Control = func(_, _ string, c syscall.RawConn) error {
			var serr error
			err := c.Control(func(fd uintptr) {
				serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, o.rcvBuf)
			})
			return errors.Join(err, serr)
		}
	}
	nc, err := d.Dial("tcp", ts.Addr)
	if err != nil {
		return nil, err
	}
	h := map[string]string{
		"Host":                  ts.Addr,
		"Upgrade":               "websocket",
		"Connection":            "Upgrade",
		"Sec-WebSocket-Key":     sampleKey,
		"Sec-WebSocket-Version": "13",
	}
	for k, v := range o.header {
		h[k] = v
	}
	var req bytes.Buffer
	req.WriteString("GET /ws HTTP/1.1\r\n")
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if h[k] != "" {
			fmt.Fprintf(&req, "%s: %s\r\n", k, h[k])
		}
	}
	req.WriteString("\r\n")
	req.Write(o.trailer)
	_ = nc.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := nc.Write(req.Bytes()); err != nil {
		_ = nc.Close()
		return nil, err
	}
	br := bufio.NewReaderSize(nc, 64<<10)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		_ = nc.Close()
		return nil, fmt.Errorf("handshake answer: %w", err)
	}
	_ = nc.SetDeadline(time.Time{})
	rc := &rawConn{nc: nc, br: br, resp: resp, format: wire.MsgPack}
	if p := resp.Header.Get("Sec-WebSocket-Protocol"); p != "" {
		rc.format, _ = wire.FormatOf(p)
	}
	return rc, nil
}

// rawDial upgrades with subprotocol proto ("" offers none) and reads the
// welcome.
func (ts *testServer) rawDial(t testing.TB, proto string, o rawOpts) *rawConn {
	t.Helper()
	if proto != "" {
		if o.header == nil {
			o.header = map[string]string{}
		}
		o.header["Sec-WebSocket-Protocol"] = proto
	}
	rc, resp := ts.rawHandshake(t, o)
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade refused: %s", resp.Status)
	}
	w, ok := rc.next(5 * time.Second).(*wire.Welcome)
	if !ok {
		t.Fatal("first message is not the welcome")
	}
	rc.welcome = w
	return rc
}

// writeFrame writes f masked with a fresh key, as a client must.
func (rc *rawConn) writeFrame(f ws.Frame) error {
	f.Payload = bytes.Clone(f.Payload)
	f = ws.MaskFrameInPlaceWith(f, ws.NewMask()) // sets the header's mask too
	_ = rc.nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return ws.WriteFrame(rc.nc, f)
}

// writeUnmasked writes f as it is: unmasked, against RFC 6455 5.1.
func (rc *rawConn) writeUnmasked(f ws.Frame) error {
	_ = rc.nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return ws.WriteFrame(rc.nc, f)
}

// dataOp is the frame opcode of the connection's subprotocol.
func (rc *rawConn) dataOp() ws.OpCode {
	if rc.format == wire.JSON {
		return ws.OpText
	}
	return ws.OpBinary
}

// sendBytes sends one message frame of the subprotocol's type.
func (rc *rawConn) sendBytes(payload []byte) {
	rc.t.Helper()
	if err := rc.writeFrame(ws.NewFrame(rc.dataOp(), true, payload)); err != nil {
		rc.t.Fatalf("write: %v", err)
	}
}

// send encodes and sends an operation.
func (rc *rawConn) send(op wire.Op) {
	rc.t.Helper()
	rc.sendBytes(wire.AppendOp(rc.format, nil, op))
}

// frame reads the next frame, waiting at most d.
func (rc *rawConn) frame(d time.Duration) (ws.Frame, error) {
	_ = rc.nc.SetReadDeadline(time.Now().Add(d))
	return testkit.ReadFrame(rc.br)
}

// next returns the next message, skipping pings; it fails the test on a
// close frame or an error.
func (rc *rawConn) next(d time.Duration) wire.Message {
	rc.t.Helper()
	m, err := rc.tryNext(d)
	if err != nil {
		rc.t.Fatalf("read: %v", err)
	}
	return m
}

// errClosed is returned by tryNext for a close frame.
type errClosed struct {
	code   ws.StatusCode
	reason string
}

func (e *errClosed) Error() string { return fmt.Sprintf("close %d %q", e.code, e.reason) }

func (rc *rawConn) tryNext(d time.Duration) (wire.Message, error) {
	m, _, err := rc.nextRaw(d)
	return m, err
}

// nextRaw is tryNext that also returns the message's payload bytes.
func (rc *rawConn) nextRaw(d time.Duration) (wire.Message, []byte, error) {
	deadline := time.Now().Add(d)
	for {
		f, err := rc.frame(time.Until(deadline))
		if err != nil {
			return nil, nil, err
		}
		switch f.Header.OpCode {
		case ws.OpPing, ws.OpPong:
			continue
		case ws.OpClose:
			code, reason := ws.ParseCloseFrameData(f.Payload)
			return nil, nil, &errClosed{code, reason}
		}
		if f.Header.Masked || !f.Header.Fin {
			return nil, nil, fmt.Errorf("server frame masked=%v fin=%v", f.Header.Masked, f.Header.Fin)
		}
		if (f.Header.OpCode == ws.OpText) != (rc.format == wire.JSON) {
			return nil, nil, fmt.Errorf("frame opcode %v on %v", f.Header.OpCode, rc.format)
		}
		m, err := wire.Decode(rc.format, f.Payload)
		return m, f.Payload, err
	}
}

// nextKind reads until a message of kind k (skipping others, e.g. market
// data) and returns it.
func (rc *rawConn) nextKind(k wire.Kind, d time.Duration) wire.Message {
	rc.t.Helper()
	deadline := time.Now().Add(d)
	for {
		m := rc.next(time.Until(deadline))
		if m.Kind() == k {
			return m
		}
	}
}

// expectClose reads (and discards) messages until the server's close
// frame and checks its code. It fails if the connection ends without one.
func (rc *rawConn) expectClose(want ws.StatusCode, d time.Duration) string {
	rc.t.Helper()
	deadline := time.Now().Add(d)
	for {
		f, err := rc.frame(time.Until(deadline))
		if err != nil {
			rc.t.Fatalf("want close %d, got %v", want, err)
		}
		if f.Header.OpCode != ws.OpClose {
			continue
		}
		code, reason := ws.ParseCloseFrameData(f.Payload)
		if code != want {
			rc.t.Fatalf("close code %d %q, want %d", code, reason, want)
		}
		return reason
	}
}

// expectEOF checks that the server ends the TCP connection (after its
// close frame) within d.
func (rc *rawConn) expectEOF(d time.Duration) {
	rc.t.Helper()
	_ = rc.nc.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, rc.br)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		rc.t.Fatalf("server kept the connection open for %v after closing", d)
	}
}

// drop cuts the TCP connection abruptly: a reset, no close frame.
func (rc *rawConn) drop() {
	if tc, ok := rc.nc.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = rc.nc.Close()
}

// closeFrame is a client close frame with code.
func closeFrame(code ws.StatusCode, reason string) ws.Frame {
	return ws.NewCloseFrame(ws.NewCloseFrameBody(code, reason))
}

// subscribeRaw subscribes and returns the subscribed reply, skipping
// anything before it.
func (rc *rawConn) subscribe(id uint64, channels, symbols []string) *wire.Subscribed {
	rc.t.Helper()
	rc.send(&wire.Subscribe{ID: wire.SomeID(id), Channels: channels, Symbols: symbols})
	return rc.nextKind(wire.KindSubscribed, 5*time.Second).(*wire.Subscribed)
}
