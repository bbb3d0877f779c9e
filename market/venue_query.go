package market

import (
	"context"
	"fmt"
)

// BookSnapshot returns the full L2 book of symbol as a KindBookSnapshot
// event whose Seq is the last book delta published: deltas from Seq+1 on
// apply on top of it.
func (v *Venue) BookSnapshot(ctx context.Context, symbol string) (*Event, error) {
	bs := v.bySym[symbol]
	if bs == nil {
		return nil, fmt.Errorf("%w: %q", ErrUnknownSymbol, symbol)
	}
	return query(v, ctx, bs.snapshot)
}

// Trades returns up to limit of symbol's most recent trade events, oldest
// first.
func (v *Venue) Trades(ctx context.Context, symbol string, limit int) ([]*Event, error) {
	bs := v.bySym[symbol]
	if bs == nil {
		return nil, fmt.Errorf("%w: %q", ErrUnknownSymbol, symbol)
	}
	return query(v, ctx, func() []*Event { return bs.recentTrades(limit) })
}

// Candles returns up to limit of symbol's most recent candles of interval
// ("1s" or "1m"), oldest first, the one still open (if any) last.
func (v *Venue) Candles(ctx context.Context, symbol, interval string, limit int) ([]*Candle, error) {
	bs := v.bySym[symbol]
	if bs == nil {
		return nil, fmt.Errorf("%w: %q", ErrUnknownSymbol, symbol)
	}
	var i int
	switch interval {
	case "1s":
		i = 0
	case "1m":
		i = 1
	default:
		return nil, fmt.Errorf("market: unknown candle interval %q", interval)
	}
	return query(v, ctx, func() []*Candle { return bs.candles[i].recent(bs.inst, limit) })
}

// Tickers returns the latest ticker event of every symbol, in instrument
// order. A symbol that has not traded yet gets one built from its
// reference price, with Seq 0.
func (v *Venue) Tickers(ctx context.Context) ([]*Event, error) {
	return query(v, ctx, func() []*Event {
		var out []*Event
		for _, bs := range v.books {
			out = append(out, bs.tickerEvent())
		}
		return out
	})
}
