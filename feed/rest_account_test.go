package feed

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/tickcast/tickcast/market"
)

type nopPublisher struct{}

func (nopPublisher) Publish([]*market.Event) {}

// accountTestServer is a quiet venue (no simulated market) running on the
// wall clock and a Server around it whose REST handler (api) the tests call
// directly: no listener, no hub.
func accountTestServer(t *testing.T, key []byte) (*Server, *market.Venue) {
	t.Helper()
	v, err := market.New(market.Config{Publisher: nopPublisher{}, Seed: 7, TokenKey: key})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = v.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return &Server{cfg: Config{Venue: v, CORSOrigin: "*"}, log: log}, v
}

type restAnswer struct {
	status int
	header *fasthttp.ResponseHeader
	body   []byte
}

func (s *Server) restCall(method, uri, auth string) restAnswer {
	var ctx fasthttp.RequestCtx
	ctx.Request.Header.SetMethod(method)
	ctx.Request.SetRequestURI(uri)
	if auth != "" {
		ctx.Request.Header.Set("Authorization", auth)
	}
	s.api(&ctx, string(ctx.Path()))
	var h fasthttp.ResponseHeader
	ctx.Response.Header.CopyTo(&h)
	return restAnswer{ctx.Response.StatusCode(), &h, append([]byte(nil), ctx.Response.Body()...)}
}

func newAccount(t *testing.T, v *market.Venue) (account, token string) {
	t.Helper()
	account, token, err := v.CreateAccount(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return account, token
}

// waitHistory polls the account's history until ok accepts it.
func waitHistory(t *testing.T, v *market.Venue, account string, ok func(*market.AccountHistory) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		h, err := v.AccountHistory(context.Background(), account, 1000)
		if err == nil && ok(h) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("history of %s never became as expected: %+v, %v", account, h, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestRESTAccountHistory(t *testing.T) {
	s, v := accountTestServer(t, []byte("test key"))
	a, tokA := newAccount(t, v)
	b, tokB := newAccount(t, v)
	place := func(acct, cid, side, typ, qty, px string) {
		t.Helper()
		if err := v.PlaceOrder(market.Origin{Session: 1}, acct, market.OrderRequest{CID: cid, Symbol: "BTC-USD", Side: side, Type: typ, Qty: qty, Px: px}); err != nil {
			t.Fatal(err)
		}
	}
	place(a, "a-fill", "sell", "limit", "0.2000", "60000.00")
	place(b, "b-take", "buy", "market", "0.2000", "")
	place(a, "a-band", "buy", "limit", "0.1000", "1.00")
	place(a, "a-open", "buy", "limit", "0.1000", "59000.00")
	place(b, "b-open", "sell", "limit", "0.1000", "61000.00")
	waitHistory(t, v, a, func(h *market.AccountHistory) bool { return len(h.Orders) == 3 && len(h.Fills) == 1 })
	waitHistory(t, v, b, func(h *market.AccountHistory) bool { return len(h.Orders) == 2 && len(h.Fills) == 1 })

	ordersOf := func(tok string) []map[string]any {
		t.Helper()
		r := s.restCall("GET", "/api/v1/account/orders", "Bearer "+tok)
		if r.status != 200 || string(r.header.ContentType()) != "application/json" {
			t.Fatalf("orders: %d %s %s", r.status, r.header.ContentType(), r.body)
		}
		if got := string(r.header.Peek("Access-Control-Allow-Origin")); got != "*" {
			t.Fatalf("Access-Control-Allow-Origin %q", got)
		}
		if got := string(r.header.Peek("Cache-Control")); got != "no-store" {
			t.Fatalf("Cache-Control %q", got)
		}
		var out []map[string]any
		if err := json.Unmarshal(r.body, &out); err != nil {
			t.Fatalf("orders body %s: %v", r.body, err)
		}
		return out
	}
	fillsOf := func(tok string) []map[string]any {
		t.Helper()
		r := s.restCall("GET", "/api/v1/account/fills", "bearer  "+tok+" ")
		if r.status != 200 {
			t.Fatalf("fills: %d %s", r.status, r.body)
		}
		var out []map[string]any
		if err := json.Unmarshal(r.body, &out); err != nil {
			t.Fatalf("fills body %s: %v", r.body, err)
		}
		return out
	}

	oa := ordersOf(tokA)
	var got []string
	for _, o := range oa {
		got = append(got, o["cid"].(string)+" "+o["status"].(string)+" "+str(o["reason"]))
		if o["t"] != "order" || o["s"] != "BTC-USD" || o["created"].(float64) <= 0 || o["ts"].(float64) <= 0 {
			t.Fatalf("order record %v", o)
		}
		if _, ok := o["id"]; ok {
			t.Fatalf("an order record carries an operation id: %v", o)
		}
	}
	if want := []string{"a-fill filled ", "a-band rejected price_band", "a-open new "}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("a's orders: %q", got)
	}
	if oa[0]["avg_px"] != "60000.00" || oa[0]["filled"] != "0.2000" || oa[1]["oid"].(float64) != 0 {
		t.Fatalf("a's orders: %v", oa)
	}
	fa := fillsOf(tokA)
	if len(fa) != 1 || fa[0]["t"] != "fill" || fa[0]["cid"] != "a-fill" || fa[0]["liq"] != "maker" || fa[0]["px"] != "60000.00" || fa[0]["qty"] != "0.2000" {
		t.Fatalf("a's fills: %v", fa)
	}

	// B's token sees B's orders and fills, nothing of A's.
	for _, o := range ordersOf(tokB) {
		if !strings.HasPrefix(o["cid"].(string), "b-") {
			t.Fatalf("b sees %v", o)
		}
	}
	fb := fillsOf(tokB)
	if len(fb) != 1 || fb[0]["cid"] != "b-take" || fb[0]["liq"] != "taker" {
		t.Fatalf("b's fills: %v", fb)
	}

	// limit keeps the newest.
	r := s.restCall("GET", "/api/v1/account/orders?limit=1", "Bearer "+tokA)
	if r.status != 200 || !strings.Contains(string(r.body), `"cid":"a-open"`) || strings.Count(string(r.body), `"t":"order"`) != 1 {
		t.Fatalf("limit=1: %d %s", r.status, r.body)
	}
	for _, q := range []string{"limit=0", "limit=1001", "limit=x"} {
		if r := s.restCall("GET", "/api/v1/account/fills?"+q, "Bearer "+tokA); r.status != 400 {
			t.Fatalf("%s: %d %s", q, r.status, r.body)
		}
	}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func TestRESTAccountUnauthorized(t *testing.T) {
	s, v := accountTestServer(t, []byte("test key"))
	_, tok := newAccount(t, v)
	// A token signed with the same key for an account this venue does not
	// have (another venue's first account).
	_, other := accountTestServer(t, []byte("test key"))
	for range 3 {
		newAccount(t, other)
	}
	_, foreign := newAccount(t, other)
	if _, ok := v.VerifyToken(foreign); !ok {
		t.Fatal("the other venue's token does not verify here: the case would not test an unknown account")
	}
	// A token of another server (another key).
	_, otherKey := accountTestServer(t, []byte("another key"))
	_, wrongKey := newAccount(t, otherKey)

	cases := []struct{ name, auth string }{
		{"none", ""},
		{"empty bearer", "Bearer "},
		{"basic", "Basic " + tok},
		{"token alone", tok},
		{"tampered", "Bearer " + tok[:len(tok)-2] + "xx"},
		{"other key", "Bearer " + wrongKey},
		{"unknown account", "Bearer " + foreign},
		{"huge", "Bearer " + strings.Repeat("a", 5000)},
	}
	for _, c := range cases {
		for _, path := range []string{"/api/v1/account/orders", "/api/v1/account/fills"} {
			r := s.restCall("GET", path, c.auth)
			if r.status != 401 || !strings.Contains(string(r.body), `"code":"invalid_token"`) {
				t.Errorf("%s %s: %d %s", c.name, path, r.status, r.body)
			}
			if got := string(r.header.Peek("WWW-Authenticate")); !strings.HasPrefix(got, "Bearer") {
				t.Errorf("%s: WWW-Authenticate %q", c.name, got)
			}
		}
	}
	if r := s.restCall("POST", "/api/v1/account/orders", "Bearer "+tok); r.status != 405 {
		t.Errorf("POST: %d", r.status)
	}
	if r := s.restCall("GET", "/api/v1/account/balances", "Bearer "+tok); r.status != 404 {
		t.Errorf("unknown account endpoint: %d", r.status)
	}
	r := s.restCall("OPTIONS", "/api/v1/account/orders", "")
	if r.status != 204 || !strings.Contains(string(r.header.Peek("Access-Control-Allow-Headers")), "Authorization") {
		t.Errorf("preflight: %d %q", r.status, r.header.Peek("Access-Control-Allow-Headers"))
	}
}
