package market

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/tickcast/tickcast/orders"
)

func TestScaleParse(t *testing.T) {
	cent := Scale{Decimals: 2, Unit: 1, Max: 1 << 53}
	nickel := Scale{Decimals: 2, Unit: 5, Max: 1 << 53}
	whole := Scale{Decimals: 0, Unit: 1, Max: 1000}
	cases := []struct {
		name string
		sc   Scale
		in   string
		want int64
		err  error
	}{
		{"plain", cent, "64250.50", 6425050, nil},
		{"fewer decimals", cent, "64250.5", 6425050, nil},
		{"no decimals", cent, "7", 700, nil},
		{"leading point", cent, ".25", 25, nil},
		{"trailing point", cent, "3.", 300, nil},
		{"trailing zeros beyond the tick", cent, "1.2300000", 123, nil},
		{"nickel multiple", nickel, "1.05", 21, nil},
		{"not a nickel multiple", nickel, "1.02", 0, ErrDecimalStep},
		{"below the tick", cent, "0.001", 0, ErrDecimalStep},
		{"zero", cent, "0.00", 0, ErrDecimalNegative},
		{"empty", cent, "", 0, ErrDecimalSyntax},
		{"just a point", cent, ".", 0, ErrDecimalSyntax},
		{"two points", cent, "1.2.3", 0, ErrDecimalSyntax},
		{"sign", cent, "-1.00", 0, ErrDecimalSyntax},
		{"plus", cent, "+1.00", 0, ErrDecimalSyntax},
		{"exponent", cent, "1e2", 0, ErrDecimalSyntax},
		{"huge exponent", cent, "1e2147483647", 0, ErrDecimalSyntax},
		{"space", cent, " 1.00", 0, ErrDecimalSyntax},
		{"hex", cent, "0x10", 0, ErrDecimalSyntax},
		{"too long", cent, strings.Repeat("1", 33), 0, ErrDecimalSyntax},
		{"32 characters", whole, "0000000000000000000000000000009.", 9, nil},
		{"above max", whole, "1001", 0, ErrDecimalRange},
		{"beyond int64", cent, "99999999999999999999999999.99", 0, ErrDecimalRange},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.sc.Parse(tc.in)
			if !errors.Is(err, tc.err) || got != tc.want {
				t.Fatalf("Parse(%q) = %d, %v; want %d, %v", tc.in, got, err, tc.want, tc.err)
			}
		})
	}
}

func TestScaleFormat(t *testing.T) {
	cases := []struct {
		sc   Scale
		n    int64
		want string
	}{
		{Scale{Decimals: 2, Unit: 1}, 6425050, "64250.50"},
		{Scale{Decimals: 4, Unit: 1}, 1250, "0.1250"},
		{Scale{Decimals: 4, Unit: 1}, 0, "0.0000"},
		{Scale{Decimals: 5, Unit: 1}, 108000, "1.08000"},
		{Scale{Decimals: 2, Unit: 5}, 21, "1.05"},
		{Scale{Decimals: 0, Unit: 1}, 42, "42"},
		{Scale{Decimals: 0, Unit: 10}, 42, "420"},
		{Scale{Decimals: 3, Unit: 1}, 7, "0.007"},
	}
	for _, c := range cases {
		if got := c.sc.Format(c.n); got != c.want {
			t.Errorf("Format(%d) with %+v = %q, want %q", c.n, c.sc, got, c.want)
		}
	}
	if got := formatFixed(-1234, 2); got != "-12.34" {
		t.Errorf("formatFixed(-1234, 2) = %q", got)
	}
}

// TestAppendFixed compares the integer formatting with shopspring/decimal's
// over random values and every number of decimals a scale or an asset
// can have.
func TestAppendFixed(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	values := []int64{0, 1, -1, 9, 10, 99, 100, math.MaxInt64, math.MinInt64 + 1, math.MinInt64}
	for range 2000 {
		values = append(values, rng.Int64()>>rng.IntN(63), -(rng.Int64() >> rng.IntN(63)))
	}
	for dec := int32(0); dec <= 24; dec++ {
		for _, v := range values {
			want := decimal.NewFromInt(v).Shift(-dec).StringFixed(dec)
			if got := string(appendFixed([]byte("x"), v, dec)); got != "x"+want {
				t.Fatalf("appendFixed(%d, %d) = %q, want %q", v, dec, got[1:], want)
			}
		}
	}
}

func TestNewScale(t *testing.T) {
	for step, want := range map[string]Scale{"0.01": {2, 1, 9}, "0.05": {2, 5, 9}, "1": {0, 1, 9}, "0.00001": {5, 1, 9}, "10": {0, 10, 9}, "0.50": {2, 50, 9}} {
		if got, err := NewScale(step, 9); err != nil || got != want {
			t.Errorf("NewScale(%q) = %+v, %v; want %+v", step, got, err, want)
		}
	}
	for _, bad := range []string{"0", "-1", "x", "1e-3", ""} {
		if _, err := NewScale(bad, 9); err == nil {
			t.Errorf("NewScale(%q) accepted", bad)
		}
	}
}

// FuzzScaleParse: any string either parses to a count whose formatting
// parses back to the same count, or is refused with one of the sentinel
// errors; never a panic or a hang.
func FuzzScaleParse(f *testing.F) {
	for _, s := range []string{"64250.50", "0.0001", "1e9", "1.", ".5", "99999999999999999999999999", "-0", "0.05"} {
		f.Add(s)
	}
	scales := []Scale{{2, 1, 1 << 53}, {4, 1, 1 << 53}, {2, 5, 1 << 53}, {0, 1, 1000}, {5, 1, 1 << 53}}
	f.Fuzz(func(t *testing.T, s string) {
		for _, sc := range scales {
			n, err := sc.Parse(s)
			if err != nil {
				if !errors.Is(err, ErrDecimalSyntax) && !errors.Is(err, ErrDecimalStep) && !errors.Is(err, ErrDecimalRange) && !errors.Is(err, ErrDecimalNegative) {
					t.Fatalf("Parse(%q): unexpected error %v", s, err)
				}
				continue
			}
			if n <= 0 || n > sc.Max {
				t.Fatalf("Parse(%q) = %d outside (0, %d]", s, n, sc.Max)
			}
			if back, err := sc.Parse(sc.Format(n)); err != nil || back != n {
				t.Fatalf("Parse(Format(%d)) = %d, %v", n, back, err)
			}
		}
	})
}

// parseRef is Scale.Parse as it was with shopspring/decimal: the
// integer parser must agree with it on every input.
func parseRef(sc Scale, s string) (int64, error) {
	d, err := parseDecimal(s)
	if err != nil {
		return 0, err
	}
	if d.Sign() <= 0 {
		return 0, ErrDecimalNegative
	}
	units := d.Shift(sc.Decimals)
	if !units.IsInteger() {
		return 0, ErrDecimalStep
	}
	bi := units.BigInt()
	if !bi.IsInt64() {
		return 0, ErrDecimalRange
	}
	u := bi.Int64()
	if u%sc.Unit != 0 {
		return 0, ErrDecimalStep
	}
	n := u / sc.Unit
	if n > sc.Max {
		return 0, ErrDecimalRange
	}
	return n, nil
}

var parseScales = []Scale{{2, 1, 1 << 53}, {4, 1, 1 << 53}, {2, 5, 1 << 53}, {0, 1, 1000}, {5, 1, 1 << 53}, {12, 1, math.MaxInt64}, {0, 10, math.MaxInt64}, {3, 25, 1 << 40}}

func checkParseRef(t *testing.T, s string) {
	t.Helper()
	for _, sc := range parseScales {
		n, err := sc.Parse(s)
		wn, werr := parseRef(sc, s)
		if n != wn || !errors.Is(err, werr) || (err == nil) != (werr == nil) {
			t.Fatalf("%+v.Parse(%q) = %d, %v; shopspring/decimal says %d, %v", sc, s, n, err, wn, werr)
		}
	}
}

// TestScaleParseRef compares the integer parser with the shopspring/decimal
// one over edge cases and random decimal strings.
func TestScaleParseRef(t *testing.T) {
	for _, s := range []string{"0", "00.000", "1", "1.", ".1", "9223372036854775807", "9223372036854775808", "922337203685477580.7",
		"0.000000000001", "0.0000000000010", "0.0000000000001", "1.000000000000000000000", "18446744073709551616", "99999999999999999999.001",
		"92233720.36854775807", "92233720.36854775808", "0000000000000000000000000000009.", "1.2.3", "", ".", "-1", "1e3"} {
		checkParseRef(t, s)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	const alphabet = "0123456789000."
	for range 20000 {
		b := make([]byte, 1+rng.IntN(MaxDecimalLen))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		checkParseRef(t, string(b))
	}
}

// FuzzScaleParseRef: the integer parser and the shopspring/decimal one
// agree on any input.
func FuzzScaleParseRef(f *testing.F) {
	for _, s := range []string{"64250.50", "0.0001", "1e9", "1.", ".5", "99999999999999999999999999", "9223372036854775808", "0.05"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkParseRef(t, s) })
}

// TestScaleParseAllocs: parsing an order's price or quantity allocates
// nothing.
func TestScaleParseAllocs(t *testing.T) {
	sc := Scale{Decimals: 2, Unit: 1, Max: 1 << 53}
	if n := testing.AllocsPerRun(100, func() { _, _ = sc.Parse("60000.00") }); n != 0 {
		t.Fatalf("Parse allocates %v times", n)
	}
}

// The protocol's enums, as tables.
var (
	sides = map[string]orders.Side{"buy": orders.Buy, "sell": orders.Sell}
	types = map[string]orders.Type{"limit": orders.Limit, "market": orders.Market}
	tifs  = map[string]orders.TIF{"": orders.GTC, "gtc": orders.GTC, "ioc": orders.IOC, "fok": orders.FOK}
)

// TestParseEnums: the switches agree with the protocol's tables.
func TestParseEnums(t *testing.T) {
	for _, s := range []string{"buy", "sell", "limit", "market", "", "gtc", "ioc", "fok", "BUY", "x", "Gtc"} {
		sd, ok := parseSide(s)
		if want, wok := sides[s]; ok != wok || sd != want {
			t.Errorf("parseSide(%q) = %v, %v", s, sd, ok)
		}
		ty, ok := parseType(s)
		if want, wok := types[s]; ok != wok || ty != want {
			t.Errorf("parseType(%q) = %v, %v", s, ty, ok)
		}
		tf, ok := parseTIF(s)
		if want, wok := tifs[s]; ok != wok || tf != want {
			t.Errorf("parseTIF(%q) = %v, %v", s, tf, ok)
		}
	}
}
