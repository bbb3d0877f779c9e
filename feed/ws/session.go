package ws

import (
	"context"
	"errors"
	"io"
	"net"
	"runtime/debug"
	"sync"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"

	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/feed/wire"
)

// session is one WebSocket connection.
type session struct {
	srv    *Server
	cfg    *Config
	conn   net.Conn // reads go through fasthttp's buffer: bytes sent with the upgrade are not lost
	raw    net.Conn // the TCP connection itself: deadlines, vectored writes, kill
	format wire.Format
	ip     string
	sub    *hub.Sub
	ctx    context.Context
	cancel context.CancelFunc

	// Owned by the reader goroutine.
	account   string
	malformed int

	wbuf net.Buffers // the writer's scratch header for WriteTo

	closeOnce  sync.Once
	closing    chan struct{} // closed when the session starts closing
	closeCode  ws.StatusCode
	closeMsg   string
	writerDone chan struct{}

	rttMu   sync.Mutex
	pending map[int64]time.Time // order operations awaiting their first reply
}

func newSession(srv *Server, c net.Conn, format wire.Format, ip string) *session {
	raw := c
	if u, ok := c.(interface{ UnsafeConn() net.Conn }); ok {
		raw = u.UnsafeConn()
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &session{
		srv: srv, cfg: &srv.cfg, conn: c, raw: raw, format: format, ip: ip,
		ctx: ctx, cancel: cancel,
		closing: make(chan struct{}), writerDone: make(chan struct{}),
	}
	s.sub = hub.NewSub(transportOf(format), srv.cfg.Backlog)
	s.sub.Answered = s.answered
	return s
}

// run serves the session until it ends; it is the reader.
func (s *session) run() {
	m := s.cfg.Metrics
	m.Connected(1)
	defer m.Connected(-1)
	defer s.cancel()
	writing := false
	defer func() {
		// Last resort: message handling panics are recovered in safeHandle;
		// this catches the rest. The writer, if it runs, still sends 1011
		// before the connection is cut, and the session leaves the hub.
		if p := recover(); p != nil {
			s.cfg.Logger.Error("ws: session panic", "panic", p, "ip", s.ip, "stack", string(debug.Stack()))
			s.shut(ws.StatusInternalServerError, "internal error")
			if writing {
				<-s.writerDone
			}
			s.kill()
			s.cleanup()
			m.Closed(int(s.closeCode))
		}
	}()
	if err := s.cfg.Hub.Add(s.ctx, s.sub); err != nil {
		return
	}
	s.reply(&wire.Welcome{V: 1, Epoch: s.cfg.Hub.Epoch(), ServerTime: time.Now().UnixNano(),
		HeartbeatMS: uint64(s.cfg.Heartbeat / time.Millisecond), MaxMsg: uint64(s.cfg.MaxMessage)})
	go s.writeLoop()
	writing = true
	code := s.readLoop()
	s.shut(code, closeReason(code))
	<-s.writerDone
	s.cleanup()
	m.Closed(int(s.closeCode))
}

// cleanup takes the session off the hub and tells the venue it is gone.
func (s *session) cleanup() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.cfg.Hub.Remove(ctx, s.sub); err != nil {
		s.cfg.Logger.Warn("ws: hub remove", "err", err)
	}
	s.sub.Q.Close()
	if s.account != "" {
		if err := s.cfg.Venue.Detach(ctx, s.sub.ID, s.account); err != nil {
			s.cfg.Logger.Warn("ws: venue detach", "err", err, "account", s.account)
		}
	}
}

// shut starts closing the session with code: the writer sends the close
// frame after the write in progress, and the connection ends.
//
// The write in progress gets at most closeWait more: to a client that has
// stopped reading it would otherwise block the writer for the whole
// WriteTimeout, and Server.Shutdown with it (past its 5 s). write sets
// the same bound on a write that starts after this.
func (s *session) shut(code ws.StatusCode, reason string) {
	s.closeOnce.Do(func() {
		s.closeCode, s.closeMsg = code, reason
		close(s.closing)
		_ = s.raw.SetWriteDeadline(time.Now().Add(closeWait))
	})
}

// closeWait bounds what a closing session still writes (the rest of a
// batch, the close frame) and how long it waits for the client's close.
const closeWait = time.Second

// kill cuts the connection at once.
func (s *session) kill() { _ = s.raw.Close() }

func (s *session) isClosing() bool {
	select {
	case <-s.closing:
		return true
	default:
		return false
	}
}

// errPeerClosed ends the read loop after the client's close frame.
var errPeerClosed = errors.New("ws: peer closed")

// readLoop reads frames until the connection ends and returns the close
// code the session ends with.
func (s *session) readLoop() ws.StatusCode {
	rd := &wsutil.Reader{
		Source:         s.conn,
		State:          ws.StateServerSide,
		CheckUTF8:      true,
		MaxFrameSize:   int64(s.cfg.MaxMessage),
		MaxMessageSize: int64(s.cfg.MaxMessage),
		OnIntermediate: s.control,
	}
	idle := 3 * s.cfg.Heartbeat
	msg := make([]byte, 0, 256)
	for {
		if !s.isClosing() {
			_ = s.raw.SetReadDeadline(time.Now().Add(idle))
			if s.isClosing() { // the writer may have shortened it meanwhile
				_ = s.raw.SetReadDeadline(time.Now().Add(closeWait))
			}
		}
		h, err := rd.NextFrame()
		if err != nil {
			return s.readError(err)
		}
		if h.OpCode.IsControl() {
			if err := s.control(h, rd); err != nil {
				return s.readError(err)
			}
			continue
		}
		if (h.OpCode == ws.OpText) != (s.format == wire.JSON) {
			return ws.StatusUnsupportedData
		}
		msg, err = readMessage(rd, msg[:0])
		if err != nil {
			return s.readError(err)
		}
		if !s.isClosing() {
			if code := s.safeHandle(msg); code != 0 {
				return code
			}
		}
		if cap(msg) > 4096 { // do not keep a big buffer for an idle session
			msg = make([]byte, 0, 256)
		}
	}
}

// safeHandle carries out one message, turning a panic (in the venue, the
// hub or the decoder) into close code 1011 for this session alone. The
// panic is recovered here, in the read loop, so that the session then ends
// the ordinary way: the writer sends the close frame, the session leaves
// the hub and the venue learns it is gone (cancel_on_disconnect).
func (s *session) safeHandle(msg []byte) (code ws.StatusCode) {
	defer func() {
		if p := recover(); p != nil {
			s.cfg.Logger.Error("ws: panic handling a message", "panic", p, "ip", s.ip, "stack", string(debug.Stack()))
			code = ws.StatusInternalServerError
		}
	}()
	s.handle(msg)
	return 0
}

// readMessage reads the rest of the current message (its later fragments
// included) into dst.
func readMessage(rd *wsutil.Reader, dst []byte) ([]byte, error) {
	for {
		if len(dst) == cap(dst) {
			dst = append(dst, 0)[:len(dst)]
		}
		n, err := rd.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+n]
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst, err
		}
	}
}

// readError maps why reading stopped to the close code to send.
func (s *session) readError(err error) ws.StatusCode {
	var pe ws.ProtocolError
	var ne net.Error
	switch {
	case errors.Is(err, errPeerClosed):
		return s.closeCode
	case errors.As(err, &pe):
		return ws.StatusProtocolError
	case errors.Is(err, ws.ErrHeaderLengthMSB), errors.Is(err, ws.ErrHeaderLengthUnexpected):
		// gobwas reports a 64-bit length with its top bit set (RFC 6455
		// 5.2) as a plain error, not a ProtocolError: it is one all the
		// same, and without this the client got no close frame at all.
		return ws.StatusProtocolError
	case errors.Is(err, wsutil.ErrFrameTooLarge), errors.Is(err, wsutil.ErrMessageTooLarge):
		return ws.StatusMessageTooBig
	case errors.Is(err, wsutil.ErrInvalidUTF8):
		return ws.StatusInvalidFramePayloadData
	case s.isClosing():
		return s.closeCode
	case errors.As(err, &ne) && ne.Timeout():
		return ws.StatusGoingAway // nothing heard for three heartbeats
	}
	return ws.StatusAbnormalClosure // gone without a close frame; never sent
}

// control handles a control frame: ping is answered through the writer,
// close is answered and ends the session.
func (s *session) control(h ws.Header, r io.Reader) error {
	payload := make([]byte, h.Length)
	if _, err := io.ReadFull(r, payload); err != nil {
		return err
	}
	switch h.OpCode {
	case ws.OpPing:
		s.sub.Q.PushOwn(ws.MustCompileFrame(ws.NewPongFrame(payload)))
	case ws.OpClose:
		if len(payload) == 1 { // a code is two bytes
			return ws.ErrProtocolControlPayloadOverflow
		}
		code, reason := ws.ParseCloseFrameData(payload)
		if len(payload) > 0 {
			if err := ws.CheckCloseFrameData(code, reason); err != nil {
				return err
			}
		}
		if code == 0 {
			code = ws.StatusNormalClosure
		}
		s.shut(code, "")
		return errPeerClosed
	}
	return nil
}

// reply queues a message for this session alone.
func (s *session) reply(m wire.Message) {
	s.sub.Q.PushOwn(hub.Single(s.format, m))
}

// closeReason is the text sent with a close code.
func closeReason(code ws.StatusCode) string {
	switch code {
	case ws.StatusNormalClosure:
		return "bye"
	case ws.StatusGoingAway:
		return "going away"
	case ws.StatusProtocolError:
		return "protocol error"
	case ws.StatusUnsupportedData:
		return "wrong frame type for the subprotocol"
	case ws.StatusInvalidFramePayloadData:
		return "invalid UTF-8"
	case ws.StatusPolicyViolation:
		return "too many malformed messages"
	case ws.StatusMessageTooBig:
		return "message too big"
	case ws.StatusInternalServerError:
		return "internal error"
	case StatusTryAgainLater:
		return "server at its connection limit"
	case StatusSlowConsumer:
		return "slow consumer: resume with since"
	}
	return ""
}

// Close codes of PROTOCOL 4.6 that gobwas/ws does not name.
const (
	// StatusTryAgainLater: the server is at its connection limit.
	StatusTryAgainLater ws.StatusCode = 1013
	// StatusSlowConsumer: the session's lossless backlog passed the limit.
	StatusSlowConsumer ws.StatusCode = 4008
)

// answered is called by the hub when it queues a reply carrying an
// operation id.
func (s *session) answered(id int64) {
	s.rttMu.Lock()
	t0, ok := s.pending[id]
	if ok {
		delete(s.pending, id)
	}
	s.rttMu.Unlock()
	if ok {
		s.cfg.Metrics.OrderRoundTrip(time.Since(t0))
	}
}

// expect notes that an order operation with id awaits its reply.
func (s *session) expect(id wire.ID) {
	if !id.Valid {
		return
	}
	s.rttMu.Lock()
	if s.pending == nil {
		s.pending = map[int64]time.Time{}
	}
	if len(s.pending) < 1024 {
		s.pending[int64(id.Value)] = time.Now()
	}
	s.rttMu.Unlock()
}
