package market

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"

	"github.com/shopspring/decimal"

	"github.com/tickcast/tickcast/orders"
)

// Instrument is one tradable pair and its rules. The exported fields are
// its configuration, as in an instruments file (docs/instruments.md); New
// derives the integer scales the venue works with.
type Instrument struct {
	Symbol  string `json:"s"`        // BASE-QUOTE, e.g. BTC-USD
	Base    string `json:"base"`     // asset bought and sold
	Quote   string `json:"quote"`    // asset prices are in
	Tick    string `json:"tick"`     // price increment, e.g. "0.01"
	Lot     string `json:"lot"`      // quantity increment, e.g. "0.0001"
	MinQty  string `json:"min_qty"`  // smallest order quantity
	MaxQty  string `json:"max_qty"`  // largest order quantity
	BandPct string `json:"band_pct"` // price band, percent around the last trade
	Ref     string `json:"ref"`      // reference price: start of the simulation, band centre before the first trade
	// Sim holds the simulator's parameters for this instrument, decoded by
	// package market/sim; absent means its defaults.
	Sim json.RawMessage `json:"sim,omitempty"`

	index   int
	price   Scale // ticks
	qty     Scale // lots
	minLots int64
	maxLots int64
	refTick int64
	bandBP  int64 // band in basis points

	baseAsset   int   // index of Base in the venue's assets
	quoteAsset  int   // index of Quote
	baseMul     int64 // base units per lot
	notionalMul int64 // quote units per tick x lot
}

// Index is the instrument's position in the venue's list.
func (in *Instrument) Index() int { return in.index }

// PriceScale converts between price strings and ticks.
func (in *Instrument) PriceScale() Scale { return in.price }

// QtyScale converts between quantity strings and lots.
func (in *Instrument) QtyScale() Scale { return in.qty }

// MinLots is the smallest order quantity in lots.
func (in *Instrument) MinLots() int64 { return in.minLots }

// MaxLots is the largest order quantity in lots.
func (in *Instrument) MaxLots() int64 { return in.maxLots }

// RefTicks is the reference price in ticks.
func (in *Instrument) RefTicks() int64 { return in.refTick }

// BandBP is the price band in basis points.
func (in *Instrument) BandBP() int64 { return in.bandBP }

var (
	symbolRE = regexp.MustCompile(`^[A-Z0-9]{1,12}-[A-Z0-9]{1,12}$`)
	// ErrInstruments reports an invalid instrument configuration.
	ErrInstruments = errors.New("invalid instruments")
)

// prepare validates the configuration and derives the integer scales.
func (in *Instrument) prepare(index int) error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrInstruments, in.Symbol, fmt.Sprintf(format, a...))
	}
	if !symbolRE.MatchString(in.Symbol) || in.Symbol != in.Base+"-"+in.Quote {
		return bad("symbol must be BASE-QUOTE matching base %q and quote %q", in.Base, in.Quote)
	}
	var err error
	if in.price, err = NewScale(in.Tick, orders.MaxPrice); err != nil {
		return bad("tick: %v", err)
	}
	if in.qty, err = NewScale(in.Lot, orders.MaxQty); err != nil {
		return bad("lot: %v", err)
	}
	if in.price.Unit > math.MaxInt64/orders.MaxPrice || in.qty.Unit > math.MaxInt64/orders.MaxQty {
		return bad("tick or lot too fine")
	}
	if in.minLots, err = in.qty.Parse(in.MinQty); err != nil {
		return bad("min_qty %q: %v", in.MinQty, err)
	}
	if in.maxLots, err = in.qty.Parse(in.MaxQty); err != nil || in.maxLots < in.minLots {
		return bad("max_qty %q: must be a lot multiple >= min_qty", in.MaxQty)
	}
	if in.refTick, err = in.price.Parse(in.Ref); err != nil {
		return bad("ref %q: %v", in.Ref, err)
	}
	band, err := parseDecimal(in.BandPct)
	if err != nil || !band.IsPositive() || band.GreaterThan(decimal.NewFromInt(100)) {
		return bad("band_pct %q: want a percentage in (0, 100]", in.BandPct)
	}
	bp := band.Shift(2)
	if !bp.IsInteger() {
		return bad("band_pct %q: at most two decimals", in.BandPct)
	}
	in.bandBP = bp.IntPart()
	// Balances are kept in units fine enough for price x quantity; make
	// sure a maximal order's notional fits comfortably in int64.
	hi := float64(in.refTick) * (1 + float64(in.bandBP)/1e4) * 4 * float64(in.maxLots) * float64(in.price.Unit) * float64(in.qty.Unit)
	if hi > 1e17 {
		return bad("max_qty x price too large for exact balances")
	}
	in.index = index
	return nil
}

// DefaultInstruments returns the built-in instruments: four crypto pairs
// and an FX-like pair with a 0.00001 tick.
func DefaultInstruments() []Instrument {
	return []Instrument{
		{Symbol: "BTC-USD", Base: "BTC", Quote: "USD", Tick: "0.01", Lot: "0.0001", MinQty: "0.0001", MaxQty: "100.0000", BandPct: "10", Ref: "60000.00"},
		{Symbol: "ETH-USD", Base: "ETH", Quote: "USD", Tick: "0.01", Lot: "0.001", MinQty: "0.001", MaxQty: "1000.000", BandPct: "10", Ref: "3000.00"},
		{Symbol: "SOL-USD", Base: "SOL", Quote: "USD", Tick: "0.01", Lot: "0.01", MinQty: "0.01", MaxQty: "10000.00", BandPct: "10", Ref: "150.00"},
		{Symbol: "DOGE-USD", Base: "DOGE", Quote: "USD", Tick: "0.00001", Lot: "1", MinQty: "1", MaxQty: "5000000", BandPct: "15", Ref: "0.15000"},
		{Symbol: "EUR-USD", Base: "EUR", Quote: "USD", Tick: "0.00001", Lot: "1", MinQty: "1", MaxQty: "10000000", BandPct: "2", Ref: "1.08000"},
	}
}

// LoadInstruments reads an instruments file: a JSON array of Instrument
// objects (docs/instruments.md). It validates them as New would.
func LoadInstruments(path string) ([]Instrument, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var list []Instrument
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInstruments, path, err)
	}
	if _, err := prepareInstruments(list); err != nil {
		return nil, err
	}
	return list, nil
}

// prepareInstruments validates a list and returns prepared copies.
func prepareInstruments(list []Instrument) ([]*Instrument, error) {
	if len(list) == 0 {
		return nil, fmt.Errorf("%w: no instruments", ErrInstruments)
	}
	seen := map[string]bool{}
	out := make([]*Instrument, len(list))
	for i := range list {
		in := list[i]
		if err := in.prepare(i); err != nil {
			return nil, err
		}
		if seen[in.Symbol] {
			return nil, fmt.Errorf("%w: %s listed twice", ErrInstruments, in.Symbol)
		}
		seen[in.Symbol] = true
		out[i] = &in
	}
	return out, nil
}
