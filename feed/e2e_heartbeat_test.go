package feed_test

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/gobwas/ws"

	"github.com/tickcast/tickcast/feed/wire"
	wsfeed "github.com/tickcast/tickcast/feed/ws"
)

// TestE2EHeartbeat (protocol.md 2.3) with a 100 ms heartbeat: the server pings
// every interval and announces it in the welcome; a client that answers
// the pings, or sends application pings, stays connected; a silent one is
// closed after three intervals with nothing heard.
func TestE2EHeartbeat(t *testing.T) {
	const beat = 100 * time.Millisecond
	ts := startServer(t, withoutSim(), withWS(func(c *wsfeed.Config) { c.Heartbeat = beat }))

	t0 := time.Now() // before the server starts its idle clock
	silent := ts.rawDial(t, "tickcast.v1.json", rawOpts{})
	if silent.welcome.HeartbeatMS != 100 {
		t.Fatalf("welcome heartbeat_ms %d", silent.welcome.HeartbeatMS)
	}
	ponger := ts.rawDial(t, "tickcast.v1.json", rawOpts{})
	pinger := ts.rawDial(t, "tickcast.v1.msgpack", rawOpts{})
	// The ponger answers every ping frame; the pinger sends an application
	// ping every interval and reads the pong. Both for 10 intervals.
	until := time.Now().Add(10 * beat)
	errs := make(chan error, 2)
	go func() {
		for time.Now().Before(until) {
			f, err := ponger.frame(time.Second)
			if err == nil && f.Header.OpCode != ws.OpPing {
				err = fmt.Errorf("ponger got opcode %v", f.Header.OpCode)
			}
			if err == nil {
				err = ponger.writeFrame(ws.NewPongFrame(f.Payload))
			}
			if err != nil {
				errs <- fmt.Errorf("ponger: %w", err)
				return
			}
		}
		errs <- nil
	}()
	go func() {
		for i := uint64(0); time.Now().Before(until); i++ {
			err := pinger.writeFrame(ws.NewBinaryFrame(wire.AppendOp(wire.MsgPack, nil, &wire.Ping{ID: wire.SomeID(i)})))
			if err == nil {
				var m wire.Message
				m, err = pinger.tryNext(time.Second)
				if _, ok := m.(*wire.Pong); err == nil && !ok {
					err = fmt.Errorf("got %T", m)
				}
			}
			if err != nil {
				errs <- fmt.Errorf("pinger: %w", err)
				return
			}
			time.Sleep(beat)
		}
		errs <- nil
	}()

	pings := 0
	for {
		f, err := silent.frame(5 * time.Second)
		must(t, err)
		if f.Header.OpCode == ws.OpPing {
			pings++
			continue
		}
		if f.Header.OpCode != ws.OpClose {
			t.Fatalf("unexpected frame %v", f.Header.OpCode)
		}
		code, _ := ws.ParseCloseFrameData(f.Payload)
		if code != ws.StatusGoingAway {
			t.Fatalf("idle close code %d", code)
		}
		break
	}
	idle := time.Since(t0)
	if pings < 2 || idle < 3*beat {
		t.Fatalf("closed after %v and %d pings; want at least 3 intervals", idle, pings)
	}
	silent.expectEOF(3 * time.Second) // it gave up on us: it does not wait for our close
	for range 2 {
		must(t, <-errs)
	}
	if n := ts.Server.WSSessions(); n != 2 {
		t.Fatalf("%d sessions, want the two active ones", n)
	}
	t.Logf("silent client closed after %v (%d pings)", idle.Round(time.Millisecond), pings)
}

// TestE2EFrameWithUpgrade: a frame the client sends in the same packet as
// its upgrade request (it may, once it has sent the request) is not lost
// in the server's HTTP read buffer.
func TestE2EFrameWithUpgrade(t *testing.T) {
	ts := startServer(t, withoutSim())
	frame := ws.MaskFrameInPlaceWith(ws.NewTextFrame([]byte(`{"op":"ping","id":77}`)), ws.NewMask())
	var b bytes.Buffer
	must(t, ws.WriteFrame(&b, frame))
	rc, resp := ts.rawHandshake(t, rawOpts{header: map[string]string{"Sec-WebSocket-Protocol": "tickcast.v1.json"}, trailer: b.Bytes()})
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if _, ok := rc.next(5 * time.Second).(*wire.Welcome); !ok {
		t.Fatal("no welcome")
	}
	if p, ok := rc.next(5 * time.Second).(*wire.Pong); !ok || p.ID != wire.SomeID(77) {
		t.Fatalf("want the pong to the early ping, got %+v", p)
	}
}
