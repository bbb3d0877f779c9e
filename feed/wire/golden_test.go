package wire

import (
	"reflect"
	"testing"
)

// A JSON example of every server message: welcome, the public market data
// (trade, book_snapshot, book, quote, ticker, candle), the private order,
// fill and account, error and reset.
var goldens = []struct {
	name string
	json string
	msg  Message
}{
	{"welcome",
		`{"t":"welcome","v":1,"epoch":"k3j2","server_time":1700000000000000000,"heartbeat_ms":15000,"max_msg":65536}`,
		&Welcome{V: 1, Epoch: "k3j2", ServerTime: 1700000000000000000, HeartbeatMS: 15000, MaxMsg: 65536}},
	{"trade",
		`{"t":"trade","ch":"trades","s":"BTC-USD","seq":1,"off":9,"id":77,"px":"64250.50","qty":"0.1250","side":"buy","ts":1700000000000000001}`,
		&Trade{Meta: Meta{Ch: "trades", S: "BTC-USD", Seq: 1, Off: 9, Ts: 1700000000000000001}, ID: 77, Px: "64250.50", Qty: "0.1250", Side: "buy"}},
	{"book_snapshot",
		`{"t":"book_snapshot","ch":"book","s":"BTC-USD","seq":41,"off":120,"bids":[["64250.50","1.2000"],["64250.00","0.3000"]],"asks":[["64251.00","0.5000"]],"cs":3215465187,"ts":1700000000000000002}`,
		&BookSnapshot{BookLevels{Meta: Meta{Ch: "book", S: "BTC-USD", Seq: 41, Off: 120, Ts: 1700000000000000002},
			Bids: []Level{{"64250.50", "1.2000"}, {"64250.00", "0.3000"}}, Asks: []Level{{"64251.00", "0.5000"}}, CS: 3215465187}}},
	{"book",
		`{"t":"book","ch":"book","s":"BTC-USD","seq":42,"off":121,"bids":[["64250.50","0.0000"]],"asks":[],"cs":1210293874,"ts":1700000000000000003}`,
		&BookDelta{BookLevels{Meta: Meta{Ch: "book", S: "BTC-USD", Seq: 42, Off: 121, Ts: 1700000000000000003},
			Bids: []Level{{"64250.50", "0.0000"}}, CS: 1210293874}}},
	{"quote",
		`{"t":"quote","ch":"quote","s":"BTC-USD","seq":9,"off":122,"bid":"64250.00","bid_qty":"2.0000","ask":"64251.00","ask_qty":"0.5000","ts":1700000000000000004}`,
		&Quote{Meta: Meta{Ch: "quote", S: "BTC-USD", Seq: 9, Off: 122, Ts: 1700000000000000004}, Bid: "64250.00", BidQty: "2.0000", Ask: "64251.00", AskQty: "0.5000"}},
	{"ticker",
		`{"t":"ticker","ch":"ticker","s":"BTC-USD","seq":9,"off":123,"last":"64250.50","open":"63000.00","high":"64900.00","low":"62950.00","vol":"1532.2000","change":"1.98","ts":1700000000000000005}`,
		&Ticker{Meta: Meta{Ch: "ticker", S: "BTC-USD", Seq: 9, Off: 123, Ts: 1700000000000000005}, Last: "64250.50", Open: "63000.00", High: "64900.00", Low: "62950.00", Vol: "1532.2000", Change: "1.98"}},
	{"candle",
		`{"t":"candle","ch":"candles.1m","s":"BTC-USD","seq":3,"off":124,"start":1699999980000000000,"o":"64000.00","h":"64300.00","l":"63990.00","c":"64250.50","v":"3.2000","n":12,"closed":false,"ts":1700000000000000006}`,
		&Candle{Meta: Meta{Ch: "candles.1m", S: "BTC-USD", Seq: 3, Off: 124, Ts: 1700000000000000006}, Start: 1699999980000000000, O: "64000.00", H: "64300.00", L: "63990.00", C: "64250.50", V: "3.2000", N: 12}},
	{"order",
		`{"t":"order","id":5,"oid":1001,"cid":"my-1","s":"BTC-USD","side":"buy","type":"limit","tif":"gtc","post_only":false,"px":"64000.00","qty":"0.5000","filled":"0.0000","avg_px":"","status":"new","seq":3,"ts":1700000000000000007}`,
		&Order{ID: SomeID(5), OID: 1001, CID: "my-1", S: "BTC-USD", Side: "buy", Type: "limit", TIF: "gtc", Px: "64000.00", Qty: "0.5000", Filled: "0.0000", Status: "new", Seq: 3, Ts: 1700000000000000007}},
	{"fill",
		`{"t":"fill","oid":1001,"cid":"my-1","trade_id":78,"s":"BTC-USD","side":"buy","px":"64000.00","qty":"0.2000","liq":"maker","seq":4,"ts":1700000000000000008}`,
		&Fill{OID: 1001, CID: "my-1", TradeID: 78, S: "BTC-USD", Side: "buy", Px: "64000.00", Qty: "0.2000", Liq: "maker", Seq: 4, Ts: 1700000000000000008}},
	{"account",
		`{"t":"account","account":"a_7f3k","balances":{"USD":{"total":"100000.00","available":"68000.00"},"BTC":{"total":"1.0000","available":"1.0000"}},"seq":5,"ts":1700000000000000009}`,
		&Account{Account: "a_7f3k", Balances: []Balance{{"USD", "100000.00", "68000.00"}, {"BTC", "1.0000", "1.0000"}}, Seq: 5, Ts: 1700000000000000009}},
	{"error",
		`{"t":"error","id":3,"code":"unknown_symbol","msg":"unknown symbol"}`,
		&Error{ID: SomeID(3), Code: "unknown_symbol", Msg: "unknown symbol"}},
	{"reset",
		`{"t":"reset","ch":"trades","s":"BTC-USD","reason":"epoch_changed"}`,
		&Reset{Ch: "trades", S: "BTC-USD", Reason: "epoch_changed"}},
}

func TestGoldenJSON(t *testing.T) {
	for _, g := range goldens {
		t.Run(g.name, func(t *testing.T) {
			got, err := Decode(JSON, []byte(g.json))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(got, g.msg) {
				t.Errorf("Decode:\n got %+v\nwant %+v", got, g.msg)
			}
			// Field order is not significant: compare as values.
			enc := g.msg.AppendJSON(nil)
			if a, b := refJSON(t, enc), refJSON(t, []byte(g.json)); !reflect.DeepEqual(a, b) {
				t.Errorf("AppendJSON:\n got %s\nwant %s", enc, g.json)
			}
		})
	}
}

// TestGoldenExactBytes pins the exact output for the trade example, in
// the field order the encoder uses.
func TestGoldenExactBytes(t *testing.T) {
	m := Trade{Meta: Meta{Ch: "trades", S: "BTC-USD", Seq: 1, Off: 9, Ts: 5}, ID: 77, Px: "64250.50", Qty: "0.1250", Side: "buy"}
	want := `{"t":"trade","ch":"trades","s":"BTC-USD","seq":1,"off":9,"ts":5,"id":77,"px":"64250.50","qty":"0.1250","side":"buy"}`
	if got := string(m.AppendJSON(nil)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	wantMP := "\x8a\xa1t\xa5trade\xa2ch\xa6trades\xa1s\xa7BTC-USD\xa3seq\x01\xa3off\x09\xa2ts\x05" +
		"\xa2id\x4d\xa2px\xa864250.50\xa3qty\xa60.1250\xa4side\xa3buy"
	if got := string(m.AppendMsgpack(nil)); got != wantMP {
		t.Errorf("got  % x\nwant % x", got, wantMP)
	}
}
