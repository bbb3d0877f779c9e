package market

import (
	"context"
	"testing"
)

// EventScenario runs TestEventBytesStable's scenario with pub as the
// venue's publisher, for the tests of package market_test (which may
// import the packages that import market, such as feed/hub); every 100
// steps it passes answers the venue's query answers (queryAnswers).
func EventScenario(t testing.TB, pub Publisher, answers func([]*Event)) {
	eventScenario(t, pub, answers)
}

// queryAnswers returns what the venue's queries answer now, as events:
// each symbol's book snapshot, recent trades, candles of both intervals
// (each wrapped in an event of its kind) and tickers, and each account's
// history (its orders' and fills' events).
func (tv *testVenue) queryAnswers(accts, syms []string) []*Event {
	var out []*Event
	tv.query(func(ctx context.Context) {
		for _, s := range syms {
			e, err := tv.BookSnapshot(ctx, s)
			if err != nil {
				tv.t.Fatal(err)
			}
			out = append(out, e)
			trades, err := tv.Trades(ctx, s, 20)
			if err != nil {
				tv.t.Fatal(err)
			}
			out = append(out, trades...)
			for i, iv := range []string{"1s", "1m"} {
				cs, err := tv.Candles(ctx, s, iv, 10)
				if err != nil {
					tv.t.Fatal(err)
				}
				for _, c := range cs {
					out = append(out, &Event{Kind: KindCandle1s + Kind(i), Symbol: s, Candle: c})
				}
			}
		}
		tickers, err := tv.Tickers(ctx)
		if err != nil {
			tv.t.Fatal(err)
		}
		out = append(out, tickers...)
		for _, a := range accts {
			h, err := tv.AccountHistory(ctx, a, 100)
			if err != nil {
				tv.t.Fatal(err)
			}
			for _, o := range h.Orders {
				out = append(out, o.Event)
			}
			out = append(out, h.Fills...)
		}
	})
	return out
}
