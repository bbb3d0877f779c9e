package feed_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"

	"github.com/tickcast/tickcast/feed"
	"github.com/tickcast/tickcast/feed/wire"
	wsfeed "github.com/tickcast/tickcast/feed/ws"
	"github.com/tickcast/tickcast/internal/testkit"
	"github.com/tickcast/tickcast/market"
)

// Attacks found on a running server, one test each: they stay in the
// suite from now on.

// readUntilClose reads messages until the close frame and returns them
// with the close code.
func (rc *rawConn) readUntilClose(d time.Duration) ([]wire.Message, ws.StatusCode) {
	rc.t.Helper()
	var got []wire.Message
	for {
		m, err := rc.tryNext(d)
		var ce *errClosed
		if errors.As(err, &ce) {
			return got, ce.code
		}
		if err != nil {
			rc.t.Fatalf("after %d messages: %v", len(got), err)
		}
		got = append(got, m)
	}
}

// TestE2EPolicyCloseFlushesReplies: eleven malformed messages in one TCP
// write (the budget is ten) get all eleven error replies, then close 1008.
// The close used to go out ahead of what was queued: 0 to 5 replies
// arrived.
func TestE2EPolicyCloseFlushesReplies(t *testing.T) {
	ts := startServer(t, withoutSim())
	for _, proto := range []string{"tickcast.v1.json", "tickcast.v1.msgpack"} {
		t.Run(proto, func(t *testing.T) {
			rc := ts.rawDial(t, proto, rawOpts{})
			var burst bytes.Buffer
			for range 11 {
				f := ws.NewFrame(rc.dataOp(), true, []byte(`{"op":`))
				f = ws.MaskFrameInPlaceWith(f, ws.NewMask())
				must(t, ws.WriteFrame(&burst, f))
			}
			_, err := rc.nc.Write(burst.Bytes())
			must(t, err)
			got, code := rc.readUntilClose(5 * time.Second)
			if code != ws.StatusPolicyViolation {
				t.Fatalf("closed with %d, want 1008", code)
			}
			if len(got) != 11 {
				t.Fatalf("%d replies before the close, want 11", len(got))
			}
			for i, m := range got {
				if e, ok := m.(*wire.Error); !ok || e.Code != wire.CodeBadRequest {
					t.Fatalf("reply %d: %+v", i, m)
				}
			}
		})
	}
}

// TestE2ERateLimitCloseKeepsAcks: a session that keeps ignoring
// rate_limited is closed with 1008, but the acks of the orders the venue
// took before that, resting live on the book, all arrive first.
func TestE2ERateLimitCloseKeepsAcks(t *testing.T) {
	ts := startServer(t, withoutSim(), withMarket(func(c *market.Config) { c.RateLimit, c.RateBurst = 0.001, 20 }),
		withWS(func(c *wsfeed.Config) { c.RateLimitBudget = 3 }))
	id, token := ts.account()
	rc := ts.rawDial(t, "tickcast.v1.json", rawOpts{})
	rc.send(&wire.Auth{ID: wire.SomeID(1), Token: token})
	if a, ok := rc.nextKind(wire.KindAuthed, 5*time.Second).(*wire.Authed); !ok || a.Account != id {
		t.Fatal("auth failed")
	}
	// 20 orders within the burst, then 4 refused: all in one write.
	var burst bytes.Buffer
	for i := range 24 {
		op := &wire.NewOrder{ID: wire.SomeID(uint64(10 + i)), CID: fmt.Sprint("o", i), S: "BTC-USD", Side: "buy", Type: "limit",
			Qty: "0.0010", Px: "59000.00"}
		f := ws.MaskFrameInPlaceWith(ws.NewTextFrame(wire.AppendOp(wire.JSON, nil, op)), ws.NewMask())
		must(t, ws.WriteFrame(&burst, f))
	}
	_, err := rc.nc.Write(burst.Bytes())
	must(t, err)
	got, code := rc.readUntilClose(5 * time.Second)
	if code != ws.StatusPolicyViolation {
		t.Fatalf("closed with %d, want 1008", code)
	}
	acked := map[string]bool{}
	for _, m := range got {
		if o, ok := m.(*wire.Order); ok && o.Status == market.StatusNew {
			acked[o.CID] = true
		}
	}
	if len(acked) != 20 {
		t.Fatalf("%d acks of live orders before the close, want 20", len(acked))
	}
}

// withFeed changes the feed server's settings (REST and account limits …).
func withFeed(f func(*feed.Config)) serverOpt { return func(h *harness) { f(&h.Feed) } }

// fromAddr is an HTTP client whose connections leave from local address ip
// (any 127.0.0.0/8 address works on loopback).
func fromAddr(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}
}

func status(t *testing.T, c *http.Client, method, url string) int {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}

// TestE2ERESTRateLimit: REST requests are limited per client address
// (429 past the burst); another address is not affected.
func TestE2ERESTRateLimit(t *testing.T) {
	ts := startServer(t, withoutSim(), withFeed(func(c *feed.Config) { c.RESTRate, c.RESTBurst = 0.01, 5 }))
	a, b := fromAddr("127.0.0.2"), fromAddr("127.0.0.3")
	for i := range 5 {
		if code := status(t, a, "GET", ts.URL("/api/v1/instruments")); code != http.StatusOK {
			t.Fatalf("request %d within the burst: %d", i, code)
		}
	}
	if code := status(t, a, "GET", ts.URL("/api/v1/ticker")); code != http.StatusTooManyRequests {
		t.Fatalf("past the burst: %d, want 429", code)
	}
	if code := status(t, b, "GET", ts.URL("/api/v1/instruments")); code != http.StatusOK {
		t.Fatalf("another address: %d", code)
	}
}

// TestE2EAccountsPerNetwork: demo account creation is limited per /24:
// two addresses of one /24 share the allowance, one of another /24 does
// not.
func TestE2EAccountsPerNetwork(t *testing.T) {
	ts := startServer(t, withoutSim(), withFeed(func(c *feed.Config) { c.AccountsPerMinute = 2 }))
	url := ts.URL("/api/v1/accounts")
	if code := status(t, fromAddr("127.0.0.2"), "POST", url); code != http.StatusCreated {
		t.Fatalf("first account: %d", code)
	}
	if code := status(t, fromAddr("127.0.0.3"), "POST", url); code != http.StatusCreated {
		t.Fatalf("second account, same /24: %d", code)
	}
	if code := status(t, fromAddr("127.0.0.4"), "POST", url); code != http.StatusTooManyRequests {
		t.Fatalf("third account from the same /24: %d, want 429", code)
	}
	if code := status(t, fromAddr("127.0.1.2"), "POST", url); code != http.StatusCreated {
		t.Fatalf("another /24: %d", code)
	}
}

// TestE2ECloseCodeLabelsBounded: close codes a client chooses do not each
// become a metric series: they count as "other".
func TestE2ECloseCodeLabelsBounded(t *testing.T) {
	ts := startServer(t, withoutSim())
	for i := range 5 {
		rc := ts.rawDial(t, "tickcast.v1.json", rawOpts{})
		must(t, rc.writeFrame(closeFrame(ws.StatusCode(4100+i), "")))
		rc.expectClose(ws.StatusCode(4100+i), 5*time.Second)
	}
	testkit.Eventually(t, 5*time.Second, "five closes counted as other", func() bool {
		return ts.metricWith("tickcast_ws_closes_total", `code="other"`) == 5
	})
	resp, err := http.Get(ts.URL("/metrics"))
	must(t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if strings.Contains(string(body), `code="41`) {
		t.Fatal("a client-chosen close code became a label")
	}
}
