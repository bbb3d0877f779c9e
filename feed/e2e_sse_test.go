package feed_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"

	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/internal/testkit"
)

// TestE2ESSEDefaults: /sse with no parameters streams the ticker of every
// symbol over one connection, with protocol.md 7.6's headers and the
// configured CORS origin.
func TestE2ESSEDefaults(t *testing.T) {
	t.Parallel()
	const origin = "https://board.example"
	ts := startServer(t, withCORSOrigin(origin))
	s := ts.sseDial("", http.Header{"Origin": {origin}})
	for k, v := range map[string]string{"Content-Type": "text/event-stream", "Cache-Control": "no-cache",
		"X-Accel-Buffering": "no", "Access-Control-Allow-Origin": origin} {
		if got := s.Resp.Header.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	c := sseCollect(t, s)
	syms := ts.Hub.Symbols()
	evs := c.waitFor(10*time.Second, "tickers of every symbol", func(evs []sseEvent) bool {
		seen := map[string]bool{}
		for _, e := range evs {
			seen[e.S] = true
		}
		return len(seen) == len(syms)
	})
	for _, e := range evs {
		if e.Type != "ticker" || e.ID != ts.Venue.Epoch()+":"+itoa(e.Off) {
			t.Fatalf("event %+v", e)
		}
	}
}

// TestE2ESSESameJSONAsWebSocket: the data of each SSE event is, byte for
// byte, the payload of the text frame a WebSocket session on the
// tickcast.v1.json subprotocol gets for the same message.
func TestE2ESSESameJSONAsWebSocket(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	syms := ts.Hub.Symbols()
	chans := []string{"trades", "quote", "ticker"}
	c := sseCollect(t, ts.sseDial("?channels="+strings.Join(chans, ",")+"&symbols="+strings.Join(syms, ","), nil))

	conn, br, _, err := ws.Dialer{Protocols: []string{"tickcast.v1.json"}}.Dial(ctxT(t), ts.WS())
	must(t, err)
	defer conn.Close()
	var r io.Reader = conn
	if br != nil {
		r = io.MultiReader(br, conn)
	}
	rw := struct {
		io.Reader
		io.Writer
	}{bufio.NewReader(r), conn}
	sub, _ := json.Marshal(map[string]any{"op": "subscribe", "id": 1, "channels": chans, "symbols": syms})
	must(t, wsutil.WriteClientText(conn, sub))
	wsData := map[uint64]string{}
	_ = conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	for len(wsData) < 60 {
		payload, op, err := wsutil.ReadServerData(rw)
		must(t, err)
		if op != ws.OpText {
			t.Fatalf("opcode %v on the JSON subprotocol", op)
		}
		var m struct {
			T   string `json:"t"`
			Off uint64 `json:"off"`
		}
		must(t, json.Unmarshal(payload, &m))
		if m.T == "trade" || m.T == "quote" || m.T == "ticker" {
			wsData[m.Off] = string(payload)
		}
	}
	common := 0
	c.waitFor(10*time.Second, "the SSE viewer to catch up", func(evs []sseEvent) bool {
		return len(evs) > 0 && evs[len(evs)-1].Off >= slices.Max(keys(wsData))
	})
	for _, e := range c.events() {
		if w, ok := wsData[e.Off]; ok {
			common++
			if w != e.Data {
				t.Fatalf("off %d:\n SSE %s\n WS  %s", e.Off, e.Data, w)
			}
		}
	}
	if common < 30 {
		t.Fatalf("only %d messages seen on both", common)
	}
	t.Logf("%d messages identical on SSE and WebSocket JSON", common)
}

func keys(m map[uint64]string) []uint64 {
	out := make([]uint64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestE2ESSEResumeNoGapNoDup: a viewer of the lossless channels of every
// symbol drops its connection three times and reconnects each time with
// the Last-Event-ID it last saw. Put together, its events are exactly
// those an uninterrupted viewer got over the same span: same offsets,
// same bytes, nothing missing, nothing twice.
func TestE2ESSEResumeNoGapNoDup(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	q := "?channels=trades,book&symbols=" + strings.Join(ts.Hub.Symbols(), ",")
	ref := sseCollect(t, ts.sseDial(q, nil))
	var got []sseEvent
	hdr := http.Header(nil)
	for session := 0; session < 4; session++ {
		s := ts.sseDial(q, hdr)
		_ = s.Conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		for n := 0; n < 40; {
			r, err := s.NextEvent()
			must(t, err)
			e := sseDecode(t, r)
			if session == 0 && e.Type == wire.TypeBookSnapshot {
				continue // the fresh start; the reference began elsewhere
			}
			if e.Type == wire.TypeBookSnapshot || e.Type == wire.TypeReset {
				t.Fatalf("session %d: %s after a resume", session, e.Type)
			}
			got = append(got, e)
			n++
		}
		_ = s.Close()
		hdr = http.Header{"Last-Event-ID": {s.LastEventID()}}
		time.Sleep(100 * time.Millisecond) // messages go by meanwhile
	}
	sseCheckLossless(t, got)
	first, last := got[0].Off, got[len(got)-1].Off
	want := ref.waitFor(10*time.Second, "the reference viewer to get as far", func(evs []sseEvent) bool {
		return len(evs) > 0 && evs[len(evs)-1].Off >= last
	})
	want = slices.DeleteFunc(want, func(e sseEvent) bool { return e.Off < first || e.Off > last })
	if len(want) != len(got) {
		t.Fatalf("resumed viewer got %d events over offsets %d..%d, the uninterrupted one %d", len(got), first, last, len(want))
	}
	for i := range want {
		if want[i].Off != got[i].Off || want[i].Data != got[i].Data || want[i].ID != got[i].ID {
			t.Fatalf("event %d: got %s %s, want %s %s", i, got[i].ID, got[i].Data, want[i].ID, want[i].Data)
		}
	}
	t.Logf("%d events over offsets %d..%d, 3 reconnections, identical to the uninterrupted viewer", len(got), first, last)
}

// TestE2ESSEResetHistoryExpired: with a short history, a viewer that comes
// back too late gets a reset per stream (without an id), then a fresh book
// snapshot, then deltas that apply on it.
func TestE2ESSEResetHistoryExpired(t *testing.T) {
	t.Parallel()
	ts := startServer(t, withHistory(50))
	const q = "?channels=book,trades&symbols=BTC-USD"
	s := ts.sseDial(q, nil)
	_ = s.Conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	r, err := s.NextEvent()
	must(t, err)
	first := sseDecode(t, r)
	_ = s.Close()
	c := sseCollect(t, ts.sseDial(q, nil)) // a clock: wait until 200 offsets went by
	c.waitFor(20*time.Second, "200 offsets", func(evs []sseEvent) bool { return len(evs) > 0 && evs[len(evs)-1].Off > first.Off+200 })

	s2 := ts.sseDial(q, http.Header{"Last-Event-ID": {first.ID}})
	_ = s2.Conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var evs []sseEvent
	for len(evs) < 4 {
		r, err := s2.NextEvent()
		must(t, err)
		evs = append(evs, sseDecode(t, r))
	}
	for i, ch := range []string{"book", "trades"} {
		if e := evs[i]; e.Type != wire.TypeReset || e.Ch != ch || e.Reason != wire.ResetHistoryExpired || e.HasID {
			t.Fatalf("reset %d: %+v", i, e)
		}
	}
	snap := evs[2]
	if snap.Type != wire.TypeBookSnapshot || !snap.HasID {
		t.Fatalf("after the resets: %+v", snap)
	}
	for _, e := range evs[3:] {
		if e.Ch == "book" && e.Seq != snap.Seq+1 {
			t.Fatalf("delta seq %d after snapshot %d", e.Seq, snap.Seq)
		}
	}
}

// TestE2ESSEBadRequests: the real server's routing answers 400 with the
// JSON error body for an unknown channel or symbol.
func TestE2ESSEBadRequests(t *testing.T) {
	t.Parallel()
	ts := startServer(t, withoutSim())
	for q, code := range map[string]string{"?channels=trade": wire.CodeUnknownChannel, "?symbols=BTC-EUR": wire.CodeUnknownSymbol} {
		resp, err := http.Get(ts.URL("/sse" + q))
		must(t, err)
		var body struct{ Code, Msg string }
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != 400 || err != nil || body.Code != code || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s: %d %+v %v", q, resp.StatusCode, body, err)
		}
	}
}

// TestE2ESSEShutdown: stopping the server ends every stream at once and
// cleanly (the chunked body is terminated), well within its 5 s.
func TestE2ESSEShutdown(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	var cs []*sseCollector
	for _, q := range []string{"", "?channels=book", "?channels=trades,quote&symbols=ETH-USD", "?channels=candles.1s"} {
		cs = append(cs, sseCollect(t, ts.sseDial(q, nil)))
	}
	testkit.Eventually(t, 5*time.Second, "the viewers counted", func() bool { return ts.Server.SSEViewers() == len(cs) })
	ts.Stop()
	if ts.ShutdownErr != nil || ts.ShutdownTook > time.Second {
		t.Fatalf("Shutdown: %v after %v", ts.ShutdownErr, ts.ShutdownTook)
	}
	for i, c := range cs {
		if err := c.end(time.Second); err != io.EOF {
			t.Errorf("viewer %d: %v, want a clean end", i, err)
		}
	}
	t.Logf("Shutdown with %d viewers took %v", len(cs), ts.ShutdownTook)
}
