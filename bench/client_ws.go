package bench

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/tickcast/tickcast/feed/client"
	"github.com/tickcast/tickcast/feed/wire"
)

// conns counts a kind's connections for progress and the report.
type conns struct {
	up       atomic.Int64 // connected now
	failed   atomic.Int64 // first connection attempts that failed
	stopping atomic.Bool  // set before the worker closes its clients
	// armed is set before the server is told to stop: from then on a
	// stream's end is recorded (streamEnd), not counted as a disconnect,
	// and not followed by a reconnect.
	armed atomic.Bool
}

// disconnects counts connections that ended, by close code, until the
// worker stops.
type disconnects struct {
	mu sync.Mutex
	by map[string]int64
}

func (d *disconnects) add(code string) {
	d.mu.Lock()
	if d.by == nil {
		d.by = map[string]int64{}
	}
	d.by[code]++
	d.mu.Unlock()
}

// total returns the number of disconnects of every code.
func (d *disconnects) total() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	var n int64
	for _, v := range d.by {
		n += v
	}
	return n
}

// snapshot returns a copy of the counts.
func (d *disconnects) snapshot() map[string]int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make(map[string]int64, len(d.by))
	for k, v := range d.by {
		out[k] = v
	}
	return out
}

// wsClient is one WebSocket subscriber: a feed/client Client whose
// OnMessage fast path (raw bytes and the zero-allocation header) feeds the
// recorder.
type wsClient struct {
	rec   *recorder
	c     *client.Client
	cn    *conns
	disc  *disconnects
	mu    sync.Mutex
	up    bool
	quiet bool // closed by the bench itself: count no disconnect
	end   streamEnd
}

// wsOptions is what every WebSocket client of a worker shares.
type wsOptions struct {
	url        string
	readBuffer int
	books      bool
	channels   []string
	symbols    []string
}

// dialWS connects a subscriber from local (zero: the kernel's choice) and
// subscribes it.
func dialWS(ctx context.Context, o *wsOptions, rec *recorder, cn *conns, disc *disconnects, local netip.Addr) (*wsClient, error) {
	wc := &wsClient{rec: rec, cn: cn, disc: disc}
	cfg := client.Config{
		URL:            o.url,
		Format:         wire.MsgPack,
		ReadBufferSize: o.readBuffer,
		NoBooks:        !o.books,
		OnMessage:      func(_ []byte, h wire.Header) { rec.observe(&h, nowNS()) },
		OnState:        wc.onState,
		Reconnect: client.Reconnect{ShouldReconnect: func(ci client.CloseInfo) bool {
			return !cn.armed.Load() && client.DefaultShouldReconnect(ci)
		}},
	}
	if local.IsValid() {
		cfg.LocalAddr = &net.TCPAddr{IP: local.AsSlice()}
	}
	c, err := client.Dial(ctx, cfg)
	if err != nil {
		return nil, err
	}
	wc.c = c
	if len(o.channels) > 0 {
		if _, err := c.Subscribe(ctx, o.channels, o.symbols); err != nil {
			wc.mu.Lock()
			wc.quiet = true // this close is ours, not a disconnect
			wc.mu.Unlock()
			wc.close()
			return nil, err
		}
	}
	return wc, nil
}

// onState keeps the up count and counts disconnects by close code; the
// client's own Close at the end of the run is not one. Once the server is
// about to be told to stop, it records the end instead: clean with the
// close frame of a server going away (1001).
func (wc *wsClient) onState(ev client.StateEvent) {
	wc.mu.Lock()
	defer wc.mu.Unlock()
	switch ev.State {
	case client.StateConnected:
		if !wc.up {
			wc.up = true
			wc.cn.up.Add(1)
		}
	case client.StateDisconnected, client.StateClosed:
		if wc.up {
			wc.up = false
			wc.cn.up.Add(-1)
			switch {
			case wc.quiet || wc.cn.stopping.Load():
			case wc.cn.armed.Load():
				if wc.end.open {
					wc.end.at, wc.end.clean = nowNS(), ev.Close.Remote && ev.Close.Code == 1001
				}
			default:
				wc.disc.add(strconv.Itoa(ev.Close.Code))
			}
		}
	}
}

// gaps returns the gaps the client and the recorder found. feed/client
// resyncs a lossless stream on a gap (the server replays what was
// missed), so OnMessage sees a continuous stream and the gap shows only
// in its Stats; a reset (history expired) is counted as a gap too.
func (wc *wsClient) gaps() int64 {
	st := wc.c.Stats()
	return wc.rec.gaps.Load() + int64(st.Gaps+st.Resets)
}

// markOpen notes whether the connection is up as the server is about to
// be told to stop: only such a connection's end is measured.
func (wc *wsClient) markOpen() {
	wc.mu.Lock()
	wc.end.open = wc.up
	wc.mu.Unlock()
}

// ended returns how the connection ended after the server was told to
// stop.
func (wc *wsClient) ended() streamEnd {
	wc.mu.Lock()
	defer wc.mu.Unlock()
	return wc.end
}

// close ends the connection with a normal close and waits for the
// client's goroutine.
func (wc *wsClient) close() { _ = wc.c.Close() }
