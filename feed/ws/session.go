package ws

import (
	"context"
	"errors"
	"io"
	"math"
	"net"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"

	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/internal/sockopt"
	"github.com/tickcast/tickcast/market"
)

// session is one WebSocket connection.
//
// An idle session costs little: its reader goroutine waits in a read on
// the bare TCP connection (fasthttp's request context and read buffer are
// released at the upgrade), and it has no writer goroutine: the queue
// starts one when something is to be written, and it exits after a second
// with nothing to do. The heartbeat is a runtime timer.
type session struct {
	srv    *Server
	cfg    *Config
	src    source   // what the client sends: the frame reader's input
	raw    net.Conn // the TCP connection itself: deadlines, vectored writes, kill
	format wire.Format
	ip     string
	sub    *hub.Sub
	rd     wsutil.Reader // kept here, not on the reader's stack: an idle session's stack stays small

	// Owned by the reader goroutine.
	account   string
	malformed int
	ops       opBucket
	pollID    int32 // its id in the server's readPoller once it trades; 0: not yet, -1: not watchable

	// Operations counted as waiting for the venue (inflight.go): changed
	// under chargeMu, read by the reader without it.
	inflight atomic.Int32
	chargeMu sync.Mutex
	ipSlot   *inflightSlot // the address's count, once the session has had an operation counted
	acctSlot *inflightSlot // the account's, likewise
	ended    bool          // the session has ended and left the hub
	released bool          // its slots are released: nothing counts any more
	giveUp   *time.Timer   // releases them if answers never come

	wbuf      net.Buffers                // the writer's scratch header for WriteTo
	deadline  time.Time                  // the write deadline last set (writer only)
	cutShort  atomic.Bool                // the deadline was cut short on overflow: set it afresh
	snd       *sockopt.Sender            // the bounded send buffer, watched when the client falls behind
	lookEvery int                        // bytes between two looks at the send buffer, and the most one write sends
	unchecked int                        // bytes written since the send buffer was last looked at (writer only)
	hot       bool                       // the last look found a quarter of the buffer taken: look before every write
	pend      net.Buffers                // the rest of a batch held back while the client is backed up (writer only)
	writing   atomic.Bool                // a writer runs: a goroutine of the session's, or the pool (waiting or visiting)
	pool      poolState                  // its place in the writer pool; the pool's lock guards it
	beat      atomic.Pointer[time.Timer] // sends the next heartbeat ping; read by its own callback

	closeOnce sync.Once
	closing   chan struct{} // closed when the session starts closing
	closeCode ws.StatusCode
	closeMsg  string
	closed    chan struct{} // closed by the writer once the close frame is dealt with

	throttled atomic.Int64 // consecutive answers refused by the rate limit
	lastRead  atomic.Int64 // unix ns when the reader last armed the idle deadline

	rttMu   sync.Mutex
	pending map[int64]time.Time // order operations awaiting their first reply
}

// newSession makes the session of TCP connection raw; prefix holds what
// the client sent after the upgrade request that fasthttp had already read.
func newSession(srv *Server, raw net.Conn, prefix []byte, format wire.Format, ip string) *session {
	s := &session{
		srv: srv, cfg: &srv.cfg, src: source{prefix: prefix, conn: raw}, raw: raw, format: format, ip: ip,
		closing: make(chan struct{}), closed: make(chan struct{}),
	}
	s.sub = srv.cfg.Hub.NewSub(transportOf(format), srv.cfg.Backlog)
	s.sub.Answered = s.answered
	s.sub.Completed = s.completed
	s.sub.Outstanding = s.outstanding
	s.sub.Remote = raw.RemoteAddr().String()
	s.sub.Q.SetWaker(s.kick)
	s.sub.Q.SetOnOverflow(s.overflowed)
	s.sub.Q.SetUrgent(s.urgent)
	s.snd = sockopt.NewSender(raw, srv.cfg.SendBuffer)
	s.lookEvery = math.MaxInt
	if srv.cfg.SendBuffer > 0 {
		s.lookEvery = max(srv.cfg.SendBuffer/8, 4096)
	} else {
		s.snd = nil
	}
	return s
}

// overflowed runs when the session's backlog passes its limits: a write
// blocked on a full socket (a client that stopped reading) gets closeWait
// more, not the rest of the write timeout, so that the cut comes within the
// backlog budget. A write that completes meanwhile is not harmed: the next
// one sets its deadline afresh.
func (s *session) overflowed() {
	s.cutShort.Store(true)
	_ = s.raw.SetWriteDeadline(time.Now().Add(closeWait))
}

// kick starts the writer unless one runs.
func (s *session) kick() {
	if s.writing.CompareAndSwap(false, true) {
		s.handOff()
	}
}

// handOff gives the writing, whose flag the caller holds, to the server's
// writer pool, or to a writer goroutine of the session's own when there is
// no pool, the session is closing or its queue overflowed (the close
// frame is writeLoop's) or its connection is no socket on which a write can be tried without waiting
// (the pool's writes are non-blocking writevs).
func (s *session) handOff() {
	if p := s.srv.writers(); p != nil && s.snd.CanTryWritev() && !s.isClosing() && !s.sub.Q.Overflowed() {
		p.add(s)
		return
	}
	go s.writeLoop()
}

// heartbeat queues a ping and arms the next one. A ping due when the
// client has been silent for most of the idle limit (three heartbeats) is
// skipped: the idle close is a moment away, and the two would race. A
// silent client so gets exactly two pings, then close 1001.
func (s *session) heartbeat() {
	if s.isClosing() {
		return
	}
	if silent := time.Since(time.Unix(0, s.lastRead.Load())); silent < 3*s.cfg.Heartbeat-s.cfg.Heartbeat/2 {
		s.sub.Q.PushOwn(pingFrame)
	}
	if t := s.beat.Load(); t != nil {
		t.Reset(s.cfg.Heartbeat)
	}
}

// run serves the session until it ends, on the calling goroutine.
func (s *session) run() {
	if s.start() {
		s.read()
	}
}

// start registers the session with the hub and queues the welcome; false
// if the hub is gone (the connection is then closed). It runs on the
// hijack goroutine, so that this deep work does not grow the stack of the
// reader, which idles for the life of the connection.
func (s *session) start() bool {
	s.cfg.Metrics.Connected(1)
	if err := s.cfg.Hub.Add(s.srv.ctx, s.sub); err != nil {
		s.cfg.Metrics.Connected(-1)
		s.kill()
		return false
	}
	s.reply(&wire.Welcome{V: 1, Epoch: s.cfg.Hub.Epoch(), ServerTime: time.Now().UnixNano(),
		HeartbeatMS: uint64(s.cfg.Heartbeat / time.Millisecond), MaxMsg: uint64(s.cfg.MaxMessage)})
	s.lastRead.Store(time.Now().UnixNano())
	t := time.AfterFunc(time.Duration(math.MaxInt64), s.heartbeat) // armed below, once its callback can see it
	s.beat.Store(t)
	t.Reset(s.cfg.Heartbeat)
	return true
}

// read is the session's reader until the session ends.
func (s *session) read() {
	defer s.cfg.Metrics.Connected(-1)
	defer s.kill() // fasthttp keeps hijacked connections: closing it is ours
	defer func() {
		// Last resort: message handling panics are recovered in safeHandle;
		// this catches the rest. The writer still sends 1011 before the
		// connection is cut, and the session leaves the hub.
		if p := recover(); p != nil {
			s.cfg.Logger.Error("ws: session panic", "panic", p, "ip", s.ip, "stack", string(debug.Stack()))
			s.end(ws.StatusInternalServerError)
		}
	}()
	s.end(s.readLoop())
}

// end closes the session with code once reading has stopped: the close
// frame, then the hub and the venue are told.
func (s *session) end(code ws.StatusCode) {
	if t := s.beat.Load(); t != nil {
		t.Stop()
	}
	s.srv.reads.forget(s)
	s.shut(code, closeReason(code))
	<-s.closed
	s.cleanup()
	s.cfg.Metrics.Closed(int(s.closeCode))
}

// cleanup takes the session off the hub and tells the venue it is gone.
func (s *session) cleanup() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// At shutdown the hub and the venue stop before the transports: a
	// session ending then has nothing to be taken off.
	err := s.cfg.Hub.Remove(ctx, s.sub)
	if err != nil && !errors.Is(err, hub.ErrStopped) {
		s.cfg.Logger.Warn("ws: hub remove", "err", err)
	}
	// What it has in flight counts against its account and address until
	// the venue answers it (the hub, once it ran Remove, still completes
	// the answers), unless no hub is left to route them.
	defer s.settle(err == nil)
	s.sub.Q.Close()
	if s.account != "" {
		if err := s.cfg.Venue.Detach(ctx, s.sub.ID, s.account); err != nil && !errors.Is(err, market.ErrStopped) {
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
		s.kick() // a writer sends the close frame
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
	s.rd = wsutil.Reader{
		Source:         &s.src,
		State:          ws.StateServerSide,
		CheckUTF8:      true,
		MaxFrameSize:   int64(s.cfg.MaxMessage),
		MaxMessageSize: int64(s.cfg.MaxMessage),
		OnIntermediate: s.control,
	}
	rd := &s.rd
	idle := 3 * s.cfg.Heartbeat
	var msg []byte
	for {
		if !s.isClosing() {
			now := time.Now()
			s.lastRead.Store(now.UnixNano())
			_ = s.src.setDeadline(now.Add(idle))
			if s.isClosing() { // the writer may have shortened it meanwhile
				_ = s.src.setDeadline(time.Now().Add(closeWait))
			}
		}
		s.pace()
		if err := s.src.await(); err != nil {
			return s.readError(err)
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
			msg = nil
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
			if !clientCloseCode(code) {
				return ws.ErrProtocolStatusCodeUnknown
			}
			if !utf8.ValidString(reason) {
				return ws.ErrProtocolInvalidUTF8
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

// clientCloseCode reports whether a client may send code in a close frame
// (RFC 6455 7.4 and the IANA registry): 1000-1003 and 1007-1014 are
// defined, 3000-4999 belong to libraries and applications. Everything else
// (unused below 1000, reserved 1004-1006 and 1015, unassigned 1016-2999,
// and nothing at all from 5000, which gobwas lets through) is a protocol
// error.
func clientCloseCode(code ws.StatusCode) bool {
	return code >= 1000 && code <= 1003 || code >= 1007 && code <= 1014 || code >= 3000 && code <= 4999
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

// Close codes of protocol.md 9.2 that gobwas/ws does not name.
const (
	// StatusTryAgainLater: the server is at its connection limit.
	StatusTryAgainLater ws.StatusCode = 1013
	// StatusSlowConsumer: the session's lossless backlog passed the limit.
	StatusSlowConsumer ws.StatusCode = 4008
)

// answered is called by the hub when it queues the first reply to one of
// this session's operations: it measures the round trip, and closes with
// 1008 a session that keeps sending orders the rate limit refuses
// (protocol.md 8.8, 9.2: abuse of rate limits).
func (s *session) answered(a hub.Answer) {
	if a.Throttled {
		if s.throttled.Add(1) > int64(s.cfg.RateLimitBudget) {
			s.shut(ws.StatusPolicyViolation, "order rate limit abused")
		}
	} else {
		s.throttled.Store(0)
	}
	if !a.HasID {
		return
	}
	s.rttMu.Lock()
	t0, ok := s.pending[a.ID]
	if ok {
		delete(s.pending, a.ID)
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
