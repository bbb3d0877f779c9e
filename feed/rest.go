package feed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/market"
	"github.com/tickcast/tickcast/web"
)

// jsonError answers protocol.md 1.1's error body.
func jsonError(ctx *fasthttp.RequestCtx, status int, code, msg string) {
	b, _ := json.Marshal(map[string]string{"code": code, "msg": msg})
	ctx.SetStatusCode(status)
	ctx.SetContentType("application/json")
	ctx.SetBody(b)
}

func jsonBody(ctx *fasthttp.RequestCtx, b []byte) {
	ctx.SetContentType("application/json")
	ctx.Response.Header.Set("Cache-Control", "no-store")
	ctx.SetBody(b)
}

// publicInstrument is an instrument as REST shows it (protocol.md 1.1): the
// simulator's parameters stay private.
type publicInstrument struct {
	S       string `json:"s"`
	Base    string `json:"base"`
	Quote   string `json:"quote"`
	Tick    string `json:"tick"`
	Lot     string `json:"lot"`
	MinQty  string `json:"min_qty"`
	MaxQty  string `json:"max_qty"`
	BandPct string `json:"band_pct"`
	Ref     string `json:"ref"`
}

// api serves /api/v1/….
func (s *Server) api(ctx *fasthttp.RequestCtx, p string) {
	h := &ctx.Response.Header
	h.Set("Access-Control-Allow-Origin", s.cfg.CORSOrigin)
	if ctx.IsOptions() {
		h.Set("Access-Control-Allow-Methods", "GET, POST")
		h.Set("Access-Control-Allow-Headers", "Content-Type, Authorization")
		ctx.SetStatusCode(fasthttp.StatusNoContent)
		return
	}
	rest, ok := strings.CutPrefix(p, "/api/v1/")
	if !ok {
		jsonError(ctx, fasthttp.StatusNotFound, "not_found", "no such endpoint")
		return
	}
	name, arg, _ := strings.Cut(rest, "/")
	if name == "accounts" && arg == "" {
		if !ctx.IsPost() {
			jsonError(ctx, fasthttp.StatusMethodNotAllowed, wire.CodeBadRequest, "POST to create an account")
			return
		}
		s.createAccount(ctx)
		return
	}
	if !ctx.IsGet() && !ctx.IsHead() {
		jsonError(ctx, fasthttp.StatusMethodNotAllowed, wire.CodeBadRequest, "GET only")
		return
	}
	rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var err error
	switch {
	case name == "instruments" && arg == "":
		s.instruments(ctx)
	case name == "ticker" && arg == "":
		err = s.tickers(rctx, ctx)
	case name == "book" && arg != "":
		err = s.book(rctx, ctx, arg)
	case name == "trades" && arg != "":
		err = s.trades(rctx, ctx, arg)
	case name == "candles" && arg != "":
		err = s.candles(rctx, ctx, arg)
	case name == "account" && (arg == "orders" || arg == "fills"):
		err = s.accountHistory(rctx, ctx, arg)
	default:
		jsonError(ctx, fasthttp.StatusNotFound, "not_found", "no such endpoint")
	}
	switch {
	case err == nil:
	case errors.Is(err, market.ErrUnknownSymbol):
		jsonError(ctx, fasthttp.StatusNotFound, wire.CodeUnknownSymbol, "unknown symbol")
	case errors.Is(err, errBadParam):
		jsonError(ctx, fasthttp.StatusBadRequest, wire.CodeBadRequest, err.Error())
	case errors.Is(err, errUnauthorized):
		h.Set("WWW-Authenticate", `Bearer realm="tickcast"`)
		jsonError(ctx, fasthttp.StatusUnauthorized, wire.CodeInvalidToken, err.Error())
	default:
		s.log.Warn("feed: rest", "path", p, "err", err)
		jsonError(ctx, fasthttp.StatusServiceUnavailable, wire.CodeInternal, "venue unavailable")
	}
}

var errBadParam = errors.New("bad parameter")

// limit reads ?limit=N with a default and a maximum.
func limit(ctx *fasthttp.RequestCtx, def, most int) (int, error) {
	return intParam(ctx, "limit", def, most)
}

// intParam reads the query parameter name as an integer in 1..most, def
// when absent.
func intParam(ctx *fasthttp.RequestCtx, name string, def, most int) (int, error) {
	v := ctx.QueryArgs().Peek(name)
	if len(v) == 0 {
		return def, nil
	}
	n, err := strconv.Atoi(string(v))
	if err != nil || n < 1 || n > most {
		return 0, fmt.Errorf("%w: %s must be 1..%d", errBadParam, name, most)
	}
	return n, nil
}

func (s *Server) instruments(ctx *fasthttp.RequestCtx) {
	var out []publicInstrument
	for _, in := range s.cfg.Venue.Instruments() {
		out = append(out, publicInstrument{in.Symbol, in.Base, in.Quote, in.Tick, in.Lot, in.MinQty, in.MaxQty, in.BandPct, in.Ref})
	}
	b, _ := json.Marshal(out)
	jsonBody(ctx, b)
}

// eventsJSON writes events as a JSON array of their wire objects.
func eventsJSON(ctx *fasthttp.RequestCtx, events []*market.Event) {
	b := append(make([]byte, 0, 256*len(events)+2), '[')
	for i, e := range events {
		if i > 0 {
			b = append(b, ',')
		}
		b = hub.Message(e).AppendJSON(b)
	}
	jsonBody(ctx, append(b, ']'))
}

func (s *Server) tickers(rctx context.Context, ctx *fasthttp.RequestCtx) error {
	events, err := s.cfg.Venue.Tickers(rctx)
	if err == nil {
		eventsJSON(ctx, events)
	}
	return err
}

func (s *Server) book(rctx context.Context, ctx *fasthttp.RequestCtx, symbol string) error {
	depth, err := intParam(ctx, "depth", min(100, s.cfg.Hub.SnapshotDepth()), s.cfg.Hub.SnapshotDepth())
	if err != nil {
		return err
	}
	b, err := s.cfg.Hub.BookJSON(rctx, symbol, depth)
	if errors.Is(err, hub.ErrUnknownSymbol) {
		return fmt.Errorf("%w: %q", market.ErrUnknownSymbol, symbol)
	}
	if err == nil {
		jsonBody(ctx, b)
	}
	return err
}

func (s *Server) trades(rctx context.Context, ctx *fasthttp.RequestCtx, symbol string) error {
	n, err := limit(ctx, 100, 1000)
	if err != nil {
		return err
	}
	events, err := s.cfg.Venue.Trades(rctx, symbol, n)
	if err == nil {
		eventsJSON(ctx, events)
	}
	return err
}

// candleJSON is a candle as REST shows it: the candle message's fields
// without the stream stamps (seq, off, ts) that belong to live messages.
type candleJSON struct {
	T      string `json:"t"`
	Ch     string `json:"ch"`
	S      string `json:"s"`
	Start  int64  `json:"start"`
	O      string `json:"o"`
	H      string `json:"h"`
	L      string `json:"l"`
	C      string `json:"c"`
	V      string `json:"v"`
	N      int    `json:"n"`
	Closed bool   `json:"closed"`
}

func (s *Server) candles(rctx context.Context, ctx *fasthttp.RequestCtx, symbol string) error {
	interval := string(ctx.QueryArgs().Peek("interval"))
	if interval == "" {
		interval = "1m"
	}
	if interval != "1s" && interval != "1m" {
		return fmt.Errorf("%w: interval must be 1s or 1m", errBadParam)
	}
	n, err := limit(ctx, 300, 1000)
	if err != nil {
		return err
	}
	list, err := s.cfg.Venue.Candles(rctx, symbol, interval, n)
	if err != nil {
		return err
	}
	out := make([]candleJSON, len(list))
	for i, c := range list {
		out[i] = candleJSON{wire.TypeCandle, "candles." + interval, symbol, c.Start, c.O.String(), c.H.String(), c.L.String(), c.C.String(), c.V.String(), c.N, c.Closed}
	}
	b, _ := json.Marshal(out)
	jsonBody(ctx, b)
	return nil
}

func (s *Server) createAccount(ctx *fasthttp.RequestCtx) {
	if !s.accounts.allow(netKey(ctx.RemoteIP(), 24)) {
		// One more account is allowed every 60/AccountsPerMinute seconds.
		ctx.Response.Header.Set("Retry-After", strconv.Itoa(max(1, (60+s.cfg.AccountsPerMinute-1)/s.cfg.AccountsPerMinute)))
		jsonError(ctx, fasthttp.StatusTooManyRequests, wire.CodeRateLimited, "too many accounts from this network: try again in a minute")
		return
	}
	rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	account, token, err := s.cfg.Venue.CreateAccount(rctx)
	if err != nil {
		jsonError(ctx, fasthttp.StatusServiceUnavailable, wire.CodeInternal, "venue unavailable")
		return
	}
	b, _ := json.Marshal(map[string]string{"account": account, "token": token})
	ctx.SetStatusCode(fasthttp.StatusCreated)
	jsonBody(ctx, b)
}

// ui serves the embedded demo UI.
func (s *Server) ui(ctx *fasthttp.RequestCtx, p string) {
	if !ctx.IsGet() && !ctx.IsHead() {
		jsonError(ctx, fasthttp.StatusMethodNotAllowed, wire.CodeBadRequest, "GET only")
		return
	}
	ui := s.cfg.UI
	name, page := web.PageFile(p)
	if ui == nil || !uiBuilt(ui) {
		if page {
			ctx.SetContentType("text/plain; charset=utf-8")
			ctx.SetBodyString(web.NotBuiltText)
			return
		}
	}
	if !page {
		name = strings.TrimPrefix(path.Clean(p), "/")
	}
	if ui == nil || name == "" || strings.HasPrefix(name, ".") {
		jsonError(ctx, fasthttp.StatusNotFound, "not_found", "not found")
		return
	}
	b, err := fs.ReadFile(ui, name)
	if err != nil {
		jsonError(ctx, fasthttp.StatusNotFound, "not_found", "not found")
		return
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	ctx.SetContentType(ct)
	ctx.Response.Header.Set("Cache-Control", "no-cache")
	ctx.Response.Header.Set("X-Content-Type-Options", "nosniff")
	ctx.SetBody(b)
}

func uiBuilt(ui fs.FS) bool {
	_, err := fs.Stat(ui, "index.html")
	return err == nil
}
