package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/client"
	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/internal/testkit"
)

const allSymbols = `["BTC-USD","ETH-USD","SOL-USD","DOGE-USD","EUR-USD"]`

// lossless keeps the messages of the lossless streams (trades, book
// deltas): what every edge must relay the same, byte for byte.
func lossless(ms []msg) []msg {
	var out []msg
	for _, m := range ms {
		if m.h.T == wire.TypeTrade || m.h.T == wire.TypeBook {
			out = append(out, m)
		}
	}
	return out
}

// between keeps the messages with from <= off <= to.
func between(ms []msg, from, to uint64) []msg {
	var out []msg
	for _, m := range ms {
		if m.h.Off >= from && m.h.Off <= to {
			out = append(out, m)
		}
	}
	return out
}

// TestClusterEdgesRelayIdentically: two edges of one engine relay the same
// messages, with the same epoch, seq, off and bytes, in the same order.
func TestClusterEdgesRelayIdentically(t *testing.T) {
	url, prefix := testkit.Redis(t)
	eng := startEngine(t, url, prefix, nil)
	a, b := startEdge(t, url, prefix), startEdge(t, url, prefix)
	if a.Cluster.Node() == b.Cluster.Node() {
		t.Fatalf("both edges have node id %d", a.Cluster.Node())
	}
	sub := `{"op":"subscribe","id":1,"channels":["trades","book"],"symbols":` + allSymbols + `}`
	ca, cb := dialWS(t, a.Addr()), dialWS(t, b.Addr())
	if ca.Epoch != eng.Venue.Epoch() || cb.Epoch != eng.Venue.Epoch() {
		t.Fatalf("epochs: engine %s, edges %s and %s", eng.Venue.Epoch(), ca.Epoch, cb.Epoch)
	}
	ca.send(sub)
	cb.send(sub)
	type res struct {
		ms  []msg
		err error
	}
	done := make(chan res, 1)
	go func() { ms, err := cb.collect(3*time.Second, nil); done <- res{ms, err} }()
	ma, err := ca.collect(3*time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	rb := <-done
	if rb.err != nil {
		t.Fatal(rb.err)
	}
	la, lb := lossless(ma), lossless(rb.ms)
	if len(la) < 20 || len(lb) < 20 {
		t.Fatalf("too few messages to compare: %d and %d", len(la), len(lb))
	}
	// Both saw everything between the later first and the earlier last.
	from := max(la[0].h.Off, lb[0].h.Off)
	to := min(la[len(la)-1].h.Off, lb[len(lb)-1].h.Off)
	xa, xb := between(la, from, to), between(lb, from, to)
	if len(xa) != len(xb) || len(xa) < 10 {
		t.Fatalf("edges relayed %d and %d messages in offsets %d..%d", len(xa), len(xb), from, to)
	}
	for i := range xa {
		if !bytes.Equal(xa[i].raw, xb[i].raw) {
			t.Fatalf("message %d differs:\n%s\n%s", i, xa[i].raw, xb[i].raw)
		}
	}
	t.Logf("%d lossless messages identical on both edges (offsets %d..%d)", len(xa), from, to)
	// The edges' lag is a metric; the engine's address serves only
	// health and metrics.
	if code, body := httpGet(a.URL() + "/metrics"); code != http.StatusOK || !bytes.Contains(body, []byte("\ntickcast_edge_lag_offsets ")) {
		t.Fatalf("edge metrics: %d, lag metric missing", code)
	}
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/metrics": 200, "/": 404, "/ws": 404, "/api/v1/instruments": 404} {
		if code, body := httpGet(eng.URL() + path); code != want || path == "/metrics" && !bytes.Contains(body, []byte("tickcast_engine_offset")) {
			t.Fatalf("engine %s: %d, want %d", path, code, want)
		}
	}
}

// account creates a demo account through an edge's REST.
func account(t *testing.T, base string) (id, token string) {
	t.Helper()
	resp, err := http.Post(base+"/api/v1/accounts", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Account, Token string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("create account: %d %v", resp.StatusCode, err)
	}
	return out.Account, out.Token
}

// orders is a collector of a client's order messages.
type orders struct {
	ch chan *wire.Order
}

func newOrders() *orders { return &orders{ch: make(chan *wire.Order, 1024)} }

func (o *orders) on(m wire.Message) {
	if x, ok := m.(*wire.Order); ok {
		select {
		case o.ch <- x:
		default:
		}
	}
}

// wait returns the first order message that match accepts.
func (o *orders) wait(t *testing.T, d time.Duration, what string, match func(*wire.Order) bool) *wire.Order {
	t.Helper()
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		select {
		case x := <-o.ch:
			if match(x) {
				return x
			}
		case <-timer.C:
			t.Fatalf("no order message %s within %v", what, d)
			return nil
		}
	}
}

func dialClient(t *testing.T, addr string, on func(wire.Message)) *client.Client {
	t.Helper()
	c, err := client.Dial(testkit.Context(t, 10*time.Second), client.Config{URL: "ws://" + addr + "/ws", OnDecoded: on, NoBooks: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestClusterOrdersAcrossEdges: an account created through one edge
// trades through another; its orders reach its sessions on every edge,
// and REST on any edge answers for it.
func TestClusterOrdersAcrossEdges(t *testing.T) {
	url, prefix := testkit.Redis(t)
	startEngine(t, url, prefix, nil)
	a, b := startEdge(t, url, prefix), startEdge(t, url, prefix)
	acct, token := account(t, b.URL()) // created through b
	ctx := testkit.Context(t, 20*time.Second)
	onA, onB := newOrders(), newOrders()
	ca, cb := dialClient(t, a.Addr(), onA.on), dialClient(t, b.Addr(), onB.on)
	if _, err := ca.Auth(ctx, token, false); err != nil {
		t.Fatalf("auth on a: %v", err)
	}
	if _, err := cb.Auth(ctx, token, false); err != nil {
		t.Fatalf("auth on b: %v", err)
	}
	for i := 0; i < 5; i++ { // in order, through a
		o, err := ca.PlaceOrder(ctx, wire.NewOrder{CID: fmt.Sprintf("x-%d", i), S: "BTC-USD", Side: "buy", Type: "limit", Qty: "0.0100", Px: "55000.00"})
		if err != nil || o.Status != "new" {
			t.Fatalf("order %d through a: %+v %v", i, o, err)
		}
		seen := onB.wait(t, 5*time.Second, "on b for "+o.CID, func(x *wire.Order) bool { return x.OID == o.OID })
		if seen.Status != "new" || seen.CID != o.CID {
			t.Fatalf("b saw %+v", seen)
		}
	}
	// Canceled through b, seen on a.
	if _, err := cb.CancelAll(ctx, "BTC-USD"); err != nil {
		t.Fatal(err)
	}
	onA.wait(t, 5*time.Second, "canceled on a", func(x *wire.Order) bool { return x.Status == "canceled" && x.CID == "x-4" })
	// REST on a knows the account created on b.
	req, _ := http.NewRequest("GET", a.URL()+"/api/v1/account/orders", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var hist []struct {
		CID    string `json:"cid"`
		Status string `json:"status"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&hist); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("account orders on a: %d %v", resp.StatusCode, err)
	}
	if len(hist) != 5 {
		t.Fatalf("account %s on a: %d orders, want 5: %+v", acct, len(hist), hist)
	}
	for _, h := range hist {
		if h.Status != "canceled" || !strings.HasPrefix(h.CID, "x-") {
			t.Fatalf("order history: %+v", hist)
		}
	}
}
