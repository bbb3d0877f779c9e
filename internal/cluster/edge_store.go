package cluster

import (
	"fmt"
	"sync"

	"github.com/tickcast/tickcast/market"
)

// store is what an edge serves on REST without the venue: per symbol the
// recent trades, the candles of both intervals and the latest ticker,
// rebuilt from a market.State and the events after it.
type store struct {
	mu         sync.RWMutex
	off        uint64 // the offset it is up to date with
	idx        map[string]int
	trades     [][]*market.Event
	c1s, c1m   [][]*market.Candle
	tickers    []*market.Event
	tradeHist  int
	candleHist int
}

func newStore(m *Meta) *store {
	s := &store{idx: map[string]int{}, tradeHist: max(1, m.TradeHistory), candleHist: max(1, m.CandleHistory)}
	n := len(m.Instruments)
	for i, in := range m.Instruments {
		s.idx[in.Symbol] = i
	}
	s.trades, s.c1s, s.c1m, s.tickers = make([][]*market.Event, n), make([][]*market.Candle, n), make([][]*market.Candle, n), make([]*market.Event, n)
	return s
}

// reset takes st as the state.
func (s *store) reset(st *market.State) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.off = st.Off
	for i := range s.trades {
		s.trades[i], s.c1s[i], s.c1m[i], s.tickers[i] = nil, nil, nil, nil
		if i < len(st.Trades) {
			s.trades[i] = append([]*market.Event(nil), st.Trades[i]...)
		}
		if i < len(st.Candles1s) {
			s.c1s[i] = append([]*market.Candle(nil), st.Candles1s[i]...)
		}
		if i < len(st.Candles1m) {
			s.c1m[i] = append([]*market.Candle(nil), st.Candles1m[i]...)
		}
		if i < len(st.Tickers) {
			s.tickers[i] = st.Tickers[i]
		}
	}
}

// apply adds the public events of a batch newer than the store.
func (s *store) apply(batch []*market.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range batch {
		if !e.Kind.Public() || e.Off <= s.off {
			continue
		}
		i, ok := s.idx[e.Symbol]
		if !ok {
			continue
		}
		switch e.Kind {
		case market.KindTrade:
			s.trades[i] = appendBounded(s.trades[i], e, s.tradeHist)
		case market.KindTicker:
			s.tickers[i] = e
		case market.KindCandle1s:
			s.c1s[i] = candle(s.c1s[i], e.Candle, s.candleHist+1)
		case market.KindCandle1m:
			s.c1m[i] = candle(s.c1m[i], e.Candle, s.candleHist+1)
		}
	}
	for _, e := range batch {
		if e.Kind.Public() {
			s.off = max(s.off, e.Off)
		}
	}
}

// appendBounded appends x and keeps the last n values.
func appendBounded[T any](list []T, x T, n int) []T {
	list = append(list, x)
	if len(list) > 2*n { // copy down now and then, not on every append
		list = append(list[:0:0], list[len(list)-n:]...)
	}
	return list
}

// candle applies a candle event: the same interval replaces the last one,
// a later one is appended.
func candle(list []*market.Candle, c *market.Candle, n int) []*market.Candle {
	if c == nil {
		return list
	}
	if k := len(list); k > 0 {
		switch last := list[k-1]; {
		case last.Start == c.Start:
			list[k-1] = c
			return list
		case last.Start > c.Start:
			return list
		}
	}
	return appendBounded(list, c, n)
}

func tail[T any](list []T, n int) []T {
	if n < len(list) {
		list = list[len(list)-n:]
	}
	return append([]T(nil), list...)
}

func (s *store) symbol(symbol string) (int, error) {
	i, ok := s.idx[symbol]
	if !ok {
		return 0, fmt.Errorf("%w: %q", market.ErrUnknownSymbol, symbol)
	}
	return i, nil
}

func (s *store) recentTrades(symbol string, n int) ([]*market.Event, error) {
	i, err := s.symbol(symbol)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return tail(s.trades[i], min(n, s.tradeHist)), nil
}

func (s *store) candles(symbol, interval string, n int) ([]*market.Candle, error) {
	i, err := s.symbol(symbol)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	switch interval {
	case "1s":
		return tail(s.c1s[i], n), nil
	case "1m":
		return tail(s.c1m[i], n), nil
	}
	return nil, fmt.Errorf("market: unknown candle interval %q", interval)
}

func (s *store) allTickers() []*market.Event {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*market.Event, 0, len(s.tickers))
	for _, t := range s.tickers {
		if t != nil {
			out = append(out, t)
		}
	}
	return out
}
