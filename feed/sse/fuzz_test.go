package sse

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/feed/wire"
)

// FuzzParse: what a viewer's request line and Last-Event-ID can hold is
// either a request of known streams (at most the hub's limit, resuming
// from a valid epoch) or a 400 with protocol.md 1.1's JSON error, whose
// message echoes at most 32 printable bytes of the input; never a panic.
func FuzzParse(f *testing.F) {
	for _, seed := range [][2]string{
		{"", ""},
		{"channels=trades,book&symbols=BTC-USD", ""},
		{"channels=ticker", "ep1:42"},
		{"channels=trades&last_event_id=ep1:7", ""},
		{"channels=trades,nope", ""},
		{"symbols=BTC-USD,%00%ff", "ep1:x"},
		{"channels=,,,trades,trades", "e p:5"},
		{"channels=" + strings.Repeat("trades,", 50), "ep1:18446744073709551616"},
	} {
		f.Add(seed[0], seed[1])
	}
	ff := newFeed(f, withHub(func(c *hub.Config) { c.MaxSubscriptions = 3 }))
	s := ff.SSE
	f.Fuzz(func(t *testing.T, query, lastID string) {
		var ctx fasthttp.RequestCtx
		ctx.Request.SetRequestURI("/sse?" + query)
		if lastID != "" {
			ctx.Request.Header.Set("Last-Event-ID", lastID)
		}
		r, ok := s.parse(&ctx)
		if ok {
			if len(r.streams) == 0 || len(r.streams) > 3 {
				t.Fatalf("%d streams", len(r.streams))
			}
			for _, st := range r.streams {
				if st == nil {
					t.Fatal("a nil stream")
				}
			}
			if r.resume && !wire.ValidEpoch(r.epoch) {
				t.Fatalf("resume from epoch %q", r.epoch)
			}
			return
		}
		if code := ctx.Response.StatusCode(); code != fasthttp.StatusBadRequest {
			t.Fatalf("refused with %d", code)
		}
		var body struct{ Code, Msg string }
		if err := json.Unmarshal(ctx.Response.Body(), &body); err != nil || body.Code == "" || body.Msg == "" {
			t.Fatalf("error body %q: %v", ctx.Response.Body(), err)
		}
		if _, echo, found := strings.Cut(body.Msg, ": "); found && !strings.HasPrefix(body.Msg, "too many") {
			if len(echo) > 32 || strings.IndexFunc(echo, func(r rune) bool { return r < 0x20 || r > 0x7e }) >= 0 {
				t.Fatalf("echoes %q", echo)
			}
		}
	})
}
