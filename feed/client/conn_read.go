package client

import (
	"encoding/binary"
	"io"
	"slices"
	"time"

	"github.com/gobwas/ws"
)

// next returns the next data message. Control frames met on the way are
// handled: pings answered, pongs ignored, a close frame echoed and
// returned as *closedByServer. The result is valid until the next call.
func (cn *conn) next() ([]byte, error) {
	for {
		cn.pushDeadline()
		hdr, err := cn.rd.NextFrame()
		if err != nil {
			return nil, err
		}
		if hdr.OpCode.IsControl() {
			if err := cn.control(hdr, &cn.rd); err != nil {
				return nil, err
			}
			continue
		}
		return cn.payload(hdr)
	}
}

// pushDeadline moves the read deadline forward, at most a few times per
// timeout period rather than on every frame.
func (cn *conn) pushDeadline() {
	if cn.readTimeout <= 0 {
		return
	}
	now := time.Now()
	if now.Sub(cn.deadlineAt) < cn.readTimeout/8 {
		return
	}
	cn.deadlineAt = now
	_ = cn.nc.SetReadDeadline(now.Add(cn.readTimeout))
}

// payload reads a whole (possibly fragmented) data message into cn.buf.
func (cn *conn) payload(hdr ws.Header) ([]byte, error) {
	buf := cn.buf[:0]
	if int64(cap(buf)) < hdr.Length {
		buf = make([]byte, 0, hdr.Length)
	}
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, max(512, cap(buf)))
		}
		n, err := cn.rd.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if cap(buf) <= keepBuf {
		cn.buf = buf
	} else {
		cn.buf = nil
	}
	return buf, nil
}

// intermediate handles a control frame in the middle of a fragmented
// message (wsutil.Reader.OnIntermediate).
func (cn *conn) intermediate(hdr ws.Header, r io.Reader) error {
	return cn.control(hdr, r)
}

// control handles one control frame whose payload is read from r.
func (cn *conn) control(hdr ws.Header, r io.Reader) error {
	p := cn.ctrl[:hdr.Length] // CheckHeader bounded it to 125 bytes
	if _, err := io.ReadFull(r, p); err != nil {
		return err
	}
	switch hdr.OpCode {
	case ws.OpPing:
		return cn.write(ws.OpPong, func(dst []byte) []byte { return append(dst, p...) })
	case ws.OpClose:
		info := CloseInfo{Code: 1005, Remote: true}
		if len(p) >= 2 {
			info.Code = int(binary.BigEndian.Uint16(p))
			info.Reason = string(p[2:])
		}
		// Echo the code (RFC 6455 5.5.1); nothing more will be written.
		_ = cn.writeClose(info.Code, "")
		return &closedByServer{info: info}
	}
	return nil // pong
}
