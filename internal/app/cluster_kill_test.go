package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/internal/testkit"
)

// lastSeqs returns each stream's last seq in ms (snapshots included).
func lastSeqs(ms []msg) map[string]uint64 {
	out := map[string]uint64{}
	for _, m := range ms {
		if m.h.Ch != "" && m.h.Seq > 0 {
			out[m.h.Stream()] = m.h.Seq
		}
	}
	return out
}

// checkContinues fails unless ms, per stream, start right after since and
// have no gap and no duplicate, with no reset.
func checkContinues(t *testing.T, since map[string]uint64, ms []msg) {
	t.Helper()
	next := map[string]uint64{}
	for k, v := range since {
		next[k] = v + 1
	}
	for _, m := range ms {
		if m.h.T == wire.TypeReset {
			t.Fatalf("reset on resume: %s", m.raw)
		}
		if m.h.Ch == "" || m.h.Seq == 0 {
			continue
		}
		k := m.h.Stream()
		if want, ok := next[k]; ok && m.h.Seq != want {
			t.Fatalf("stream %s: seq %d, want %d (gap or duplicate): %s", k, m.h.Seq, want, m.raw)
		}
		next[k] = m.h.Seq + 1
	}
}

func sinceJSON(since map[string]uint64) string {
	b, _ := json.Marshal(since)
	return string(b)
}

// TestClusterResumeAcrossKilledEdge: a client on an edge killed with
// SIGKILL resumes on another edge with epoch + since, and gets every
// message it missed, no gap, no duplicate, the same bytes as a client that
// stayed on that edge.
func TestClusterResumeAcrossKilledEdge(t *testing.T) {
	url, prefix := testkit.Redis(t)
	startEngine(t, url, prefix, nil)
	b := startEdge(t, url, prefix)
	a := startChildEdge(t, url, prefix, "")
	sub := `{"op":"subscribe","id":1,"channels":["trades","book"],"symbols":["BTC-USD","ETH-USD"]`
	ref := dialWS(t, b.Addr())
	ref.send(sub + "}")
	refDone := make(chan []msg, 1)
	go func() { ms, _ := ref.collect(8*time.Second, nil); refDone <- ms }()

	ca := dialWS(t, a.Addr)
	ca.send(sub + "}")
	n := 0
	got, err := ca.collect(10*time.Second, func(m msg) bool {
		if m.h.T == wire.TypeTrade || m.h.T == wire.TypeBook {
			n++
		}
		return n < 30
	})
	if err != nil || n < 30 {
		t.Fatalf("on a: %d messages, %v", n, err)
	}
	a.Kill()
	// What the kernel had already received still reads; then the end.
	rest, err := ca.collect(3*time.Second, nil)
	if err == nil {
		t.Fatal("the session on the killed edge still reads")
	}
	got = append(got, rest...)
	time.Sleep(300 * time.Millisecond) // messages go by meanwhile
	since := lastSeqs(got)
	cb := dialWS(t, b.Addr())
	cb.send(fmt.Sprintf(`%s,"epoch":%q,"since":%s}`, sub, ca.Epoch, sinceJSON(since)))
	resumed, err := cb.collect(2*time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkContinues(t, since, resumed)
	// The same bytes as the client that stayed on b, from where a stopped
	// on each stream.
	// (Only the streams a had sent something of: a stream with no seq yet
	// is subscribed afresh, not resumed.)
	after := func(ms []msg, to uint64) []msg {
		var out []msg
		for _, m := range lossless(ms) {
			if s, ok := since[m.h.Stream()]; ok && m.h.Seq > s && m.h.Off <= to {
				out = append(out, m)
			}
		}
		return out
	}
	refMsgs := <-refDone
	checkNoSplice(t, refMsgs)
	lr, lref := lossless(resumed), lossless(refMsgs)
	if len(lr) < 10 || len(lref) == 0 {
		t.Fatalf("only %d messages after resuming", len(lr))
	}
	to := min(lr[len(lr)-1].h.Off, lref[len(lref)-1].h.Off)
	xr, xref := after(resumed, to), after(lref, to)
	if len(xr) != len(xref) || len(xr) == 0 {
		have := map[string]bool{}
		for _, m := range xr {
			have[string(m.raw)] = true
		}
		var missing []string
		for _, m := range xref {
			if !have[string(m.raw)] && len(missing) < 5 {
				missing = append(missing, fmt.Sprintf("%s seq %d off %d", m.h.Stream(), m.h.Seq, m.h.Off))
			}
		}
		t.Fatalf("resumed %d messages, the client that stayed %d, up to offset %d; since %v; first resumed %s %d off %d; missing %q",
			len(xr), len(xref), to, since, xr[0].h.Stream(), xr[0].h.Seq, xr[0].h.Off, missing)
	}
	for i := range xr {
		if !bytes.Equal(xr[i].raw, xref[i].raw) {
			t.Fatalf("message %d differs:\n%s\n%s", i, xr[i].raw, xref[i].raw)
		}
	}
	t.Logf("resumed on b after a's SIGKILL: %d messages replayed then live, identical to the client that stayed", len(xr))
}

// TestClusterCancelOnDisconnectAfterEdgeDies: the orders of a session that
// asked for cancel_on_disconnect are canceled within 10 s when its edge
// dies without a word.
func TestClusterCancelOnDisconnectAfterEdgeDies(t *testing.T) {
	url, prefix := testkit.Redis(t)
	startEngine(t, url, prefix, nil)
	b := startEdge(t, url, prefix)
	a := startChildEdge(t, url, prefix, "")
	_, token := account(t, b.URL())
	ctx := testkit.Context(t, 30*time.Second)
	ca := dialClient(t, a.Addr, nil)
	if _, err := ca.Auth(ctx, token, true); err != nil {
		t.Fatal(err)
	}
	o, err := ca.PlaceOrder(ctx, wire.NewOrder{CID: "cod-1", S: "BTC-USD", Side: "buy", Type: "limit", Qty: "0.0100", Px: "55000.00"})
	if err != nil || o.Status != "new" {
		t.Fatalf("order: %+v %v", o, err)
	}
	onB := newOrders()
	cb := dialClient(t, b.Addr(), onB.on)
	if _, err := cb.Auth(ctx, token, false); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	a.Kill()
	x := onB.wait(t, 10*time.Second, "canceled after the edge died", func(x *wire.Order) bool { return x.OID == o.OID && x.Status == "canceled" })
	t.Logf("order %d canceled %v after its edge was killed (reason %q)", x.OID, time.Since(t0).Round(time.Millisecond), x.Reason)
}

type restTrade struct {
	Off uint64 `json:"off"`
	TS  int64  `json:"ts"`
}

func restTrades(t *testing.T, base string) ([]json.RawMessage, []restTrade) {
	t.Helper()
	code, body := httpGet(base + "/api/v1/trades/BTC-USD?limit=1000")
	if code != http.StatusOK {
		t.Fatalf("trades: %d %s", code, body)
	}
	var raw []json.RawMessage
	var ts []restTrade
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal(body, &ts)
	return raw, ts
}

// TestClusterColdEdgeServesEarlierTrades: an edge restarted cold (killed,
// started again) serves on REST the trades made before it started, the
// same as the engine published them, and candles.
func TestClusterColdEdgeServesEarlierTrades(t *testing.T) {
	url, prefix := testkit.Redis(t)
	startEngine(t, url, prefix, nil)
	a := startChildEdge(t, url, prefix, "")
	var before []json.RawMessage
	testkit.Eventually(t, 20*time.Second, "5 trades on REST", func() bool {
		before, _ = restTrades(t, "http://"+a.Addr)
		return len(before) >= 5
	})
	a.Kill()
	started := time.Now()
	a = startChildEdge(t, url, prefix, a.Addr)
	after, ts := restTrades(t, "http://"+a.Addr)
	// Every trade seen before is there, the same bytes, in order.
	idx := map[string]int{}
	for i, r := range after {
		idx[string(r)] = i
	}
	lastIdx := -1
	for _, r := range before {
		i, ok := idx[string(r)]
		if !ok || i <= lastIdx {
			t.Fatalf("trade %s missing or out of order on the restarted edge", r)
		}
		lastIdx = i
	}
	if ts[0].TS >= started.UnixNano() {
		t.Fatalf("oldest trade on the restarted edge is from after it started")
	}
	code, body := httpGet("http://" + a.Addr + "/api/v1/candles/BTC-USD?interval=1m")
	var candles []json.RawMessage
	if code != http.StatusOK || json.Unmarshal(body, &candles) != nil || len(candles) == 0 {
		t.Fatalf("candles on the restarted edge: %d %s", code, body)
	}
	t.Logf("restarted edge: %d trades (the %d seen before included), %d 1m candles", len(after), len(before), len(candles))
}
