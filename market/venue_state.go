package market

import "context"

// State is what a consumer that saw none of the venue's events needs to
// serve its market as it is at one offset: the feed's edges rebuild from it
// (and from the events published after it) everything they serve without
// the venue. It is plain data, like an Event.
type State struct {
	Epoch string
	// Off is the offset of the last public event published before the
	// state was taken: the events with a greater offset apply on top of
	// it.
	Off uint64
	// TS is the venue's time when the state was taken (ns).
	TS int64
	// Books holds a KindBookSnapshot per symbol, in instrument order, with
	// the seq, off and ts of the book's last delta (deltas from Seq+1 on
	// apply on top of it).
	Books []*Event
	// Trades holds per symbol its most recent trade events, oldest first
	// (at most Config.TradeHistory).
	Trades [][]*Event
	// Candles1s and Candles1m hold per symbol its most recent candles of
	// the interval, oldest first, the open one (if any) last.
	Candles1s, Candles1m [][]*Candle
	// Tickers holds per symbol its latest ticker event (Seq 0: built from
	// the reference price, it has not traded yet).
	Tickers []*Event
}

// State takes the venue's State on the sequencer: between two commands,
// so that it is exactly the state after the last batch published before
// it.
func (v *Venue) State(ctx context.Context) (*State, error) {
	return query(v, ctx, func() *State {
		st := &State{Epoch: v.epoch, Off: v.off, TS: v.now}
		for _, bs := range v.books {
			snap := bs.snapshot()
			snap.Seq, snap.Off, snap.TS = bs.delta.seq, bs.delta.off, bs.delta.ts
			st.Books = append(st.Books, snap)
			st.Trades = append(st.Trades, bs.recentTrades(v.cfg.TradeHistory))
			st.Candles1s = append(st.Candles1s, bs.candles[0].recent(bs.inst, v.cfg.CandleHistory+1))
			st.Candles1m = append(st.Candles1m, bs.candles[1].recent(bs.inst, v.cfg.CandleHistory+1))
			st.Tickers = append(st.Tickers, bs.tickerEvent())
		}
		return st
	})
}

// TradeHistory is how many trades per symbol the venue keeps for REST
// (Config.TradeHistory after defaults); CandleHistory likewise.
func (v *Venue) TradeHistory() int { return v.cfg.TradeHistory }

// CandleHistory is how many closed candles per symbol and interval the
// venue keeps (Config.CandleHistory after defaults).
func (v *Venue) CandleHistory() int { return v.cfg.CandleHistory }

// TokenKey returns the key that signs the venue's account tokens, for the
// feed's edges that check tokens without the venue (VerifyToken).
func (v *Venue) TokenKey() []byte { return v.cfg.TokenKey }

// VerifyToken returns the account a token signed with key was issued for,
// as Venue.VerifyToken does with the venue's own key.
func VerifyToken(key []byte, token string) (string, bool) { return verifyToken(key, token) }
