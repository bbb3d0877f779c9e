package cluster

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/tickcast/tickcast/market"
)

func sampleOps() []*Op {
	return []*Op{
		{Kind: OpPlace, Origin: market.Origin{Session: 5<<40 | 17, ID: 3, HasID: true}, Account: "a_x",
			Order: market.OrderRequest{CID: "c-1", Symbol: "BTC-USD", Side: "buy", Type: "limit", TIF: "ioc", Qty: "0.0100", Px: "60000.00", PostOnly: true}},
		{Kind: OpCancel, Origin: market.Origin{Session: 9, ID: -4, HasID: true}, Account: "a_y", Ref: market.OrderRef{OID: 77}},
		{Kind: OpAmend, Origin: market.Origin{Session: 9}, Account: "a_y", Ref: market.OrderRef{CID: "c-2"}, Amend: market.AmendRequest{Qty: "1", Px: "2"}},
		{Kind: OpCancelAll, Origin: market.Origin{Session: 1}, Account: "a", Symbol: "ETH-USD"},
		{Kind: OpAuth, Origin: market.Origin{Session: 1, ID: 1, HasID: true}, Account: "a", Cod: true},
		{Kind: OpDetach, Origin: market.Origin{Session: 1}, Account: "a"},
		{Kind: OpCreateAccount, Req: 12345, Node: maxNode},
		{Kind: OpAccountHistory, Account: "a", Req: 1, Node: 3, Limit: 1000},
	}
}

// TestOpRoundTrip: every kind of operation decodes to what was encoded.
func TestOpRoundTrip(t *testing.T) {
	for _, o := range sampleOps() {
		b := AppendOp(nil, o)
		got, err := DecodeOp(b)
		if err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
		if !reflect.DeepEqual(got, o) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, o)
		}
	}
}

// TestDecodeOpRefuses: hostile or broken bytes are refused with ErrBadOp.
func TestDecodeOpRefuses(t *testing.T) {
	good := AppendOp(nil, sampleOps()[0])
	long := AppendOp(nil, &Op{Kind: OpPlace, Account: strings.Repeat("x", maxOpString+1)})
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"version", append([]byte{9}, good[1:]...)},
		{"kind zero", append([]byte{opVersion, 0}, good[2:]...)},
		{"kind unknown", append([]byte{opVersion, byte(opKinds)}, good[2:]...)},
		{"truncated", good[:len(good)-3]},
		{"trailing", append(append([]byte(nil), good...), 0)},
		{"string too long", long},
		{"too large", bytes.Repeat([]byte{1}, MaxOpBytes+1)},
		{"string beyond input", []byte{opVersion, byte(OpPlace), 1, 0, 0, 0x7f}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := DecodeOp(tc.b); !errors.Is(err, ErrBadOp) {
				t.Fatalf("got %v, want ErrBadOp", err)
			}
		})
	}
}

// FuzzDecodeOp: DecodeOp never panics, and what it accepts encodes back
// to the same bytes.
func FuzzDecodeOp(f *testing.F) {
	for _, o := range sampleOps() {
		f.Add(AppendOp(nil, o))
	}
	f.Add([]byte{opVersion, byte(OpPlace), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := DecodeOp(b)
		if err != nil {
			if !errors.Is(err, ErrBadOp) {
				t.Fatalf("error not ErrBadOp: %v", err)
			}
			return
		}
		again, err := DecodeOp(AppendOp(nil, o))
		if err != nil || !reflect.DeepEqual(again, o) {
			t.Fatalf("accepted %x as %+v, which does not round-trip: %+v %v", b, o, again, err)
		}
	})
}

func TestParseID(t *testing.T) {
	for _, tc := range []struct {
		id    string
		hi, n uint64
		ok    bool
	}{
		{"12-0", 12, 0, true},
		{"18446744073709551615-3", 1<<64 - 1, 3, true},
		{"12", 0, 0, false},
		{"a-1", 0, 0, false},
		{"1-b", 0, 0, false},
	} {
		hi, n, err := parseID(tc.id)
		if (err == nil) != tc.ok || tc.ok && (hi != tc.hi || n != tc.n) {
			t.Errorf("parseID(%q) = %d, %d, %v", tc.id, hi, n, err)
		}
	}
	if maxID("5-1", "5-0") != "5-1" || maxID("4-9", "5-0") != "5-0" {
		t.Error("maxID")
	}
}

// TestStore: the REST data follows the events after the state, ignores
// what the state already holds, and keeps its bounds.
func TestStore(t *testing.T) {
	m := &Meta{Instruments: []market.Instrument{{Symbol: "BTC-USD"}}, TradeHistory: 3, CandleHistory: 2}
	s := newStore(m)
	trade := func(off uint64) *market.Event {
		return &market.Event{Kind: market.KindTrade, Symbol: "BTC-USD", Off: off, Trade: &market.Trade{ID: off}}
	}
	s.reset(&market.State{Off: 10, Trades: [][]*market.Event{{trade(9), trade(10)}},
		Candles1m: [][]*market.Candle{{{Start: 60, Closed: true}, {Start: 120}}}, Tickers: []*market.Event{{Kind: market.KindTicker, Symbol: "BTC-USD", Off: 8}}})
	s.apply([]*market.Event{trade(10), trade(11)}) // 10 is in the state already
	for off := uint64(12); off < 20; off++ {
		s.apply([]*market.Event{trade(off)})
	}
	got, err := s.recentTrades("BTC-USD", 100)
	if err != nil || len(got) != 3 || got[0].Off != 17 || got[2].Off != 19 {
		t.Fatalf("trades: %v %v", got, err)
	}
	s.apply([]*market.Event{{Kind: market.KindCandle1m, Symbol: "BTC-USD", Off: 20, Candle: &market.Candle{Start: 120, Closed: true}}})
	s.apply([]*market.Event{{Kind: market.KindCandle1m, Symbol: "BTC-USD", Off: 21, Candle: &market.Candle{Start: 180}}})
	c, _ := s.candles("BTC-USD", "1m", 10)
	if len(c) != 3 || !c[1].Closed || c[2].Start != 180 {
		t.Fatalf("candles: %+v", c)
	}
	if _, err := s.recentTrades("NOPE", 1); !errors.Is(err, market.ErrUnknownSymbol) {
		t.Fatalf("unknown symbol: %v", err)
	}
	if tk := s.allTickers(); len(tk) != 1 || tk[0].Off != 8 {
		t.Fatalf("tickers: %v", tk)
	}
}
