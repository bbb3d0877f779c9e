package ws

import (
	"errors"
	"time"

	"github.com/gobwas/ws"

	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/market"
)

// handle decodes and carries out one client message.
func (s *session) handle(msg []byte) {
	op, err := wire.DecodeOp(s.format, msg)
	if err != nil && !errors.Is(err, wire.ErrOrderReject) {
		// An order whose side, type or tif is invalid is still an order: the
		// venue answers it with an order rejected. Anything else is malformed.
		var oe *wire.OpError
		if !errors.As(err, &oe) {
			oe = &wire.OpError{Code: wire.CodeBadRequest, Msg: "malformed message"}
		}
		s.malformed++
		r := oe.Reply()
		s.reply(&r)
		if s.malformed > s.cfg.MalformedBudget {
			s.shut(ws.StatusPolicyViolation, closeReason(ws.StatusPolicyViolation))
		}
		return
	}
	switch o := op.(type) {
	case *wire.Subscribe:
		if s.admit(o.ID, false) {
			s.subscribe(o)
		}
	case *wire.Unsubscribe:
		if s.admit(o.ID, false) {
			s.unsubscribe(o)
		}
	case *wire.Auth:
		if s.admit(o.ID, true) {
			s.auth(o)
		}
	case *wire.NewOrder:
		if s.authed(o.ID) && s.admit(o.ID, true) && s.charged(o.ID, s.account) {
			s.expect(o.ID)
			s.venueErr(o.ID, s.cfg.Venue.PlaceOrder(s.origin(o.ID), s.account, market.OrderRequest{
				CID: o.CID, Symbol: o.S, Side: o.Side, Type: o.Type, TIF: o.TIF, Qty: o.Qty, Px: o.Px, PostOnly: o.PostOnly,
			}))
		}
	case *wire.Cancel:
		if s.authed(o.ID) && s.admit(o.ID, true) && s.charged(o.ID, s.account) {
			s.expect(o.ID)
			s.venueErr(o.ID, s.cfg.Venue.CancelOrder(s.origin(o.ID), s.account, ref(o.OID, o.CID)))
		}
	case *wire.Amend:
		if s.authed(o.ID) && s.admit(o.ID, true) && s.charged(o.ID, s.account) {
			s.expect(o.ID)
			s.venueErr(o.ID, s.cfg.Venue.AmendOrder(s.origin(o.ID), s.account, ref(o.OID, o.CID), market.AmendRequest{Qty: o.Qty, Px: o.Px}))
		}
	case *wire.CancelAll:
		if s.authed(o.ID) && s.admit(o.ID, true) {
			if o.S != "" && !s.cfg.Hub.KnownSymbol(o.S) {
				s.reply(&wire.Error{ID: o.ID, Code: wire.CodeUnknownSymbol, Msg: "unknown symbol"})
				return
			}
			if !s.charged(o.ID, s.account) {
				return
			}
			s.expect(o.ID)
			s.venueErr(o.ID, s.cfg.Venue.CancelAll(s.origin(o.ID), s.account, o.S))
		}
	case *wire.Ping:
		s.reply(&wire.Pong{ID: o.ID, Ts: time.Now().UnixNano()})
	}
}

func ref(oid wire.ID, cid string) market.OrderRef {
	if oid.Valid {
		return market.OrderRef{OID: oid.Value}
	}
	return market.OrderRef{CID: cid}
}

func (s *session) origin(id wire.ID) market.Origin {
	return market.Origin{Session: s.sub.ID, ID: int64(id.Value), HasID: id.Valid}
}

// authed answers not_authenticated unless the session has authenticated.
func (s *session) authed(id wire.ID) bool {
	if s.account == "" {
		s.reply(&wire.Error{ID: id, Code: wire.CodeNotAuthenticated, Msg: "auth first"})
		return false
	}
	s.srv.reads.watch(s) // a trader: its next operations are read at once
	return true
}

// venueErr answers an operation the venue could not take, which then
// no longer counts as waiting for it (charged counted it).
func (s *session) venueErr(id wire.ID, err error) {
	if err == nil {
		return
	}
	s.uncharge()
	code, msg := wire.CodeInternal, "venue unavailable"
	if errors.Is(err, market.ErrBusy) {
		code, msg = wire.CodeRateLimited, "venue busy: retry"
	}
	s.reply(&wire.Error{ID: id, Code: code, Msg: msg})
}

func (s *session) auth(o *wire.Auth) {
	account, ok := s.cfg.Venue.VerifyToken(o.Token)
	if !ok {
		s.reply(&wire.Error{ID: o.ID, Code: wire.CodeInvalidToken, Msg: "invalid token"})
		return
	}
	// Counted against the account the token names (and moving the
	// session's other waiting operations to it): one address cannot flood
	// the venue with auths any more than with orders.
	if !s.charged(o.ID, account) {
		return
	}
	if s.account != "" && s.account != account {
		_ = s.cfg.Venue.Detach(s.srv.ctx, s.sub.ID, s.account)
	}
	s.account = account
	s.venueErr(o.ID, s.cfg.Venue.Auth(s.origin(o.ID), account, o.CancelOnDisconnect))
}

// streams resolves channels x symbols, answering unknown ones.
func (s *session) streams(id wire.ID, channels, symbols []string) ([]*hub.Stream, bool) {
	if len(channels) == 0 || len(symbols) == 0 {
		s.reply(&wire.Error{ID: id, Code: wire.CodeBadRequest, Msg: "channels and symbols are required"})
		return nil, false
	}
	for _, ch := range channels {
		if s.cfg.Hub.Lookup(ch, s.cfg.Hub.Symbols()[0]) == nil {
			s.reply(&wire.Error{ID: id, Code: wire.CodeUnknownChannel, Msg: "unknown channel"})
			return nil, false
		}
	}
	for _, sym := range symbols {
		if !s.cfg.Hub.KnownSymbol(sym) {
			s.reply(&wire.Error{ID: id, Code: wire.CodeUnknownSymbol, Msg: "unknown symbol"})
			return nil, false
		}
	}
	if len(channels)*len(symbols) > s.cfg.Hub.MaxSubscriptions() {
		s.reply(&wire.Error{ID: id, Code: wire.CodeTooManySubscriptions, Msg: "subscription limit reached"})
		return nil, false
	}
	out := make([]*hub.Stream, 0, len(channels)*len(symbols))
	seen := map[*hub.Stream]bool{}
	for _, sym := range symbols {
		for _, ch := range channels {
			if st := s.cfg.Hub.Lookup(ch, sym); !seen[st] {
				seen[st] = true
				out = append(out, st)
			}
		}
	}
	return out, true
}

func (s *session) subscribe(o *wire.Subscribe) {
	streams, ok := s.streams(o.ID, o.Channels, o.Symbols)
	if !ok {
		return
	}
	_ = s.cfg.Hub.Subscribe(s.srv.ctx, s.sub, hub.Request{ID: o.ID, Streams: streams, Epoch: o.Epoch, Since: o.Since})
}

func (s *session) unsubscribe(o *wire.Unsubscribe) {
	streams, ok := s.streams(o.ID, o.Channels, o.Symbols)
	if !ok {
		return
	}
	_ = s.cfg.Hub.Unsubscribe(s.srv.ctx, s.sub, o.ID, streams)
}
