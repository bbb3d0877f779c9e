package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/gobwas/ws"

	"github.com/tickcast/tickcast/feed/wire"
)

// A stalled client is a WebSocket subscriber that never reads once it is
// subscribed: the kind of client a server must cut before it pins memory.
// It connects like the WebSocket clients (msgpack, the same channels and
// symbols), with a small socket receive buffer so that the server's writer
// backs up at once, reads the welcome and the subscription's answer, and
// then nothing until the end of the run, when the worker reads what the
// server left on it (drain) to learn how the server ended it.

// DefaultStalledRcvBuf is Config.StalledRcvBuf's default: the stalled
// clients' SO_RCVBUF (the kernel doubles it and keeps at least a few KiB).
const DefaultStalledRcvBuf = 4096

// stalledOptions is what every stalled client of a worker shares.
type stalledOptions struct {
	url        string // ws://host:port/ws
	rcvBuf     int    // SO_RCVBUF, set before connecting
	readBuffer int
	channels   []string
	symbols    []string
}

// stalledClient is one connected, subscribed, non-reading client.
type stalledClient struct {
	nc net.Conn
	br *bufio.Reader
	at int64 // when its subscription was answered, ns since the epoch
}

// maxStalledFrame bounds one frame the drain reads (a full book snapshot
// fits, as in feed/client).
const maxStalledFrame = 16 << 20

// dialStalled connects a client from local (zero: the kernel's choice),
// reads the welcome, subscribes and reads until the answer. The bytes
// after the answer stay unread.
func dialStalled(ctx context.Context, o *stalledOptions, local netip.Addr) (*stalledClient, error) {
	nd := &net.Dialer{Control: rcvBufControl(o.rcvBuf)}
	if local.IsValid() {
		nd.LocalAddr = &net.TCPAddr{IP: local.AsSlice()}
	}
	d := ws.Dialer{ReadBufferSize: o.readBuffer, Protocols: []string{wire.MsgPack.Subprotocol()}, NetDial: nd.DialContext}
	nc, br, hs, err := d.Dial(ctx, o.url)
	if err != nil {
		return nil, fmt.Errorf("stalled: dial %s: %w", o.url, err)
	}
	if hs.Protocol != wire.MsgPack.Subprotocol() {
		_ = nc.Close()
		return nil, fmt.Errorf("stalled: the server chose subprotocol %q", hs.Protocol)
	}
	if br == nil {
		br = bufio.NewReaderSize(nc, o.readBuffer)
	}
	s := &stalledClient{nc: nc, br: br}
	if err := s.subscribe(ctx, o); err != nil {
		_ = nc.Close()
		return nil, err
	}
	s.at = nowNS()
	return s, nil
}

// subscribe reads the welcome, sends the subscription and reads until its
// answer, all before ctx's deadline.
func (s *stalledClient) subscribe(ctx context.Context, o *stalledOptions) error {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(connTimeout)
	}
	_ = s.nc.SetDeadline(deadline)
	defer func() { _ = s.nc.SetDeadline(time.Time{}) }()
	var buf []byte
	h, err := s.nextMessage(&buf)
	if err != nil {
		return fmt.Errorf("stalled: reading the welcome: %w", err)
	}
	if h.Kind != wire.KindWelcome {
		return fmt.Errorf("stalled: the first message is %q, not welcome", h.T)
	}
	if len(o.channels) == 0 {
		return nil
	}
	op := wire.AppendOp(wire.MsgPack, nil, &wire.Subscribe{ID: wire.SomeID(1), Channels: o.channels, Symbols: o.symbols})
	f := ws.MaskFrameInPlace(ws.NewBinaryFrame(op))
	if err := ws.WriteFrame(s.nc, f); err != nil {
		return fmt.Errorf("stalled: sending the subscription: %w", err)
	}
	for {
		h, err := s.nextMessage(&buf)
		if err != nil {
			return fmt.Errorf("stalled: waiting for the subscription's answer: %w", err)
		}
		if h.ID.Valid && h.ID.Value == 1 {
			switch h.Kind {
			case wire.KindSubscribed:
				return nil
			case wire.KindError:
				return errors.New("stalled: the subscription was refused")
			}
		}
	}
}

// errCloseFrame is a close frame where a message was expected.
type errCloseFrame struct{ code int }

func (e errCloseFrame) Error() string { return fmt.Sprintf("close frame %d", e.code) }

// nextMessage reads frames until a data frame and returns its header,
// skipping control frames; a close frame is an errCloseFrame.
func (s *stalledClient) nextMessage(buf *[]byte) (wire.Header, error) {
	for {
		op, payload, err := s.frame(buf)
		if err != nil {
			return wire.Header{}, err
		}
		switch op {
		case ws.OpClose:
			return wire.Header{}, errCloseFrame{closeCode(payload)}
		case ws.OpBinary, ws.OpText, ws.OpContinuation:
			return wire.DecodeHeader(wire.MsgPack, payload)
		}
	}
}

// frame reads one frame into *buf and returns its opcode and payload.
func (s *stalledClient) frame(buf *[]byte) (ws.OpCode, []byte, error) {
	hd, err := ws.ReadHeader(s.br)
	if err != nil {
		return 0, nil, err
	}
	if hd.Length > maxStalledFrame {
		return 0, nil, fmt.Errorf("stalled: a frame of %d bytes", hd.Length)
	}
	if int64(cap(*buf)) < hd.Length {
		*buf = make([]byte, hd.Length)
	}
	p := (*buf)[:hd.Length]
	if _, err := io.ReadFull(s.br, p); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return 0, nil, err
	}
	if hd.Masked {
		ws.Cipher(p, hd.Mask, 0)
	}
	return hd.OpCode, p, nil
}

// closeCode is a close frame's status code; 1005 when it has none.
func closeCode(payload []byte) int {
	if len(payload) < 2 {
		return int(ws.StatusNoStatusRcvd)
	}
	code, _ := ws.ParseCloseFrameData(payload)
	return int(code)
}

// How a stalled client was found to have ended when it was read at the
// end of the run (stalledEnd.how): a close frame's code ("4008"), or one
// of these.
const (
	endEOF   = "eof"   // the TCP connection ended (FIN) without a close frame
	endReset = "reset" // reset (RST) or another read error, without a close frame
	endOpen  = "open"  // not cut: the server still sent it live data, or nothing at all
)

// stalledEnd is what the drain found on one stalled client.
type stalledEnd struct {
	how   string
	msgs  int64 // data messages read before the end
	bytes int64 // their payload bytes
}

// Drain bounds: a connection silent for drainIdle, or still sending after
// drainLimit, was not cut.
const (
	drainIdle  = 3 * time.Second
	drainLimit = 10 * time.Second
)

// drain reads what the server left on the connection, until a close
// frame, the connection's end, or a message the server stamped after
// since (ns since the epoch, when the drains began: the server still
// serves the client, so it was not cut), and then closes the connection.
func (s *stalledClient) drain(since int64) stalledEnd {
	defer s.nc.Close()
	var e stalledEnd
	var buf []byte
	limit := time.Now().Add(drainLimit)
	for {
		dl := time.Now().Add(drainIdle)
		if dl.After(limit) {
			dl = limit
		}
		_ = s.nc.SetReadDeadline(dl)
		op, p, err := s.frame(&buf)
		if err != nil {
			e.how = readEnd(err)
			return e
		}
		switch op {
		case ws.OpClose:
			e.how = strconv.Itoa(closeCode(p))
			return e
		case ws.OpBinary, ws.OpText, ws.OpContinuation:
			e.msgs++
			e.bytes += int64(len(p))
			if h, err := wire.DecodeHeader(wire.MsgPack, p); err == nil && h.Kind.Public() && h.Ts > since {
				e.how = endOpen
				return e
			}
		}
	}
}

// readEnd names a read error of the drain.
func readEnd(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return endEOF
	case errors.As(err, &ne) && ne.Timeout():
		return endOpen
	}
	return endReset // ECONNRESET mostly
}

// close closes the connection without reading it (a client whose drain
// was not reached).
func (s *stalledClient) close() { _ = s.nc.Close() }
