package client

import (
	"encoding/binary"
	"time"

	"github.com/gobwas/ws"
	"github.com/tickcast/tickcast/feed/wire"
)

// hdrRoom is the space reserved in front of a payload for the largest
// frame header, so that header and masked payload go out in one write.
const hdrRoom = ws.MaxHeaderSize

// keepWBuf is the largest write buffer kept between writes.
const keepWBuf = 4096

// send writes one operation as a data frame.
func (cn *conn) send(op wire.Op) error {
	opcode := ws.OpBinary
	if cn.format == wire.JSON {
		opcode = ws.OpText
	}
	return cn.write(opcode, func(dst []byte) []byte { return wire.AppendOp(cn.format, dst, op) })
}

// writeClose sends a close frame and marks the writing side closed.
func (cn *conn) writeClose(code int, reason string) error {
	err := cn.write(ws.OpClose, func(dst []byte) []byte {
		if code == 1005 || code == CloseCodeAbnormal {
			return dst // codes that must not be sent: empty close frame
		}
		dst = binary.BigEndian.AppendUint16(dst, uint16(code))
		return append(dst, reason...)
	})
	cn.wmu.Lock()
	cn.wclosed = true
	cn.wmu.Unlock()
	return err
}

// write builds one masked frame with the payload appended by fill and
// writes it in a single call, under the write lock.
func (cn *conn) write(op ws.OpCode, fill func(dst []byte) []byte) error {
	cn.wmu.Lock()
	defer cn.wmu.Unlock()
	if cn.wclosed {
		return ErrNotConnected
	}
	if cap(cn.wbuf) < hdrRoom {
		cn.wbuf = make([]byte, 0, 256)
	}
	b := fill(cn.wbuf[:hdrRoom])
	payload := b[hdrRoom:]
	if !op.IsControl() && len(payload) > cn.maxOut {
		return ErrTooLarge
	}
	mask := ws.NewMask()
	start := hdrRoom - putHeader(b[:hdrRoom], op, len(payload), mask)
	ws.Cipher(payload, mask, 0)
	if cn.writeTimeout > 0 {
		_ = cn.nc.SetWriteDeadline(time.Now().Add(cn.writeTimeout))
	}
	_, err := cn.nc.Write(b[start:])
	if cap(b) <= keepWBuf {
		cn.wbuf = b[:0]
	} else {
		cn.wbuf = nil
	}
	if err != nil {
		cn.wclosed = true
	}
	return err
}

// putHeader writes a final, masked frame header right-aligned at the end
// of room and returns its length.
func putHeader(room []byte, op ws.OpCode, n int, mask [4]byte) int {
	var h [ws.MaxHeaderSize]byte
	h[0] = 0x80 | byte(op)
	k := 2
	switch {
	case n < 126:
		h[1] = byte(n)
	case n <= 0xffff:
		h[1] = 126
		binary.BigEndian.PutUint16(h[2:], uint16(n))
		k = 4
	default:
		h[1] = 127
		binary.BigEndian.PutUint64(h[2:], uint64(n))
		k = 10
	}
	h[1] |= 0x80
	k += copy(h[k:], mask[:])
	copy(room[len(room)-k:], h[:k])
	return k
}
