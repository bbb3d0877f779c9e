package market

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestDefaultInstruments(t *testing.T) {
	list, err := prepareInstruments(DefaultInstruments())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"BTC-USD", "ETH-USD", "SOL-USD", "DOGE-USD", "EUR-USD"}
	for i, in := range list {
		if in.Symbol != want[i] || in.Index() != i {
			t.Fatalf("instrument %d is %s", i, in.Symbol)
		}
	}
	eur := list[4]
	if eur.Tick != "0.00001" || eur.PriceScale().Decimals != 5 || eur.RefTicks() != 108000 || eur.BandBP() != 200 {
		t.Fatalf("EUR-USD %+v", eur)
	}
}

func TestInstrumentValidation(t *testing.T) {
	ok := DefaultInstruments()[0]
	cases := map[string]func(*Instrument){
		"symbol not BASE-QUOTE": func(in *Instrument) { in.Symbol = "BTCUSD" },
		"symbol not base-quote": func(in *Instrument) { in.Base = "ETH" },
		"zero tick":             func(in *Instrument) { in.Tick = "0" },
		"bad lot":               func(in *Instrument) { in.Lot = "1e-4" },
		"min off lot":           func(in *Instrument) { in.MinQty = "0.00001" },
		"max below min":         func(in *Instrument) { in.MaxQty = "0.0000" },
		"ref off tick":          func(in *Instrument) { in.Ref = "60000.001" },
		"band zero":             func(in *Instrument) { in.BandPct = "0" },
		"band over 100":         func(in *Instrument) { in.BandPct = "101" },
		"band too precise":      func(in *Instrument) { in.BandPct = "1.001" },
		"notional too large":    func(in *Instrument) { in.MaxQty = "90000000000.0000" },
	}
	for name, mod := range cases {
		in := ok
		mod(&in)
		if _, err := prepareInstruments([]Instrument{in}); !errors.Is(err, ErrInstruments) {
			t.Errorf("%s: accepted (%v)", name, err)
		}
	}
	if _, err := prepareInstruments([]Instrument{ok, ok}); err == nil {
		t.Error("duplicate symbol accepted")
	}
	if _, err := prepareInstruments(nil); err == nil {
		t.Error("empty list accepted")
	}
}

func TestLoadInstruments(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "instruments.json")
	doc := `[{"s":"XAU-USD","base":"XAU","quote":"USD","tick":"0.1","lot":"0.01","min_qty":"0.01","max_qty":"500.00","band_pct":"5","ref":"2400.0","sim":{"vol":0.01}}]`
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	list, err := LoadInstruments(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Symbol != "XAU-USD" || string(list[0].Sim) != `{"vol":0.01}` {
		t.Fatalf("loaded %+v", list)
	}
	if err := os.WriteFile(path, []byte(`{"not":"a list"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadInstruments(path); !errors.Is(err, ErrInstruments) {
		t.Fatalf("bad file: %v", err)
	}
	if _, err := LoadInstruments(filepath.Join(dir, "missing.json")); err == nil {
		t.Fatal("missing file accepted")
	}
}
