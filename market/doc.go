// Package market is the exchange: instruments and their tick and lot rules,
// the Venue sequencer, accounts and balances, candles and tickers, and the
// interface through which simulated agents (market/sim) trade.
//
// The Venue runs on one goroutine and is the only writer of market state:
// it owns every orders.Book, every account and its reservations, and the
// market data derived from trades and book changes. Sessions hand it
// commands (PlaceOrder, CancelOrder, AmendOrder, CancelAll, Auth, Detach)
// through one bounded input queue; it applies them one at a time, wakes the
// actors (the simulated market) at the times they asked for, and publishes
// the events of each command as one batch to a Publisher (the bus), each
// stamped with its stream's seq, the global off and the time.
//
// Everything the venue does follows from the ordered commands, the seed and
// the clock readings: the same inputs give the same events byte for byte
// (tickcast simulate, and the determinism tests, rely on it). Prices and
// quantities are int64 ticks and lots inside, and events carry them as
// integers too (Dec), written as text where they are encoded for the wire;
// decimal strings are parsed at the boundary (Scale.Parse; shopspring/decimal
// only for configuration).
package market
