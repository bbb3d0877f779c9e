package feed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/valyala/fasthttp"

	"github.com/tickcast/tickcast/feed/hub"
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
			out[i] = orderJSON{wire.TypeOrder, *hub.PrivateMessage(r.Event, false).(*wire.Order), r.Created}
		}
		b, err = json.Marshal(out)
	} else {
		out := make([]fillJSON, len(h.Fills))
		for i, e := range h.Fills {
			out[i] = fillJSON{wire.TypeFill, *hub.PrivateMessage(e, false).(*wire.Fill)}
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
