package market

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestQueryAfterCallerGaveUp: a query whose caller stopped waiting (its
// context ended) may still run on the sequencer later; its result must not
// be written where the caller reads it. Under the race detector the old
// code (the result in a variable shared with the caller) failed here: the
// caller read the variable while the sequencer, later and unordered with
// that read, wrote it. Every query of the venue goes through the same
// helper; each is asked here.
func TestQueryAfterCallerGaveUp(t *testing.T) {
	tv := newTestVenue(t, nil)
	sym := tv.Instruments()[0].Symbol
	queries := map[string]func(ctx context.Context) error{
		"book": func(ctx context.Context) error {
			e, err := tv.BookSnapshot(ctx, sym)
			if err == nil && e == nil {
				t.Error("book: no snapshot and no error")
			}
			return err
		},
		"trades":  func(ctx context.Context) error { _, err := tv.Trades(ctx, sym, 10); return err },
		"candles": func(ctx context.Context) error { _, err := tv.Candles(ctx, sym, "1m", 10); return err },
		"tickers": func(ctx context.Context) error { _, err := tv.Tickers(ctx); return err },
		"history": func(ctx context.Context) error { _, err := tv.AccountHistory(ctx, "a_none", 10); return err },
		"state":   func(ctx context.Context) error { _, err := tv.State(ctx); return err },
	}
	for name, q := range queries {
		applied := make(chan struct{})
		go func() { // the sequencer, late: it takes the command after the caller gave up
			time.Sleep(30 * time.Millisecond)
			tv.apply(<-tv.in)
			close(applied)
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
		err := q(ctx)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: %v, want the caller's deadline", name, err)
		}
		<-applied
	}
}
