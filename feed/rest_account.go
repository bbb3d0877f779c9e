package feed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/valyala/fasthttp"

	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/market"
)

// errUnauthorized is a missing or invalid bearer token on an account
// endpoint (401).
var errUnauthorized = errors.New("unauthorized")

// maxBearerLen bounds the Authorization header's token, as the auth
// operation bounds its token.
const maxBearerLen = 1024

// orderJSON is an order of an account's history: the order message
// (protocol.md 5.7) without the operation id, and when the venue first
// answered the order.
type orderJSON struct {
	T string `json:"t"`
	wire.Order
	Created int64 `json:"created"`
}

// fillJSON is a fill message as the account received it.
type fillJSON struct {
	T string `json:"t"`
	wire.Fill
}

// bearer returns the token of an "Authorization: Bearer …" header.
func bearer(ctx *fasthttp.RequestCtx) (string, error) {
	h := bytes.TrimSpace(ctx.Request.Header.Peek("Authorization"))
	scheme, token, ok := bytes.Cut(h, []byte(" "))
	token = bytes.TrimSpace(token)
	if !ok || !bytes.EqualFold(scheme, []byte("Bearer")) || len(token) == 0 {
		return "", fmt.Errorf("%w: missing token (send the header Authorization: Bearer and the token)", errUnauthorized)
	}
	if len(token) > maxBearerLen {
		return "", fmt.Errorf("%w: invalid token", errUnauthorized)
	}
	return string(token), nil
}

// accountHistory serves GET /api/v1/account/orders and
// /api/v1/account/fills for the account of the bearer token.
func (s *Server) accountHistory(rctx context.Context, ctx *fasthttp.RequestCtx, what string) error {
	token, err := bearer(ctx)
	if err != nil {
		return err
	}
	account, ok := s.cfg.Venue.VerifyToken(token)
	if !ok {
		return fmt.Errorf("%w: invalid token", errUnauthorized)
	}
	n, err := limit(ctx, 100, 1000)
	if err != nil {
		return err
	}
	h, err := s.cfg.Venue.AccountHistory(rctx, account, n)
	if errors.Is(err, market.ErrUnknownAccount) {
		return fmt.Errorf("%w: invalid token", errUnauthorized)
	}
	if err != nil {
		return err
	}
	var b []byte
	if what == "orders" {
		out := make([]orderJSON, len(h.Orders))
		for i, r := range h.Orders {
			o := r.Event.Order
			out[i] = orderJSON{wire.TypeOrder, wire.Order{OID: o.OID, CID: o.CID, S: r.Event.Symbol, Side: o.Side, Type: o.Type, TIF: o.TIF,
				PostOnly: o.PostOnly, Px: o.Px, Qty: o.Qty, Filled: o.Filled, AvgPx: o.AvgPx, Status: o.Status, Reason: o.Reason,
				Seq: r.Event.Seq, Ts: r.Event.TS}, r.Created}
		}
		b, err = json.Marshal(out)
	} else {
		out := make([]fillJSON, len(h.Fills))
		for i, e := range h.Fills {
			f := e.Fill
			out[i] = fillJSON{wire.TypeFill, wire.Fill{OID: f.OID, CID: f.CID, TradeID: f.TradeID, S: e.Symbol, Side: f.Side,
				Px: f.Px, Qty: f.Qty, Liq: f.Liq, Seq: e.Seq, Ts: e.TS}}
		}
		b, err = json.Marshal(out)
	}
	if err != nil {
		return err
	}
	ctx.Response.Header.Set("Vary", "Authorization")
	jsonBody(ctx, b)
	return nil
}
