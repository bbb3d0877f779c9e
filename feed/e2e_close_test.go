package feed_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"

	"github.com/tickcast/tickcast/feed/wire"
	wsfeed "github.com/tickcast/tickcast/feed/ws"
	"github.com/tickcast/tickcast/internal/testkit"
)

// TestE2EHandshake checks the upgrade rules of protocol.md 2.1 on the wire:
// refusals (400, 403, 426) come as plain HTTP answers before any upgrade,
// and the subprotocol is negotiated as specified.
func TestE2EHandshake(t *testing.T) {
	ts := startServer(t, withoutSim(), withOrigins("https://trader.example"))
	tsAny := startServer(t, withoutSim(), withOrigins("*"))
	host := ts.Addr
	cases := []struct {
		name   string
		srv    *testServer
		header map[string]string
		status int
		proto  string // the answer's Sec-WebSocket-Protocol (101 only)
		format wire.Format
	}{
		{"no subprotocol: msgpack, none answered", ts, nil, 101, "", wire.MsgPack},
		{"json", ts, map[string]string{"Sec-WebSocket-Protocol": "tickcast.v1.json"}, 101, "tickcast.v1.json", wire.JSON},
		{"msgpack", ts, map[string]string{"Sec-WebSocket-Protocol": "tickcast.v1.msgpack"}, 101, "tickcast.v1.msgpack", wire.MsgPack},
		{"unknown then json", ts, map[string]string{"Sec-WebSocket-Protocol": "chat, tickcast.v1.json"}, 101, "tickcast.v1.json", wire.JSON},
		{"Connection: keep-alive, Upgrade (Firefox)", ts, map[string]string{"Connection": "keep-alive, Upgrade"}, 101, "", wire.MsgPack},
		{"Upgrade: WebSocket, any case", ts, map[string]string{"Upgrade": "WebSocket"}, 101, "", wire.MsgPack},
		{"Connection without upgrade", ts, map[string]string{"Connection": "keep-alive"}, 400, "", 0},
		{"unknown only", ts, map[string]string{"Sec-WebSocket-Protocol": "chat, superchat"}, 400, "", 0},
		{"key not base64", ts, map[string]string{"Sec-WebSocket-Key": "not a key at all!!!!!!!!"}, 400, "", 0},
		{"key of 15 bytes", ts, map[string]string{"Sec-WebSocket-Key": "AAAAAAAAAAAAAAAAAAAA"}, 400, "", 0},
		{"no key", ts, map[string]string{"Sec-WebSocket-Key": ""}, 400, "", 0},
		{"version 12", ts, map[string]string{"Sec-WebSocket-Version": "12"}, 426, "", 0},
		{"no version", ts, map[string]string{"Sec-WebSocket-Version": ""}, 426, "", 0},
		{"no Upgrade header", ts, map[string]string{"Upgrade": ""}, 426, "", 0},
		{"Upgrade: h2c", ts, map[string]string{"Upgrade": "h2c"}, 426, "", 0},
		{"foreign origin", ts, map[string]string{"Origin": "https://evil.example"}, 403, "", 0},
		{"same-host origin", ts, map[string]string{"Origin": "http://" + host}, 101, "", wire.MsgPack},
		{"same-host origin, other scheme", ts, map[string]string{"Origin": "https://" + host}, 101, "", wire.MsgPack},
		{"listed origin", ts, map[string]string{"Origin": "https://trader.example"}, 101, "", wire.MsgPack},
		{"listed origin, other case", ts, map[string]string{"Origin": "https://Trader.Example"}, 101, "", wire.MsgPack},
		{"origin of another port", ts, map[string]string{"Origin": "http://127.0.0.1:1"}, 403, "", 0},
		{"any origin with *", tsAny, map[string]string{"Origin": "https://evil.example"}, 101, "", wire.MsgPack},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rc, resp := c.srv.rawHandshake(t, rawOpts{header: c.header})
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, c.status)
			}
			if c.status != http.StatusSwitchingProtocols {
				if _, versionCase := c.header["Sec-WebSocket-Version"]; versionCase && resp.Header.Get("Sec-WebSocket-Version") != "13" {
					t.Errorf("426 for the version without Sec-WebSocket-Version: 13")
				}
				if resp.Header.Get("Sec-WebSocket-Accept") != "" || resp.Header.Get("Upgrade") != "" {
					t.Errorf("refusal carries upgrade headers: %v", resp.Header)
				}
				return
			}
			if got := resp.Header.Get("Sec-WebSocket-Accept"); got != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
				t.Errorf("Sec-WebSocket-Accept %q", got)
			}
			if !strings.EqualFold(resp.Header.Get("Upgrade"), "websocket") {
				t.Errorf("Upgrade %q", resp.Header.Get("Upgrade"))
			}
			_, present := resp.Header["Sec-Websocket-Protocol"]
			if got := resp.Header.Get("Sec-WebSocket-Protocol"); got != c.proto || (c.proto == "" && present) {
				t.Errorf("Sec-WebSocket-Protocol %q (present %v), want %q", got, present, c.proto)
			}
			f, err := rc.frame(5 * time.Second)
			if err != nil {
				t.Fatal(err)
			}
			wantOp := ws.OpBinary
			if c.format == wire.JSON {
				wantOp = ws.OpText
			}
			if f.Header.OpCode != wantOp {
				t.Fatalf("welcome in opcode %v, want %v", f.Header.OpCode, wantOp)
			}
			m, err := wire.Decode(c.format, f.Payload)
			if err != nil {
				t.Fatal(err)
			}
			w, ok := m.(*wire.Welcome)
			if !ok || w.V != 1 || w.Epoch != c.srv.Venue.Epoch() || w.MaxMsg != 65536 || w.HeartbeatMS != 15000 {
				t.Fatalf("welcome %+v", m)
			}
		})
	}
}

// TestE2ECloseCodes provokes each close code of protocol.md 9.2 that a client
// can cause, with a raw client, and reads the server's close frame off the
// wire. 1001 (shutdown) and 4008 (slow consumer) have their own tests;
// 1011 is provoked in feed/ws (it needs a venue that fails).
func TestE2ECloseCodes(t *testing.T) {
	ts := startServer(t, withoutSim())
	big := bytes.Repeat([]byte{'x'}, 65537)
	json := "tickcast.v1.json"
	mp := "tickcast.v1.msgpack"
	cases := []struct {
		name  string
		proto string
		act   func(t *testing.T, rc *rawConn)
		code  ws.StatusCode
	}{
		{"1000 client closes normally, server echoes", json, func(t *testing.T, rc *rawConn) {
			must(t, rc.writeFrame(closeFrame(ws.StatusNormalClosure, "bye")))
		}, ws.StatusNormalClosure},
		{"1000 close without a code is answered 1000", mp, func(t *testing.T, rc *rawConn) {
			must(t, rc.writeFrame(ws.NewCloseFrame(nil)))
		}, ws.StatusNormalClosure},
		{"client 4000 is echoed", mp, func(t *testing.T, rc *rawConn) {
			must(t, rc.writeFrame(closeFrame(4000, "private")))
		}, 4000},
		{"1002 unmasked client frame", json, func(t *testing.T, rc *rawConn) {
			must(t, rc.writeUnmasked(ws.NewTextFrame([]byte(`{"op":"ping","id":1}`))))
		}, ws.StatusProtocolError},
		{"1002 reserved opcode 0x3", mp, func(t *testing.T, rc *rawConn) {
			must(t, rc.writeFrame(ws.NewFrame(ws.OpCode(0x3), true, []byte{0x80})))
		}, ws.StatusProtocolError},
		{"1002 reserved control opcode 0xB", mp, func(t *testing.T, rc *rawConn) {
			must(t, rc.writeFrame(ws.NewFrame(ws.OpCode(0xB), true, nil)))
		}, ws.StatusProtocolError},
		{"1002 continuation without start", mp, func(t *testing.T, rc *rawConn) {
			must(t, rc.writeFrame(ws.NewFrame(ws.OpContinuation, true, []byte{0x80})))
		}, ws.StatusProtocolError},
		{"1002 new message inside a fragmented one", mp, func(t *testing.T, rc *rawConn) {
			must(t, rc.writeFrame(ws.NewFrame(ws.OpBinary, false, []byte{0x81})))
			must(t, rc.writeFrame(ws.NewFrame(ws.OpBinary, true, []byte{0x80})))
		}, ws.StatusProtocolError},
		{"1002 fragmented control frame", mp, func(t *testing.T, rc *rawConn) {
			must(t, rc.writeFrame(ws.NewFrame(ws.OpPing, false, []byte("a"))))
		}, ws.StatusProtocolError},
		{"1002 control frame over 125 bytes", mp, func(t *testing.T, rc *rawConn) {
			must(t, rc.writeFrame(ws.NewPingFrame(bytes.Repeat([]byte{'p'}, 126))))
		}, ws.StatusProtocolError},
		{"1002 rsv bits without extension", mp, func(t *testing.T, rc *rawConn) {
			f := ws.NewBinaryFrame([]byte{0x80})
			f.Header.Rsv = ws.Rsv(true, false, false)
			must(t, rc.writeFrame(f))
		}, ws.StatusProtocolError},
		{"1002 one-byte close payload", mp, func(t *testing.T, rc *rawConn) {
			must(t, rc.writeFrame(ws.NewFrame(ws.OpClose, true, []byte{0x03})))
		}, ws.StatusProtocolError},
		{"1002 close with reserved code 1005", mp, func(t *testing.T, rc *rawConn) {
			must(t, rc.writeFrame(closeFrame(1005, "")))
		}, ws.StatusProtocolError},
		{"client 4999 is echoed", json, func(t *testing.T, rc *rawConn) {
			must(t, rc.writeFrame(closeFrame(4999, "")))
		}, 4999},
		{"client 3000 is echoed", json, func(t *testing.T, rc *rawConn) {
			must(t, rc.writeFrame(closeFrame(3000, "")))
		}, 3000},
		{"client 1012 (registered) is echoed", json, func(t *testing.T, rc *rawConn) {
			must(t, rc.writeFrame(closeFrame(1012, "")))
		}, 1012},
		{"1002 length with the most significant bit set", mp, func(t *testing.T, rc *rawConn) {
			hdr := []byte{0x82, 0x80 | 127, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4}
			_, err := rc.nc.Write(hdr)
			must(t, err)
		}, ws.StatusProtocolError},
		{"1003 text frame on msgpack", mp, func(t *testing.T, rc *rawConn) {
			must(t, rc.writeFrame(ws.NewTextFrame([]byte(`{"op":"ping"}`))))
		}, ws.StatusUnsupportedData},
		{"1003 binary frame on json", json, func(t *testing.T, rc *rawConn) {
			must(t, rc.writeFrame(ws.NewBinaryFrame(wire.AppendOp(wire.MsgPack, nil, &wire.Ping{}))))
		}, ws.StatusUnsupportedData},
		{"1003 text frame with no subprotocol (msgpack)", "", func(t *testing.T, rc *rawConn) {
			must(t, rc.writeFrame(ws.NewTextFrame([]byte(`{"op":"ping"}`))))
		}, ws.StatusUnsupportedData},
		{"1007 invalid UTF-8 in a text frame", json, func(t *testing.T, rc *rawConn) {
			must(t, rc.writeFrame(ws.NewTextFrame([]byte("{\"op\":\"ping\",\"x\":\"\xff\xfe\"}"))))
		}, ws.StatusInvalidFramePayloadData},
		{"1007 invalid UTF-8 split across fragments", json, func(t *testing.T, rc *rawConn) {
			must(t, rc.writeFrame(ws.NewFrame(ws.OpText, false, []byte("{\"op\":\"ping\",\"x\":\"\xe2\x82"))))
			must(t, rc.writeFrame(ws.NewFrame(ws.OpContinuation, true, []byte("\x28\"}"))))
		}, ws.StatusInvalidFramePayloadData},
		{"1008 malformed messages beyond the budget", json, func(t *testing.T, rc *rawConn) {
			// The budget is 10: the first ten are answered and the session
			// lives on; the eleventh closes it (after its own error reply:
			// TestE2EPolicyCloseFlushesReplies).
			for i := 0; i < 10; i++ {
				rc.sendBytes([]byte(`{"op":`))
				e, ok := rc.next(5 * time.Second).(*wire.Error)
				if !ok || e.Code != wire.CodeBadRequest {
					t.Fatalf("malformed %d answered %+v", i, e)
				}
			}
			rc.sendBytes([]byte(`{"op":`))
		}, ws.StatusPolicyViolation},
		{"1009 one frame over 65,536 bytes", mp, func(t *testing.T, rc *rawConn) {
			must(t, rc.writeFrame(ws.NewBinaryFrame(big)))
		}, ws.StatusMessageTooBig},
		{"1009 fragments summing over 65,536 bytes", json, func(t *testing.T, rc *rawConn) {
			part := bytes.Repeat([]byte{' '}, 30000)
			must(t, rc.writeFrame(ws.NewFrame(ws.OpText, false, part)))
			must(t, rc.writeFrame(ws.NewFrame(ws.OpContinuation, false, part)))
			must(t, rc.writeFrame(ws.NewFrame(ws.OpContinuation, true, part)))
		}, ws.StatusMessageTooBig},
		{"1009 declared length of 2^62", mp, func(t *testing.T, rc *rawConn) {
			hdr := []byte{0x82, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}
			binary.BigEndian.PutUint64(hdr[2:], 1<<62)
			_, err := rc.nc.Write(hdr)
			must(t, err)
		}, ws.StatusMessageTooBig},
	}
	// Close codes a client may not send (RFC 6455 7.4: unused below 1000,
	// reserved, unassigned in 1016-2999, and none at all from 5000) are a
	// protocol error: answered 1002, never echoed.
	for _, code := range []ws.StatusCode{0, 999, 1004, 1006, 1015, 1016, 2999, 5000, 5001, 65535} {
		cases = append(cases, struct {
			name  string
			proto string
			act   func(t *testing.T, rc *rawConn)
			code  ws.StatusCode
		}{fmt.Sprintf("1002 close with code %d", code), mp, func(t *testing.T, rc *rawConn) {
			must(t, rc.writeFrame(closeFrame(code, "")))
		}, ws.StatusProtocolError})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rc := ts.rawDial(t, c.proto, rawOpts{})
			c.act(t, rc)
			rc.expectClose(c.code, 5*time.Second)
			rc.expectEOF(3 * time.Second)
		})
	}
	testkit.Eventually(t, 5*time.Second, "sessions to end", func() bool { return ts.Server.WSSessions() == 0 })
}

// TestE2EMessageLimitBoundary: a message of exactly 65,536 bytes is read
// (and answered, here with bad_request since it is no operation), in one
// frame or in fragments; the connection stays open.
func TestE2EMessageLimitBoundary(t *testing.T) {
	ts := startServer(t, withoutSim())
	rc := ts.rawDial(t, "tickcast.v1.json", rawOpts{})
	msg := bytes.Repeat([]byte{' '}, 65536)
	msg[0], msg[len(msg)-1] = '[', ']'
	rc.sendBytes(msg)
	if e, ok := rc.next(5 * time.Second).(*wire.Error); !ok || e.Code != wire.CodeBadRequest {
		t.Fatalf("answer %+v", e)
	}
	must(t, rc.writeFrame(ws.NewFrame(ws.OpText, false, msg[:40000])))
	must(t, rc.writeFrame(ws.NewPingFrame([]byte("mid")))) // a control frame between fragments
	must(t, rc.writeFrame(ws.NewFrame(ws.OpContinuation, true, msg[40000:])))
	f, err := rc.frame(5 * time.Second)
	must(t, err)
	if f.Header.OpCode != ws.OpPong || string(f.Payload) != "mid" {
		t.Fatalf("want pong \"mid\" first, got %v %q", f.Header.OpCode, f.Payload)
	}
	if e, ok := rc.next(5 * time.Second).(*wire.Error); !ok || e.Code != wire.CodeBadRequest {
		t.Fatalf("answer %+v", e)
	}
	rc.send(&wire.Ping{ID: wire.SomeID(9)})
	if p, ok := rc.next(5 * time.Second).(*wire.Pong); !ok || p.ID != wire.SomeID(9) {
		t.Fatalf("pong %+v", p)
	}
}

// TestE2EConnectionLimit: past MaxConns (and past MaxConnsPerIP) the
// upgrade completes and the session is closed at once with 1013; once a
// slot frees, a new connection is admitted.
func TestE2EConnectionLimit(t *testing.T) {
	for _, c := range []struct {
		name string
		set  func(*wsfeed.Config)
	}{
		{"MaxConns", func(c *wsfeed.Config) { c.MaxConns = 1 }},
		{"MaxConnsPerIP", func(c *wsfeed.Config) { c.MaxConnsPerIP = 1 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			ts := startServer(t, withoutSim(), withWS(c.set))
			first := ts.rawDial(t, "", rawOpts{})
			second, resp := ts.rawHandshake(t, rawOpts{})
			if resp.StatusCode != http.StatusSwitchingProtocols {
				t.Fatalf("status %d", resp.StatusCode)
			}
			second.expectClose(wsfeed.StatusTryAgainLater, 5*time.Second)
			second.expectEOF(3 * time.Second)
			// The first session is untouched.
			first.send(&wire.Ping{ID: wire.SomeID(1)})
			if _, ok := first.next(5 * time.Second).(*wire.Pong); !ok {
				t.Fatal("first session lost")
			}
			must(t, first.writeFrame(closeFrame(ws.StatusNormalClosure, "")))
			first.expectClose(ws.StatusNormalClosure, 5*time.Second)
			testkit.Eventually(t, 5*time.Second, "the slot to free", func() bool { return ts.Server.WSSessions() == 0 })
			third := ts.rawDial(t, "", rawOpts{})
			third.send(&wire.Ping{ID: wire.SomeID(2)})
			if _, ok := third.next(5 * time.Second).(*wire.Pong); !ok {
				t.Fatal("no pong after the slot freed")
			}
		})
	}
}

// TestE2EPingPong: a WebSocket ping is answered with a pong carrying its
// payload; the application ping op with a pong carrying its id.
func TestE2EPingPong(t *testing.T) {
	ts := startServer(t, withoutSim())
	rc := ts.rawDial(t, "tickcast.v1.json", rawOpts{})
	must(t, rc.writeFrame(ws.NewPingFrame([]byte("hello"))))
	f, err := rc.frame(5 * time.Second)
	must(t, err)
	if f.Header.OpCode != ws.OpPong || string(f.Payload) != "hello" || f.Header.Masked {
		t.Fatalf("got %v %q", f.Header.OpCode, f.Payload)
	}
	before := time.Now().UnixNano()
	rc.send(&wire.Ping{ID: wire.SomeID(42)})
	p, ok := rc.next(5 * time.Second).(*wire.Pong)
	if !ok || p.ID != wire.SomeID(42) || p.Ts < before {
		t.Fatalf("pong %+v", p)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
