package wire

import (
	"fmt"
	"testing"
)

var (
	benchTrade = Trade{Meta: Meta{Ch: ChanTrades, S: "BTC-USD", Seq: 123456, Off: 987654321, Ts: ts}, ID: 778899, Px: "64250.50", Qty: "0.1250", Side: SideBuy}
	benchDelta = BookDelta{BookLevels{Meta: Meta{Ch: ChanBook, S: "BTC-USD", Seq: 123457, Off: 987654322, Ts: ts},
		Bids: []Level{{"64250.50", "1.2000"}, {"64249.00", "0.0000"}}, Asks: []Level{{"64251.00", "0.5000"}}, CS: 3215465187}}
	benchQuote = Quote{Meta: Meta{Ch: ChanQuote, S: "BTC-USD", Seq: 9, Off: 987654323, Ts: ts}, Bid: "64250.00", BidQty: "2.0000", Ask: "64251.00", AskQty: "0.5000"}
	benchOrder = Order{ID: SomeID(5), OID: 1001, CID: "bench-order-0001", S: "BTC-USD", Side: SideBuy, Type: TypeLimit, TIF: TIFGTC, Px: "64000.00", Qty: "0.5000", Filled: "0.0000", Status: StatusNew, Seq: 3, Ts: ts}
	benchOp    = NewOrder{ID: SomeID(42), CID: "bench-order-0001", S: "BTC-USD", Side: SideBuy, Type: TypeLimit, Qty: "0.5000", Px: "64000.00", TIF: TIFGTC}
)

func benchAppend(b *testing.B, f Format, m Message) {
	buf := Append(f, nil, m)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf = Append(f, buf[:0], m)
	}
}

func BenchmarkAppendTradeMsgpack(b *testing.B)     { benchAppend(b, MsgPack, &benchTrade) }
func BenchmarkAppendTradeJSON(b *testing.B)        { benchAppend(b, JSON, &benchTrade) }
func BenchmarkAppendBookDeltaMsgpack(b *testing.B) { benchAppend(b, MsgPack, &benchDelta) }
func BenchmarkAppendBookDeltaJSON(b *testing.B)    { benchAppend(b, JSON, &benchDelta) }
func BenchmarkAppendQuoteMsgpack(b *testing.B)     { benchAppend(b, MsgPack, &benchQuote) }
func BenchmarkAppendQuoteJSON(b *testing.B)        { benchAppend(b, JSON, &benchQuote) }
func BenchmarkAppendOrderMsgpack(b *testing.B)     { benchAppend(b, MsgPack, &benchOrder) }
func BenchmarkAppendOrderJSON(b *testing.B)        { benchAppend(b, JSON, &benchOrder) }

// BenchmarkAppend covers every sample message in both formats.
func BenchmarkAppend(b *testing.B) {
	for _, s := range samples() {
		for _, f := range formats {
			b.Run(fmt.Sprintf("%s/%v", s.name, f), func(b *testing.B) { benchAppend(b, f, s.msg) })
		}
	}
}

func benchHeader(b *testing.B, f Format, m Message) {
	data := Append(f, nil, m)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeHeader(f, data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeHeaderTradeMsgpack(b *testing.B) { benchHeader(b, MsgPack, &benchTrade) }
func BenchmarkDecodeHeaderTradeJSON(b *testing.B)    { benchHeader(b, JSON, &benchTrade) }
func BenchmarkDecodeHeaderBookMsgpack(b *testing.B)  { benchHeader(b, MsgPack, &benchDelta) }
func BenchmarkDecodeHeaderBookJSON(b *testing.B)     { benchHeader(b, JSON, &benchDelta) }

func benchDecode(b *testing.B, f Format, m Message) {
	data := Append(f, nil, m)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(f, data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeTradeMsgpack(b *testing.B) { benchDecode(b, MsgPack, &benchTrade) }
func BenchmarkDecodeTradeJSON(b *testing.B)    { benchDecode(b, JSON, &benchTrade) }
func BenchmarkDecodeBookMsgpack(b *testing.B)  { benchDecode(b, MsgPack, &benchDelta) }
func BenchmarkDecodeBookJSON(b *testing.B)     { benchDecode(b, JSON, &benchDelta) }

func benchDecodeOp(b *testing.B, f Format) {
	data := AppendOp(f, nil, &benchOp)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeOp(f, data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeOpOrderMsgpack(b *testing.B) { benchDecodeOp(b, MsgPack) }
func BenchmarkDecodeOpOrderJSON(b *testing.B)    { benchDecodeOp(b, JSON) }

func benchAppendOp(b *testing.B, f Format) {
	op := &benchOp
	buf := AppendOp(f, nil, op)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendOp(f, buf[:0], op)
	}
}

func BenchmarkAppendOpOrderMsgpack(b *testing.B) { benchAppendOp(b, MsgPack) }
func BenchmarkAppendOpOrderJSON(b *testing.B)    { benchAppendOp(b, JSON) }
