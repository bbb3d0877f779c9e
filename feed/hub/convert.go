package hub

import (
	"unsafe"

	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/market"
)

// The venue's events carry their decimals as market.Decs (integers); the
// wire messages carry text. The conversion below writes every decimal of
// one event into one buffer (texts), one allocation per event however many
// decimals it has: the hub converts and encodes each event once, and every
// session shares the result.

// texts writes decimals into one buffer and returns strings sharing it.
// Bytes below the buffer's length are never written again, so the strings
// stay valid (if an append outgrows the buffer, the strings before it keep
// the old array alive).
type texts struct{ b []byte }

// newTexts returns a texts with room for n decimals of usual length.
func newTexts(n int) texts { return texts{make([]byte, 0, 16*n)} }

// dec returns d's text ("" for no number).
func (t *texts) dec(d market.Dec) string {
	start := len(t.b)
	t.b = d.Append(t.b)
	if len(t.b) == start {
		return ""
	}
	return unsafe.String(&t.b[start], len(t.b)-start)
}

// orText returns d's text, or echo if d is no number.
func (t *texts) orText(d market.Dec, echo string) string {
	if d.IsZero() {
		return echo
	}
	return t.dec(d)
}

// public converts a public venue event to its wire message.
func public(e *market.Event) wire.Message {
	meta := wire.Meta{Ch: e.Kind.Channel(), S: e.Symbol, Seq: e.Seq, Off: e.Off, Ts: e.TS}
	switch e.Kind {
	case market.KindTrade:
		t, tx := e.Trade, newTexts(2)
		return &wire.Trade{Meta: meta, ID: t.ID, Px: tx.dec(t.Px), Qty: tx.dec(t.Qty), Side: t.Side}
	case market.KindBook:
		return &wire.BookDelta{BookLevels: bookLevels(meta, e.Book)}
	case market.KindBookSnapshot:
		return &wire.BookSnapshot{BookLevels: bookLevels(meta, e.Book)}
	case market.KindQuote:
		q, tx := e.Quote, newTexts(4)
		return &wire.Quote{Meta: meta, Bid: tx.dec(q.Bid), BidQty: tx.dec(q.BidQty), Ask: tx.dec(q.Ask), AskQty: tx.dec(q.AskQty)}
	case market.KindTicker:
		t, tx := e.Ticker, newTexts(6)
		return &wire.Ticker{Meta: meta, Last: tx.dec(t.Last), Open: tx.dec(t.Open), High: tx.dec(t.High), Low: tx.dec(t.Low), Vol: tx.dec(t.Vol), Change: tx.dec(t.Change)}
	case market.KindCandle1s, market.KindCandle1m:
		c, tx := e.Candle, newTexts(5)
		return &wire.Candle{Meta: meta, Start: c.Start, O: tx.dec(c.O), H: tx.dec(c.H), L: tx.dec(c.L), C: tx.dec(c.C), V: tx.dec(c.V), N: uint64(c.N), Closed: c.Closed}
	}
	return nil
}

func bookLevels(meta wire.Meta, b *market.BookData) wire.BookLevels {
	tx := newTexts(2 * (len(b.Bids) + len(b.Asks)))
	return wire.BookLevels{Meta: meta, Bids: levels(&tx, b.Bids), Asks: levels(&tx, b.Asks), CS: b.Checksum}
}

func levels(tx *texts, ls []market.PriceLevel) []wire.Level {
	out := make([]wire.Level, len(ls))
	for i, l := range ls {
		out[i] = wire.Level{Px: tx.dec(l[0]), Qty: tx.dec(l[1])}
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
		o, tx := e.Order, newTexts(4)
		return &wire.Order{ID: id, OID: o.OID, CID: o.CID, S: e.Symbol, Side: o.Side, Type: o.Type, TIF: o.TIF, PostOnly: o.PostOnly,
			Px: tx.orText(o.Px, o.EchoPx), Qty: tx.orText(o.Qty, o.EchoQty), Filled: tx.dec(o.Filled), AvgPx: tx.dec(o.AvgPx),
			Status: o.Status, Reason: o.Reason, Seq: e.Seq, Ts: e.TS}
	case market.KindFill:
		f, tx := e.Fill, newTexts(2)
		return &wire.Fill{OID: f.OID, CID: f.CID, TradeID: f.TradeID, S: e.Symbol, Side: f.Side, Px: tx.dec(f.Px), Qty: tx.dec(f.Qty), Liq: f.Liq, Seq: e.Seq, Ts: e.TS}
	case market.KindAccount:
		bs, tx := make([]wire.Balance, len(e.Balances)), newTexts(2*len(e.Balances))
		for i, b := range e.Balances {
			bs[i] = wire.Balance{Asset: b.Asset, Total: tx.dec(b.Total), Available: tx.dec(b.Available)}
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
// receives. REST's account history uses it too.
func PrivateMessage(e *market.Event, withID bool) wire.Message { return private(e, withID) }
