package ws

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/tickcast/tickcast/feed/wire"
)

// refusal is a handshake the server will not upgrade: an HTTP status and a
// short reason for the body.
type refusal struct {
	status int
	msg    string
}

// handshake checks an upgrade request (RFC 6455 4.2.1, protocol.md 2.1) and
// returns the accept key and the negotiated subprotocol ("" when the client
// offered none: msgpack, no subprotocol in the answer).
func handshake(ctx *fasthttp.RequestCtx, allow *originPolicy) (accept string, proto string, format wire.Format, ref *refusal) {
	h := &ctx.Request.Header
	switch {
	case !ctx.IsGet():
		return "", "", 0, &refusal{fasthttp.StatusMethodNotAllowed, "websocket upgrade needs GET"}
	case !h.IsHTTP11():
		return "", "", 0, &refusal{fasthttp.StatusBadRequest, "websocket upgrade needs HTTP/1.1"}
	case !headerHasToken(h.Peek("Upgrade"), "websocket"):
		return "", "", 0, &refusal{fasthttp.StatusUpgradeRequired, "Upgrade: websocket required"}
	case !headerHasToken(h.Peek("Connection"), "upgrade"):
		return "", "", 0, &refusal{fasthttp.StatusBadRequest, "Connection: upgrade required"}
	}
	if v := string(h.Peek("Sec-WebSocket-Version")); v != "13" {
		ctx.Response.Header.Set("Sec-WebSocket-Version", "13")
		return "", "", 0, &refusal{fasthttp.StatusUpgradeRequired, "Sec-WebSocket-Version 13 required"}
	}
	key := h.Peek("Sec-WebSocket-Key")
	if dec, err := base64.StdEncoding.DecodeString(string(key)); err != nil || len(dec) != 16 || len(key) != 24 {
		return "", "", 0, &refusal{fasthttp.StatusBadRequest, "bad Sec-WebSocket-Key"}
	}
	if !allow.accepts(h.Peek("Origin"), h.Host()) {
		return "", "", 0, &refusal{fasthttp.StatusForbidden, "origin not allowed"}
	}
	format = wire.MsgPack
	if offered := h.Peek("Sec-WebSocket-Protocol"); len(offered) > 0 {
		var ok bool
		if proto, format, ok = negotiate(offered); !ok {
			return "", "", 0, &refusal{fasthttp.StatusBadRequest, "no supported subprotocol: offer tickcast.v1.msgpack or tickcast.v1.json"}
		}
	}
	return acceptKey(key), proto, format, nil
}

// acceptKey is base64(SHA-1(key + the RFC 6455 GUID)).
func acceptKey(key []byte) string {
	sum := sha1.Sum(append(bytes.Clone(key), "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"...))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// negotiate picks the first offered subprotocol the server speaks.
func negotiate(offered []byte) (string, wire.Format, bool) {
	for _, p := range strings.Split(string(offered), ",") {
		p = strings.TrimSpace(p)
		if f, ok := wire.FormatOf(p); ok {
			return p, f, true
		}
	}
	return "", 0, false
}

// headerHasToken reports whether a comma-separated header value contains
// token, case-insensitively.
func headerHasToken(v []byte, token string) bool {
	for _, part := range bytes.Split(v, []byte{','}) {
		if strings.EqualFold(string(bytes.TrimSpace(part)), token) {
			return true
		}
	}
	return false
}

// originPolicy is protocol.md 2.1's Origin rule.
type originPolicy struct {
	any     bool
	allowed map[string]bool
}

func newOriginPolicy(list []string) *originPolicy {
	p := &originPolicy{allowed: map[string]bool{}}
	for _, o := range list {
		o = strings.TrimSpace(o)
		if o == "*" {
			p.any = true
		} else if o != "" {
			p.allowed[strings.ToLower(strings.TrimSuffix(o, "/"))] = true
		}
	}
	return p
}

// accepts: no Origin (not a browser), an Origin whose host is the request's
// Host, a listed origin, or anything with "*".
func (p *originPolicy) accepts(origin, host []byte) bool {
	if len(origin) == 0 || p.any {
		return true
	}
	o := strings.ToLower(string(origin))
	if p.allowed[o] {
		return true
	}
	if _, rest, ok := strings.Cut(o, "://"); ok && rest == strings.ToLower(string(host)) {
		return true
	}
	return false
}
