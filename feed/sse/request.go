package sse

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/feed/wire"
)

// request is a parsed /sse request.
type request struct {
	streams []*hub.Stream
	epoch   string
	off     uint64
	resume  bool
}

// errorBody answers status with protocol.md 1.1's JSON error body.
func errorBody(ctx *fasthttp.RequestCtx, status int, code, msg string) {
	b, _ := json.Marshal(map[string]string{"code": code, "msg": msg})
	ctx.SetStatusCode(status)
	ctx.SetContentType("application/json")
	ctx.SetBody(b)
}

// parse reads channels (default ticker), symbols (default all) and the
// last event id: the Last-Event-ID header, else the last_event_id query
// parameter. The header wins because a browser that reconnects sends its
// newest id there, while the URL keeps the id it was opened with. Any
// error is answered 400 here.
func (s *Server) parse(ctx *fasthttp.RequestCtx) (request, bool) {
	h := s.cfg.Hub
	args := ctx.QueryArgs()
	channels := splitList(string(args.Peek("channels")), []string{wire.ChanTicker})
	symbols := splitList(string(args.Peek("symbols")), h.Symbols())
	var r request
	for _, ch := range channels {
		if len(h.Symbols()) == 0 || h.Lookup(ch, h.Symbols()[0]) == nil {
			errorBody(ctx, fasthttp.StatusBadRequest, wire.CodeUnknownChannel, "unknown channel: "+truncate(ch))
			return r, false
		}
	}
	for _, sym := range symbols {
		if !h.KnownSymbol(sym) {
			errorBody(ctx, fasthttp.StatusBadRequest, wire.CodeUnknownSymbol, "unknown symbol: "+truncate(sym))
			return r, false
		}
	}
	if len(channels)*len(symbols) > h.MaxSubscriptions() {
		errorBody(ctx, fasthttp.StatusBadRequest, wire.CodeTooManySubscriptions,
			"too many streams: at most "+strconv.Itoa(h.MaxSubscriptions())+" channel×symbol pairs")
		return r, false
	}
	for _, sym := range symbols {
		for _, ch := range channels {
			r.streams = append(r.streams, h.Lookup(ch, sym))
		}
	}
	id := string(ctx.Request.Header.Peek("Last-Event-ID"))
	if id == "" {
		id = string(args.Peek("last_event_id"))
	}
	if id != "" {
		epoch, off, ok := parseID(id)
		if !ok {
			errorBody(ctx, fasthttp.StatusBadRequest, wire.CodeBadRequest, "Last-Event-ID must be <epoch>:<off>")
			return r, false
		}
		r.epoch, r.off, r.resume = epoch, off, true
	}
	return r, true
}

// parseID splits an event id "<epoch>:<off>" (protocol.md 7.6). The epoch must
// be a valid epoch, so nothing a client sends can reach a response.
func parseID(id string) (epoch string, off uint64, ok bool) {
	epoch, num, found := strings.Cut(id, ":")
	if !found || !wire.ValidEpoch(epoch) || num == "" || len(num) > 20 {
		return "", 0, false
	}
	n, err := strconv.ParseUint(num, 10, 64)
	if err != nil {
		return "", 0, false
	}
	return epoch, n, true
}

// truncate keeps echoed client input short and printable.
func truncate(s string) string {
	if len(s) > 32 {
		s = s[:32]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, s)
}

// splitList splits a comma list, trimming blanks and dropping repeats; an
// empty list means def.
func splitList(v string, def []string) []string {
	if v == "" {
		return def
	}
	var out []string
	seen := map[string]bool{}
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return def
	}
	return out
}
