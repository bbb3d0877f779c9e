package market

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

// TestDecText: a Dec's text is appendFixed's, and ParseDec reads it back
// to the same Dec; no number is "".
func TestDecText(t *testing.T) {
	if d := (Dec{}); !d.IsZero() || d.String() != "" || d.Decimals() != 0 {
		t.Fatalf("zero Dec: %q", d.String())
	}
	for _, c := range []struct {
		m    int64
		dec  int32
		want string
	}{{0, 4, "0.0000"}, {0, 0, "0"}, {6000000, 2, "60000.00"}, {-50, 2, "-0.50"}, {10, 4, "0.0010"}, {500, 0, "500"},
		{math.MaxInt64, 0, "9223372036854775807"}, {-math.MaxInt64, 3, "-9223372036854775.807"}} {
		d := MakeDec(c.m, c.dec)
		if got := d.String(); got != c.want || d.IsZero() || d.Mantissa() != c.m || d.Decimals() != c.dec {
			t.Errorf("MakeDec(%d, %d) = %q, want %q", c.m, c.dec, got, c.want)
		}
		if back, err := ParseDec(c.want); err != nil || back != d {
			t.Errorf("ParseDec(%q) = %+v, %v; want %+v", c.want, back, err, d)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		m := int64(rng.Uint64() >> rng.IntN(64))
		if rng.IntN(2) == 0 {
			m = -m
		}
		if m == math.MinInt64 {
			continue
		}
		d := MakeDec(m, int32(rng.IntN(maxFixedDecimals+1)))
		s := d.String()
		if s != formatFixed(d.Mantissa(), d.Decimals()) {
			t.Fatalf("%+v: %q", d, s)
		}
		if back, err := ParseDec(s); err != nil || back != d {
			t.Fatalf("ParseDec(%q) = %+v, %v; want %+v", s, back, err, d)
		}
	}
}

// TestParseDecRefuses: ParseDec accepts only the form Append writes.
func TestParseDecRefuses(t *testing.T) {
	for _, s := range []string{"1.", ".5", "01", "00.5", "-0", "-0.00", "1e5", " 1", "+1", "1.2.3", "-", "--1", "1-",
		"9223372036854775808", "-9223372036854775808", "0.12345678901234567890123456789012345678901", "1,5", "٣"} {
		if d, err := ParseDec(s); err == nil {
			t.Errorf("ParseDec(%q) accepted: %+v", s, d)
		}
	}
}

// FuzzParseDec: what ParseDec accepts, Append writes back byte for byte.
func FuzzParseDec(f *testing.F) {
	for _, s := range []string{"", "0", "0.0010", "-17.50", "60000.00", "9223372036854775807", "01", "1."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDec(s)
		if err != nil {
			return
		}
		if got := d.String(); got != s {
			t.Fatalf("ParseDec(%q) = %+v, written %q", s, d, got)
		}
	})
}

// TestOrderUpdateMsgpack: an order's state crosses msgpack as it was
// (decimals, and a refused order's echoed strings), encoded as the
// strings reflection wrote when its decimals were strings.
func TestOrderUpdateMsgpack(t *testing.T) {
	for _, u := range []OrderUpdate{
		{OID: 7, CID: "c", Side: "buy", Type: "limit", TIF: "gtc", Px: MakeDec(6000000, 2), Qty: MakeDec(100, 4), Filled: MakeDec(50, 4), AvgPx: MakeDec(5999950, 2), Status: StatusPartiallyFilled},
		{Side: "buy", Type: "market", Qty: MakeDec(1, 0), Filled: MakeDec(0, 0), Status: StatusRejected, Reason: RejectInvalidQty},
		{CID: "e", EchoPx: "1.", EchoQty: "x", Filled: MakeDec(0, 4), Status: StatusRejected, PostOnly: true},
	} {
		var got, want bytes.Buffer
		enc := msgpack.NewEncoder(&got)
		enc.UseCompactInts(true)
		enc.SetOmitEmpty(true)
		if err := enc.Encode(&u); err != nil {
			t.Fatal(err)
		}
		enc = msgpack.NewEncoder(&want)
		enc.UseCompactInts(true)
		enc.SetOmitEmpty(true)
		if err := enc.Encode(&orderUpdateText{OID: u.OID, CID: u.CID, Side: u.Side, Type: u.Type, TIF: u.TIF, PostOnly: u.PostOnly,
			Px: u.PxText(), Qty: u.QtyText(), Filled: u.Filled.String(), AvgPx: u.AvgPx.String(), Status: u.Status, Reason: u.Reason}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("%+v: % x, want % x", u, got.Bytes(), want.Bytes())
		}
		var back OrderUpdate
		if err := msgpack.Unmarshal(got.Bytes(), &back); err != nil || back != u {
			t.Fatalf("decoded %+v, %v; want %+v", back, err, u)
		}
	}
	// Filled and AvgPx are the venue's decimals: other text is refused.
	b, _ := msgpack.Marshal(&orderUpdateText{Filled: "1e9"})
	var u OrderUpdate
	if err := msgpack.Unmarshal(b, &u); err == nil {
		t.Fatalf("decoded Filled 1e9: %+v", u)
	}
}
