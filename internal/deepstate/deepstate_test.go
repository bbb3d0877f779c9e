package deepstate

import (
	"math/rand/v2"
	"reflect"
	"testing"
)

type acct struct {
	id    string
	bal   []int64
	open  map[uint64]*order
	flags [2]bool
}

type order struct {
	id   uint64
	acct *acct
	px   float64
}

type sink interface{ kind() int }

func (*acct) kind() int { return 1 }

type state struct {
	accts  []*acct
	byID   map[string]*acct
	orders map[uint64]*order
	sink   sink
	rng    *rand.Rand
	pcg    *rand.PCG
	fn     func() // never written
	kept   int
	nilS   []int
	empty  []int
	buf    []byte
}

func TestRoundTripKeepsSharing(t *testing.T) {
	a := &acct{id: "a", bal: []int64{1, -2}, open: map[uint64]*order{}, flags: [2]bool{true, false}}
	o := &order{id: 7, acct: a, px: 1.5}
	a.open[7] = o
	pcg := rand.NewPCG(1, 2)
	s := &state{accts: []*acct{a, nil}, byID: map[string]*acct{"a": a}, orders: map[uint64]*order{7: o}, sink: a,
		pcg: pcg, rng: rand.New(pcg), kept: 42, empty: []int{}, buf: []byte("xyz"), fn: func() {}}
	s.rng.Uint64()
	opts := Options{
		Keep:       func(t reflect.Type, f reflect.StructField) bool { return f.Name == "kept" },
		Interfaces: []reflect.Type{reflect.TypeOf(&acct{}), reflect.TypeOf(&rand.PCG{})},
	}
	b, err := Encode(nil, s, opts)
	if err != nil {
		t.Fatal(err)
	}
	var got state
	got.kept = 5
	if err := Decode(b, &got, opts); err != nil {
		t.Fatal(err)
	}
	if got.kept != 5 || got.fn != nil || got.nilS != nil || got.empty == nil || string(got.buf) != "xyz" {
		t.Fatalf("kept %d nil %v empty %v buf %q", got.kept, got.nilS, got.empty, got.buf)
	}
	ga := got.accts[0]
	if got.byID["a"] != ga || got.orders[7].acct != ga || ga.open[7] != got.orders[7] || got.sink.(*acct) != ga || got.accts[1] != nil {
		t.Fatal("sharing lost")
	}
	if ga.bal[1] != -2 || !ga.flags[0] || got.orders[7].px != 1.5 {
		t.Fatalf("values: %+v", ga)
	}
	if got.rng.Uint64() != s.rng.Uint64() || got.pcg.Uint64() != s.pcg.Uint64() {
		t.Fatal("the generator does not continue where it was")
	}
	again, _ := Encode(nil, s, opts)
	b2, _ := Encode(nil, s, opts)
	if string(again) != string(b2) {
		t.Fatal("the same state gave different bytes")
	}
	for i := range len(b) {
		var x state
		_ = Decode(b[:i], &x, opts) // must not panic
	}
}

func FuzzDecode(f *testing.F) {
	a := &acct{id: "a", bal: []int64{1}, open: map[uint64]*order{1: {id: 1}}}
	b, _ := Encode(nil, &state{accts: []*acct{a}, byID: map[string]*acct{"a": a}}, Options{})
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		var s state
		_ = Decode(b, &s, Options{Interfaces: []reflect.Type{reflect.TypeOf(&acct{})}})
	})
}
