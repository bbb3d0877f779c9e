package wire

// sample is one message and the plain value a reference decoder must read
// from its encoding (numbers as int64).
type sample struct {
	name string
	msg  Message
	want map[string]any
}

const ts = int64(1700000000123456789)

func meta(ch string, seq, off uint64) Meta {
	return Meta{Ch: ch, S: "BTC-USD", Seq: seq, Off: off, Ts: ts}
}

func wantMeta(t, ch string, seq, off int64, kv ...any) map[string]any {
	m := map[string]any{"t": t, "ch": ch, "s": "BTC-USD", "seq": seq, "off": off, "ts": ts}
	return with(m, kv...)
}

func with(m map[string]any, kv ...any) map[string]any {
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

func pairs(ls ...string) []any {
	out := []any{}
	for i := 0; i < len(ls); i += 2 {
		out = append(out, []any{ls[i], ls[i+1]})
	}
	return out
}

// samples covers every message type and each optional-field case.
func samples() []sample {
	return []sample{
		{"welcome", &Welcome{V: 1, Epoch: "e-1", ServerTime: ts, HeartbeatMS: 15000, MaxMsg: 65536},
			map[string]any{"t": "welcome", "v": int64(1), "epoch": "e-1", "server_time": ts, "heartbeat_ms": int64(15000), "max_msg": int64(65536)}},
		{"subscribed", &Subscribed{ID: SomeID(0), Streams: []string{"trades:BTC-USD", "book:BTC-USD"}},
			map[string]any{"t": "subscribed", "id": int64(0), "streams": []any{"trades:BTC-USD", "book:BTC-USD"}}},
		{"subscribed_noid", &Subscribed{Streams: []string{"quote:ETH-USD"}},
			map[string]any{"t": "subscribed", "streams": []any{"quote:ETH-USD"}}},
		{"unsubscribed", &Unsubscribed{ID: SomeID(7), Streams: []string{"trades:BTC-USD"}},
			map[string]any{"t": "unsubscribed", "id": int64(7), "streams": []any{"trades:BTC-USD"}}},
		{"authed", &Authed{ID: SomeID(2), Account: "a_7f3k"},
			map[string]any{"t": "authed", "id": int64(2), "account": "a_7f3k"}},
		{"canceled_all", &CanceledAll{ID: SomeID(1 << 40), Count: 3},
			map[string]any{"t": "canceled_all", "id": int64(1 << 40), "count": int64(3)}},
		{"pong", &Pong{ID: SomeID(MaxID), Ts: ts},
			map[string]any{"t": "pong", "id": int64(MaxID), "ts": ts}},
		{"error", &Error{ID: SomeID(9), Code: CodeBadRequest, Msg: "bad \"thing\"\n\\ \x01 ü \u2028 end"},
			map[string]any{"t": "error", "id": int64(9), "code": "bad_request", "msg": "bad \"thing\"\n\\ \x01 ü \u2028 end"}},
		{"error_noid", &Error{Code: CodeUnknownOp, Msg: "unknown op"},
			map[string]any{"t": "error", "code": "unknown_op", "msg": "unknown op"}},
		{"reset", &Reset{Ch: ChanBook, S: "BTC-USD", Reason: ResetHistoryExpired},
			map[string]any{"t": "reset", "ch": "book", "s": "BTC-USD", "reason": "history_expired"}},
		{"trade", &Trade{Meta: meta(ChanTrades, 1, 9), ID: 77, Px: "64250.50", Qty: "0.1250", Side: SideBuy},
			wantMeta("trade", "trades", 1, 9, "id", int64(77), "px", "64250.50", "qty", "0.1250", "side", "buy")},
		{"trade_bigints", &Trade{Meta: Meta{Ch: ChanTrades, S: "ETH-USD", Seq: 1<<32 + 5, Off: 70000, Ts: -5}, ID: 200, Px: "1.00", Qty: "2.0000", Side: SideSell},
			map[string]any{"t": "trade", "ch": "trades", "s": "ETH-USD", "seq": int64(1<<32 + 5), "off": int64(70000), "ts": int64(-5), "id": int64(200), "px": "1.00", "qty": "2.0000", "side": "sell"}},
		{"book_snapshot", &BookSnapshot{BookLevels{Meta: meta(ChanBook, 41, 120),
			Bids: []Level{{"64250.50", "1.2000"}, {"64250.00", "3.0000"}}, Asks: []Level{{"64251.00", "0.5000"}}, CS: 3215465187}},
			wantMeta("book_snapshot", "book", 41, 120, "bids", pairs("64250.50", "1.2000", "64250.00", "3.0000"), "asks", pairs("64251.00", "0.5000"), "cs", int64(3215465187))},
		{"book_delta", &BookDelta{BookLevels{Meta: meta(ChanBook, 42, 121), Bids: []Level{{"64250.50", "0.0000"}}, CS: 1210293874}},
			wantMeta("book", "book", 42, 121, "bids", pairs("64250.50", "0.0000"), "asks", []any{}, "cs", int64(1210293874))},
		{"quote", &Quote{Meta: meta(ChanQuote, 9, 122), Bid: "64250.00", BidQty: "2.0000", Ask: "64251.00", AskQty: "0.5000"},
			wantMeta("quote", "quote", 9, 122, "bid", "64250.00", "bid_qty", "2.0000", "ask", "64251.00", "ask_qty", "0.5000")},
		{"quote_nobid", &Quote{Meta: meta(ChanQuote, 10, 123), Ask: "64251.00", AskQty: "0.5000"},
			wantMeta("quote", "quote", 10, 123, "ask", "64251.00", "ask_qty", "0.5000")},
		{"quote_noask", &Quote{Meta: meta(ChanQuote, 11, 124), Bid: "64250.00", BidQty: "2.0000"},
			wantMeta("quote", "quote", 11, 124, "bid", "64250.00", "bid_qty", "2.0000")},
		{"quote_empty", &Quote{Meta: meta(ChanQuote, 12, 125)},
			wantMeta("quote", "quote", 12, 125)},
		{"ticker", &Ticker{Meta: meta(ChanTicker, 9, 123), Last: "64250.50", Open: "63000.00", High: "64900.00", Low: "62950.00", Vol: "1532.2000", Change: "1.98"},
			wantMeta("ticker", "ticker", 9, 123, "last", "64250.50", "open", "63000.00", "high", "64900.00", "low", "62950.00", "vol", "1532.2000", "change", "1.98")},
		{"candle", &Candle{Meta: meta(ChanCandles1m, 3, 124), Start: 1699999980000000000, O: "1.00", H: "2.00", L: "0.50", C: "1.50", V: "10.0000", N: 12},
			wantMeta("candle", "candles.1m", 3, 124, "start", int64(1699999980000000000), "o", "1.00", "h", "2.00", "l", "0.50", "c", "1.50", "v", "10.0000", "n", int64(12), "closed", false)},
		{"candle_closed", &Candle{Meta: meta(ChanCandles1s, 4, 125), Start: 1, O: "1", H: "1", L: "1", C: "1", V: "0", Closed: true},
			wantMeta("candle", "candles.1s", 4, 125, "start", int64(1), "o", "1", "h", "1", "l", "1", "c", "1", "v", "0", "n", int64(0), "closed", true)},
		{"order_new", &Order{ID: SomeID(5), OID: 1001, CID: "my-1", S: "BTC-USD", Side: SideBuy, Type: TypeLimit, TIF: TIFGTC, Px: "64000.00", Qty: "0.5000", Filled: "0.0000", Status: StatusNew, Seq: 3, Ts: ts},
			map[string]any{"t": "order", "id": int64(5), "oid": int64(1001), "cid": "my-1", "s": "BTC-USD", "side": "buy", "type": "limit", "tif": "gtc", "post_only": false, "px": "64000.00", "qty": "0.5000", "filled": "0.0000", "avg_px": "", "status": "new", "seq": int64(3), "ts": ts}},
		{"order_id0", &Order{ID: SomeID(0), OID: 1, CID: "c", S: "BTC-USD", Side: SideSell, Type: TypeMarket, TIF: TIFIOC, PostOnly: true, Qty: "1.0000", Filled: "0.0000", Status: StatusRejected, Reason: "no_liquidity", Seq: 4, Ts: ts},
			map[string]any{"t": "order", "id": int64(0), "oid": int64(1), "cid": "c", "s": "BTC-USD", "side": "sell", "type": "market", "tif": "ioc", "post_only": true, "px": "", "qty": "1.0000", "filled": "0.0000", "avg_px": "", "status": "rejected", "reason": "no_liquidity", "seq": int64(4), "ts": ts}},
		{"order_update", &Order{OID: 1001, CID: "my-1", S: "BTC-USD", Side: SideBuy, Type: TypeLimit, TIF: TIFGTC, Px: "64000.00", Qty: "0.5000", Filled: "0.2000", AvgPx: "64000.00", Status: StatusPartiallyFilled, Seq: 5, Ts: ts},
			map[string]any{"t": "order", "oid": int64(1001), "cid": "my-1", "s": "BTC-USD", "side": "buy", "type": "limit", "tif": "gtc", "post_only": false, "px": "64000.00", "qty": "0.5000", "filled": "0.2000", "avg_px": "64000.00", "status": "partially_filled", "seq": int64(5), "ts": ts}},
		{"fill", &Fill{OID: 1001, CID: "my-1", TradeID: 78, S: "BTC-USD", Side: SideBuy, Px: "64000.00", Qty: "0.2000", Liq: LiqMaker, Seq: 4, Ts: ts},
			map[string]any{"t": "fill", "oid": int64(1001), "cid": "my-1", "trade_id": int64(78), "s": "BTC-USD", "side": "buy", "px": "64000.00", "qty": "0.2000", "liq": "maker", "seq": int64(4), "ts": ts}},
		{"account", &Account{Account: "a_7f3k", Balances: []Balance{{"USD", "100000.00", "68000.00"}, {"BTC", "1.0000", "1.0000"}}, Seq: 5, Ts: ts},
			map[string]any{"t": "account", "account": "a_7f3k", "balances": map[string]any{
				"USD": map[string]any{"total": "100000.00", "available": "68000.00"},
				"BTC": map[string]any{"total": "1.0000", "available": "1.0000"}}, "seq": int64(5), "ts": ts}},
		{"account_empty", &Account{Account: "x", Seq: 1, Ts: 0},
			map[string]any{"t": "account", "account": "x", "balances": map[string]any{}, "seq": int64(1), "ts": int64(0)}},
	}
}
