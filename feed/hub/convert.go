package hub

import (
	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/market"
)

// public converts a public venue event to its wire message.
func public(e *market.Event) wire.Message {
	meta := wire.Meta{Ch: e.Kind.Channel(), S: e.Symbol, Seq: e.Seq, Off: e.Off, Ts: e.TS}
	switch e.Kind {
	case market.KindTrade:
		t := e.Trade
		return &wire.Trade{Meta: meta, ID: t.ID, Px: t.Px, Qty: t.Qty, Side: t.Side}
	case market.KindBook:
		return &wire.BookDelta{BookLevels: bookLevels(meta, e.Book)}
	case market.KindBookSnapshot:
		return &wire.BookSnapshot{BookLevels: bookLevels(meta, e.Book)}
	case market.KindQuote:
		q := e.Quote
		return &wire.Quote{Meta: meta, Bid: q.Bid, BidQty: q.BidQty, Ask: q.Ask, AskQty: q.AskQty}
	case market.KindTicker:
		t := e.Ticker
		return &wire.Ticker{Meta: meta, Last: t.Last, Open: t.Open, High: t.High, Low: t.Low, Vol: t.Vol, Change: t.Change}
	case market.KindCandle1s, market.KindCandle1m:
		c := e.Candle
		return &wire.Candle{Meta: meta, Start: c.Start, O: c.O, H: c.H, L: c.L, C: c.C, V: c.V, N: uint64(c.N), Closed: c.Closed}
	}
	return nil
}

func bookLevels(meta wire.Meta, b *market.BookData) wire.BookLevels {
	return wire.BookLevels{Meta: meta, Bids: levels(b.Bids), Asks: levels(b.Asks), CS: b.Checksum}
}

func levels(ls []market.PriceLevel) []wire.Level {
	out := make([]wire.Level, len(ls))
	for i, l := range ls {
		out[i] = wire.Level{Px: l[0], Qty: l[1]}
	}
	return out
}

// private converts a private event or a reply to its wire message; withID
// says whether to carry the answered operation's id.
func private(e *market.Event, withID bool) wire.Message {
	var id wire.ID
	if withID && e.Origin.HasID {
		id = wire.SomeID(uint64(e.Origin.ID))
	}
	switch e.Kind {
	case market.KindOrder:
		o := e.Order
		return &wire.Order{ID: id, OID: o.OID, CID: o.CID, S: e.Symbol, Side: o.Side, Type: o.Type, TIF: o.TIF, PostOnly: o.PostOnly,
			Px: o.Px, Qty: o.Qty, Filled: o.Filled, AvgPx: o.AvgPx, Status: o.Status, Reason: o.Reason, Seq: e.Seq, Ts: e.TS}
	case market.KindFill:
		f := e.Fill
		return &wire.Fill{OID: f.OID, CID: f.CID, TradeID: f.TradeID, S: e.Symbol, Side: f.Side, Px: f.Px, Qty: f.Qty, Liq: f.Liq, Seq: e.Seq, Ts: e.TS}
	case market.KindAccount:
		bs := make([]wire.Balance, len(e.Balances))
		for i, b := range e.Balances {
			bs[i] = wire.Balance{Asset: b.Asset, Total: b.Total, Available: b.Available}
		}
		return &wire.Account{Account: e.Account, Balances: bs, Seq: e.Seq, Ts: e.TS}
	case market.KindAuthed:
		return &wire.Authed{ID: id, Account: e.Account}
	case market.KindCanceledAll:
		return &wire.CanceledAll{ID: id, Count: uint64(e.Reply.Count)}
	case market.KindError:
		return &wire.Error{ID: id, Code: e.Reply.Code, Msg: e.Reply.Msg, Reason: e.Reply.Reason}
	}
	return nil
}

// Message returns the wire message of a public venue event (trade, book
// delta or snapshot, quote, ticker, candle), or nil for other kinds: REST
// answers use it so that they carry the same fields as the streams.
func Message(e *market.Event) wire.Message { return public(e) }

// PrivateMessage returns the wire message of a private event or a reply
// (order, fill, account, authed, canceled_all, error), carrying the
// answered operation's id if withID: what a session of the account
// receives. Tests use it to pin the bytes clients get.
func PrivateMessage(e *market.Event, withID bool) wire.Message { return private(e, withID) }
