package market

import (
	"reflect"
	"testing"
)

func TestStepRoundTrip(t *testing.T) {
	c := command{kind: cmdPlace, origin: Origin{Session: 9, ID: -3, HasID: true}, account: "a_1",
		order:  OrderRequest{CID: "x", Symbol: "BTC-USD", Side: "buy", Type: "limit", TIF: "ioc", Qty: "1", Px: "2", PostOnly: true},
		target: OrderRef{OID: 77, CID: "y"}, amend: AmendRequest{Qty: "3", Px: "4"}, symbol: "ETH-USD", cod: true}
	for _, s := range []step{
		{kind: stepCommand, reads: []int64{1, -2, 1 << 62}, cmd: c},
		{kind: stepCommand, reads: []int64{5}, cmd: command{kind: cmdCreateAccount}},
		{kind: stepAdvance, reads: []int64{12345}},
		{kind: stepWarm, reads: []int64{600e9, 1, 2, 3}},
		{kind: stepRestart, reads: []int64{}},
		{kind: stepInit, reads: []int64{-7}},
	} {
		got, err := decodeStep(appendStep(nil, s.kind, s.reads, &s.cmd))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, s) {
			t.Fatalf("round trip:\n%+v\n%+v", got, s)
		}
	}
	for _, bad := range [][]byte{nil, {2, 1, 0}, {1, 9, 0}, {1, 1, 1, 2, 200}, {1, 2, 0, 0}, {1, 1, 0, 99}} {
		if _, err := decodeStep(bad); err == nil {
			t.Fatalf("decodeStep(%v) accepted", bad)
		}
	}
}

func FuzzDecodeStep(f *testing.F) {
	c := command{kind: cmdAmend, account: "a_2", target: OrderRef{OID: 5}, amend: AmendRequest{Px: "1.5"}}
	f.Add(appendStep(nil, stepCommand, []int64{42}, &c))
	f.Add(appendStep(nil, stepWarm, []int64{1, 2}, nil))
	f.Add([]byte{1, 1, 255, 255, 255, 255, 15})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := decodeStep(b)
		if err != nil {
			return
		}
		again, err := decodeStep(appendStep(nil, s.kind, s.reads, &s.cmd))
		if err != nil || !reflect.DeepEqual(again, s) {
			t.Fatalf("re-encoded step decodes differently: %v\n%+v\n%+v", err, s, again)
		}
	})
}
