package ws

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/gobwas/ws"

	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/internal/testkit"
)

// feed runs one session over an in-memory connection (net.Pipe, which
// supports deadlines), writes data to it as the client and returns
// everything the server wrote. With hangUp the client then hangs up;
// without, the session must end by itself (data ends in an error). It
// fails the test if the session does not end or if anything panicked
// (recovered panics are logged at Error level by the session).
func feed(t testing.TB, fx *fixture, format wire.Format, data []byte, hangUp bool) []byte {
	t.Helper()
	cli, srv := net.Pipe()
	sess := newSession(fx.srv, srv, nil, format, "pipe")
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer srv.Close() // the session closes it too; a second close is harmless
		sess.run()
	}()
	var out bytes.Buffer
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		_, _ = io.Copy(&out, io.LimitReader(cli, 1<<20))
		_, _ = io.Copy(io.Discard, cli)
	}()
	_ = cli.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_, _ = cli.Write(data)
	if hangUp {
		_ = cli.Close()
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("session did not end")
	}
	_ = cli.Close()
	<-drained
	if logged := fx.log.logged(); len(logged) > 0 {
		t.Fatalf("session logged errors: %q", logged)
	}
	return out.Bytes()
}

// closeCodeIn returns the code of the first close frame in server output,
// 0 if there is none.
func closeCodeIn(out []byte) ws.StatusCode {
	r := bytes.NewReader(out)
	for {
		f, err := testkit.ReadFrame(r)
		if err != nil {
			return 0
		}
		if f.Header.OpCode == ws.OpClose {
			code, _ := ws.ParseCloseFrameData(f.Payload)
			return code
		}
	}
}

// clientFrame is f masked, as a client sends it, in bytes.
func clientFrame(f ws.Frame) []byte {
	f.Payload = bytes.Clone(f.Payload)
	f = ws.MaskFrameInPlaceWith(f, [4]byte{1, 2, 3, 4})
	var b bytes.Buffer
	_ = ws.WriteFrame(&b, f)
	return b.Bytes()
}

// hugeHeader is a masked frame header declaring length n, with no payload.
func hugeHeader(op ws.OpCode, fin bool, n uint64) []byte {
	b0 := byte(op)
	if fin {
		b0 |= 0x80
	}
	h := []byte{b0, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0, 0, 9, 9, 9, 9}
	binary.BigEndian.PutUint64(h[2:10], n)
	return h
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// FuzzSessionFrames feeds arbitrary bytes to a session's reader, as the
// client side of its connection: whatever arrives, nothing panics, the
// session ends when the client hangs up, and it never allocates by a
// declared length (TestHugeDeclaredLengths pins that down). The first
// byte picks the subprotocol.
func FuzzSessionFrames(f *testing.F) {
	jsonPing := []byte(`{"op":"ping","id":1}`)
	mpSub := wire.AppendOp(wire.MsgPack, nil, &wire.Subscribe{ID: wire.SomeID(2), Channels: []string{"book", "trades"}, Symbols: []string{"BTC-USD"}})
	jsonOrder := []byte(`{"op":"order","id":3,"cid":"a","s":"BTC-USD","side":"buy","type":"limit","qty":"1","px":"1"}`)
	seeds := [][]byte{
		cat([]byte{1}, clientFrame(ws.NewTextFrame(jsonPing))),
		cat([]byte{0}, clientFrame(ws.NewBinaryFrame(mpSub)), clientFrame(ws.NewPingFrame([]byte("x")))),
		cat([]byte{1}, clientFrame(ws.NewTextFrame([]byte(`{"op":"auth","id":1,"token":"good-bob","cancel_on_disconnect":true}`))), clientFrame(ws.NewTextFrame(jsonOrder))),
		cat([]byte{1}, clientFrame(ws.NewFrame(ws.OpText, false, jsonPing[:5])), clientFrame(ws.NewPingFrame(nil)), clientFrame(ws.NewFrame(ws.OpContinuation, true, jsonPing[5:]))),
		cat([]byte{1}, clientFrame(ws.NewCloseFrame(ws.NewCloseFrameBody(1000, "bye")))),
		cat([]byte{0}, hugeHeader(ws.OpBinary, true, 1<<62)),
		cat([]byte{0}, clientFrame(ws.NewFrame(ws.OpBinary, false, []byte{0x81})), hugeHeader(ws.OpContinuation, true, 1<<62)),
		cat([]byte{1}, clientFrame(ws.NewTextFrame([]byte("\xff\xfe")))),
		cat([]byte{1}, []byte{0x81, 0x05, 'h', 'e', 'l', 'l', 'o'}), // unmasked
		cat([]byte{0}, clientFrame(ws.NewFrame(ws.OpCode(0x3), true, nil))),
		cat([]byte{1}, bytes.Repeat(clientFrame(ws.NewTextFrame([]byte(`{"op":`))), 12)),
		cat([]byte{0}, clientFrame(ws.NewBinaryFrame([]byte{0xc1}))),
		{1},
	}
	for _, s := range seeds {
		f.Add(s)
	}
	fx := newFixture(f, false, nil)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		format := wire.MsgPack
		if data[0]&1 == 1 {
			format = wire.JSON
		}
		feed(t, fx, format, data[1:], true)
	})
}

// TestHugeDeclaredLengths: frames that declare enormous lengths (or more
// than the message limit, in one frame or summed over fragments) are
// refused from their header with the right close code, and the session
// allocates nothing in proportion to what they declare.
func TestHugeDeclaredLengths(t *testing.T) {
	fx := newFixture(t, false, nil)
	start := clientFrame(ws.NewFrame(ws.OpBinary, false, bytes.Repeat([]byte{0x80}, 1000)))
	cases := []struct {
		name string
		data []byte
		code ws.StatusCode
	}{
		{"binary frame of 2^62 bytes", hugeHeader(ws.OpBinary, true, 1<<62), ws.StatusMessageTooBig},
		{"continuation of 2^62 bytes", cat(start, hugeHeader(ws.OpContinuation, true, 1<<62)), ws.StatusMessageTooBig},
		{"fragment of 2^62 bytes, not final", hugeHeader(ws.OpBinary, false, 1<<62), ws.StatusMessageTooBig},
		{"length with the top bit set", hugeHeader(ws.OpBinary, true, 1<<63|5), ws.StatusProtocolError},
		{"ping declaring 2^62 bytes", hugeHeader(ws.OpPing, true, 1<<62), ws.StatusProtocolError},
		{"frame one byte over the limit", hugeHeader(ws.OpBinary, true, 65537), ws.StatusMessageTooBig},
		{"fragments summing one byte over", cat(clientFrame(ws.NewFrame(ws.OpBinary, false, make([]byte, 65536))), hugeHeader(ws.OpContinuation, true, 1)), ws.StatusMessageTooBig},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			feed(t, fx, wire.MsgPack, c.data, false) // warm up pools and the hub
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			out := feed(t, fx, wire.MsgPack, c.data, false)
			runtime.ReadMemStats(&after)
			if code := closeCodeIn(out); code != c.code {
				t.Errorf("close code %d, want %d", code, c.code)
			}
			// Sending the data itself (up to 64 KiB) and the session's
			// fixed costs are below this; a declared length is not.
			n := after.TotalAlloc - before.TotalAlloc
			t.Logf("allocated %d bytes", n)
			if n > 1<<20 {
				t.Errorf("allocated %d bytes", n)
			}
		})
	}
}
