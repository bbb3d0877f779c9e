package wire

type opSample struct {
	name string
	op   Op
	want map[string]any // what a reference decoder reads (ints as int64)
}

func opSamples() []opSample {
	return []opSample{
		{"subscribe", &Subscribe{ID: SomeID(1), Channels: []string{"trades", "book"}, Symbols: []string{"BTC-USD"}},
			map[string]any{"op": "subscribe", "id": int64(1), "channels": []any{"trades", "book"}, "symbols": []any{"BTC-USD"}}},
		{"subscribe_resume", &Subscribe{ID: SomeID(0), Channels: []string{"trades"}, Symbols: []string{"BTC-USD", "ETH-USD"}, Epoch: "ep_1",
			Since: map[string]uint64{"trades:BTC-USD": 41, "trades:ETH-USD": 0, "weird\"key:x": MaxID}},
			map[string]any{"op": "subscribe", "id": int64(0), "channels": []any{"trades"}, "symbols": []any{"BTC-USD", "ETH-USD"}, "epoch": "ep_1",
				"since": map[string]any{"trades:BTC-USD": int64(41), "trades:ETH-USD": int64(0), "weird\"key:x": int64(MaxID)}}},
		{"subscribe_noid", &Subscribe{Channels: []string{"quote"}, Symbols: []string{"BTC-USD"}},
			map[string]any{"op": "subscribe", "channels": []any{"quote"}, "symbols": []any{"BTC-USD"}}},
		{"unsubscribe", &Unsubscribe{ID: SomeID(2), Channels: []string{"book"}, Symbols: []string{"BTC-USD"}},
			map[string]any{"op": "unsubscribe", "id": int64(2), "channels": []any{"book"}, "symbols": []any{"BTC-USD"}}},
		{"auth", &Auth{ID: SomeID(3), Token: "tok.en/with+chars="},
			map[string]any{"op": "auth", "id": int64(3), "token": "tok.en/with+chars="}},
		{"auth_cod", &Auth{Token: "t", CancelOnDisconnect: true},
			map[string]any{"op": "auth", "token": "t", "cancel_on_disconnect": true}},
		{"order_limit", &NewOrder{ID: SomeID(4), CID: "my-1", S: "BTC-USD", Side: SideBuy, Type: TypeLimit, Qty: "0.5000", Px: "64000.00", TIF: TIFIOC, PostOnly: true},
			map[string]any{"op": "order", "id": int64(4), "cid": "my-1", "s": "BTC-USD", "side": "buy", "type": "limit", "qty": "0.5000", "px": "64000.00", "tif": "ioc", "post_only": true}},
		{"order_market", &NewOrder{CID: "A_z-9", S: "ETH-USD", Side: SideSell, Type: TypeMarket, Qty: "1"},
			map[string]any{"op": "order", "cid": "A_z-9", "s": "ETH-USD", "side": "sell", "type": "market", "qty": "1"}},
		{"cancel_oid", &Cancel{ID: SomeID(5), OID: SomeID(1001)},
			map[string]any{"op": "cancel", "id": int64(5), "oid": int64(1001)}},
		{"cancel_oid0", &Cancel{OID: SomeID(0)},
			map[string]any{"op": "cancel", "oid": int64(0)}},
		{"cancel_cid", &Cancel{CID: "my-1"},
			map[string]any{"op": "cancel", "cid": "my-1"}},
		{"amend_qty", &Amend{ID: SomeID(6), OID: SomeID(1001), Qty: "0.2500"},
			map[string]any{"op": "amend", "id": int64(6), "oid": int64(1001), "qty": "0.2500"}},
		{"amend_both", &Amend{CID: "my-1", Qty: "1.0000", Px: "1.00"},
			map[string]any{"op": "amend", "cid": "my-1", "qty": "1.0000", "px": "1.00"}},
		{"cancel_all", &CancelAll{ID: SomeID(7)},
			map[string]any{"op": "cancel_all", "id": int64(7)}},
		{"cancel_all_s", &CancelAll{S: "BTC-USD"},
			map[string]any{"op": "cancel_all", "s": "BTC-USD"}},
		{"ping", &Ping{ID: SomeID(8)}, map[string]any{"op": "ping", "id": int64(8)}},
		{"ping_noid", &Ping{}, map[string]any{"op": "ping"}},
	}
}
