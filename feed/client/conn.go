package client

import (
	"bufio"
	"net"
	"sync"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	"github.com/tickcast/tickcast/feed/wire"
)

// conn is one WebSocket connection. Its reading side belongs to the
// client's goroutine; its writing side is shared under wmu.
type conn struct {
	nc      net.Conn
	br      *bufio.Reader
	pooled  bool // br came from gobwas's pool
	rd      wsutil.Reader
	format  wire.Format
	welcome wire.Welcome

	// Reading side (client goroutine only).
	buf         []byte                              // current message
	ctrl        [ws.MaxControlFramePayloadSize]byte // control frame payload
	readTimeout time.Duration
	deadlineAt  time.Time // when the read deadline was last pushed

	// Writing side.
	wmu          sync.Mutex
	wbuf         []byte
	wclosed      bool // a close frame was sent or the conn failed
	writeTimeout time.Duration
	maxOut       int // server's max_msg
}

// keepBuf is the largest message buffer kept between messages: enough
// for trades, quotes and deltas; a larger one (a book snapshot) is dropped
// after use so that many idle connections stay small.
const keepBuf = 4 << 10

// newConn wraps a connection after a successful handshake.
func newConn(nc net.Conn, br *bufio.Reader, cfg *Config) *conn {
	cn := &conn{nc: nc, br: br, format: cfg.Format, writeTimeout: cfg.WriteTimeout, maxOut: wire.MaxMessage}
	if br == nil {
		cn.br = bufio.NewReaderSize(nc, cfg.ReadBufferSize)
	} else {
		cn.pooled = true
	}
	cn.rd = wsutil.Reader{
		Source:         cn.br,
		State:          ws.StateClientSide,
		MaxFrameSize:   cfg.MaxMessageSize,
		MaxMessageSize: cfg.MaxMessageSize,
		OnIntermediate: cn.intermediate,
	}
	return cn
}

// close closes the network connection and returns a pooled buffer.
func (cn *conn) close() {
	cn.wmu.Lock()
	cn.wclosed = true
	cn.wmu.Unlock()
	_ = cn.nc.Close()
	if cn.pooled {
		ws.PutReader(cn.br)
		cn.pooled = false
	}
	cn.br = nil
	cn.buf = nil
}
