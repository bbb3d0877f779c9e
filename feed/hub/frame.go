package hub

import (
	"strconv"
	"sync/atomic"

	"github.com/tickcast/tickcast/feed/wire"
)

// Frame is one message encoded once for every transport and shared,
// read-only, by every subscriber that receives it: the complete WebSocket
// binary frame (msgpack), the complete WebSocket text frame (JSON), and,
// built on first use, the Server-Sent Events record. Never modify a Frame
// or its bytes once built: queues of many sessions point at it.
type Frame struct {
	Stream *Stream // nil for messages outside the public streams
	Type   string  // the message's t
	Seq    uint64
	Off    uint64
	TS     int64
	// Key is the conflation key: a newer frame with the same key may replace
	// this one in a queue. Zero for lossless frames.
	Key  uint64
	Bin  []byte // WebSocket binary frame: header and msgpack payload
	Text []byte // WebSocket text frame: header and JSON payload

	jsonAt int
	sse    atomic.Pointer[[]byte]
}

// JSON returns the frame's JSON payload (the text frame without its
// WebSocket header).
func (f *Frame) JSON() []byte { return f.Text[f.jsonAt:] }

// WS returns the WebSocket frame for a session speaking format fm.
func (f *Frame) WS(fm wire.Format) []byte {
	if fm == wire.JSON {
		return f.Text
	}
	return f.Bin
}

// Size is the frame's size in msgpack: its weight in a binary session's
// backlog.
func (f *Frame) Size() int { return len(f.Bin) }

// sizeFor is the frame's weight in the backlog of a subscriber of
// transport t: the bytes that subscriber is sent (an SSE record's computed
// without building it).
func (f *Frame) sizeFor(t Transport, epochLen int) int {
	switch t {
	case WSText:
		return len(f.Text)
	case SSE:
		return len("id: ") + epochLen + 1 + digits(f.Off) + len("\nevent: ") + len(f.Type) + len("\ndata: ") + len(f.Text) - f.jsonAt + 2
	}
	return len(f.Bin)
}

// digits is the number of decimal digits of n.
func digits(n uint64) int {
	d := 1
	for ; n >= 10; n /= 10 {
		d++
	}
	return d
}

// SSE returns the frame as one Server-Sent Events record of protocol.md 7.6:
// id "epoch:off", event t, data the JSON payload. It is built once, by the
// first SSE viewer that needs it.
func (f *Frame) SSE(epoch string) []byte {
	if p := f.sse.Load(); p != nil {
		return *p
	}
	b := AppendSSE(make([]byte, 0, len(f.Text)+len(epoch)+48), epoch, f.Off, f.Type, f.JSON())
	f.sse.Store(&b)
	return b
}

// AppendSSE appends one SSE record to dst. data must be one line (JSON
// from the wire encoders never contains a raw newline).
func AppendSSE(dst []byte, epoch string, off uint64, event string, data []byte) []byte {
	dst = append(dst, "id: "...)
	dst = append(dst, epoch...)
	dst = append(dst, ':')
	dst = strconv.AppendUint(dst, off, 10)
	dst = append(dst, '\n')
	return AppendSSEEvent(dst, event, data)
}

// AppendSSEEvent appends one SSE record without an id line (a reset, which
// has no offset of its own).
func AppendSSEEvent(dst []byte, event string, data []byte) []byte {
	dst = append(dst, "event: "...)
	dst = append(dst, event...)
	dst = append(dst, "\ndata: "...)
	dst = append(dst, data...)
	return append(dst, "\n\n"...)
}

// maxHeader is the largest server WebSocket frame header (no mask).
const maxHeader = 10

// Opcodes of the frames the hub builds.
const (
	opText   = 0x1
	opBinary = 0x2
)

// frameInPlace writes the header of an unfragmented, unmasked frame with
// opcode op before the payload buf[maxHeader:] and returns the frame.
func frameInPlace(buf []byte, op byte) []byte {
	n := len(buf) - maxHeader
	var h [maxHeader]byte
	h[0] = 0x80 | op
	hs := 2
	switch {
	case n < 126:
		h[1] = byte(n)
	case n < 1<<16:
		h[1] = 126
		h[2], h[3] = byte(n>>8), byte(n)
		hs = 4
	default:
		h[1] = 127
		for i := 0; i < 8; i++ {
			h[2+i] = byte(uint64(n) >> (56 - 8*i))
		}
		hs = 10
	}
	copy(buf[maxHeader-hs:], h[:hs])
	return buf[maxHeader-hs:]
}

// newFrame encodes a message outside the public streams (a reply, a private
// message, a snapshot) for every transport.
func newFrame(m wire.Message, t string) *Frame {
	f := &Frame{Type: t}
	f.Bin, f.Text, f.jsonAt = encodeBoth(m)
	return f
}

// encodeBoth builds both WebSocket frames of m. Each payload is appended
// after a gap of maxHeader bytes and the header written into the gap's end,
// so the payload is never copied.
//
// Both frames share one array, the text frame after the binary one: the
// frames of an event live and die together (in the queues, the history),
// and this runs for every event, so one allocation serves for two. The
// binary frame is capped at its end, so nothing appended to it can reach
// the text frame.
func encodeBoth(m wire.Message) (bin, text []byte, jsonAt int) {
	buf := m.AppendMsgpack(make([]byte, maxHeader, 2*maxHeader+160+224))
	bin = frameInPlace(buf, opBinary)
	bin = bin[:len(bin):len(bin)]
	var gap [maxHeader]byte
	jb := m.AppendJSON(append(buf[len(buf):], gap[:]...))
	n := len(jb) - maxHeader
	text = frameInPlace(jb, opText)
	return bin, text, len(text) - n
}

// Single encodes m in one format only, as a complete WebSocket frame: for
// replies addressed to one session.
func Single(fm wire.Format, m wire.Message) []byte {
	buf := make([]byte, maxHeader, maxHeader+128)
	if fm == wire.JSON {
		return frameInPlace(m.AppendJSON(buf), opText)
	}
	return frameInPlace(m.AppendMsgpack(buf), opBinary)
}
