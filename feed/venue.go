package feed

import (
	"context"

	"github.com/tickcast/tickcast/feed/ws"
	"github.com/tickcast/tickcast/market"
)

// Venue is what the feed needs of the exchange: the sessions' order entry
// (ws.Venue) and the REST queries. *market.Venue implements it in one
// process; an edge of a scaled-out deployment implements it with what it
// rebuilt from the engine's events and with operations sent to the engine
// (internal/cluster).
type Venue interface {
	ws.Venue
	// Instruments returns the instruments, in order.
	Instruments() []*market.Instrument
	// Tickers returns the latest ticker of every symbol, in order.
	Tickers(ctx context.Context) ([]*market.Event, error)
	// Trades returns up to limit of symbol's most recent trades, oldest
	// first.
	Trades(ctx context.Context, symbol string, limit int) ([]*market.Event, error)
	// Candles returns up to limit of symbol's most recent candles of
	// interval, oldest first, the open one last.
	Candles(ctx context.Context, symbol, interval string, limit int) ([]*market.Candle, error)
	// CreateAccount creates a funded demo account.
	CreateAccount(ctx context.Context) (account, token string, err error)
	// AccountHistory returns an account's open and recent orders and fills.
	AccountHistory(ctx context.Context, account string, limit int) (*market.AccountHistory, error)
	// QueueDepth returns how many operations wait for the venue.
	QueueDepth() int
	// ExpiredAccounts returns how many idle demo accounts the venue
	// removed.
	ExpiredAccounts() uint64
}

var _ Venue = (*market.Venue)(nil)
