package cluster

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tickcast/tickcast/market"
)

// The Edge is the feed's venue on an edge: sessions' commands go to the
// engine over P:ops, in the order the sessions made them (one sender,
// one stream), and their results come back as events on P:events; REST
// reads what the edge rebuilt, and asks the engine for accounts.

// ErrQueryFailed is returned by a query the engine could not answer.
var ErrQueryFailed = errors.New("cluster: the engine did not answer")

// VerifyToken checks a token with the engine's key.
func (e *Edge) VerifyToken(token string) (string, bool) {
	return market.VerifyToken(e.meta.TokenKey, token)
}

// send queues an operation for the engine without blocking: while Redis is
// unavailable, or the queue is full, it is refused as a busy venue's.
func (e *Edge) send(o *Op) error {
	if !e.up.Load() {
		return market.ErrBusy
	}
	select {
	case e.ops <- AppendOp(nil, o):
		return nil
	default:
		return market.ErrBusy
	}
}

// PlaceOrder sends an order to the engine.
func (e *Edge) PlaceOrder(origin market.Origin, account string, r market.OrderRequest) error {
	return e.send(&Op{Kind: OpPlace, Origin: origin, Account: account, Order: r})
}

// CancelOrder sends a cancel to the engine.
func (e *Edge) CancelOrder(origin market.Origin, account string, ref market.OrderRef) error {
	return e.send(&Op{Kind: OpCancel, Origin: origin, Account: account, Ref: ref})
}

// AmendOrder sends an amend to the engine.
func (e *Edge) AmendOrder(origin market.Origin, account string, ref market.OrderRef, a market.AmendRequest) error {
	return e.send(&Op{Kind: OpAmend, Origin: origin, Account: account, Ref: ref, Amend: a})
}

// CancelAll sends a cancel_all to the engine.
func (e *Edge) CancelAll(origin market.Origin, account, symbol string) error {
	return e.send(&Op{Kind: OpCancelAll, Origin: origin, Account: account, Symbol: symbol})
}

// Auth sends an auth to the engine.
func (e *Edge) Auth(origin market.Origin, account string, cod bool) error {
	return e.send(&Op{Kind: OpAuth, Origin: origin, Account: account, Cod: cod})
}

// Detach tells the engine a session is gone. It waits for room in the
// queue (not for Redis): losing it would leave orders that should have
// been canceled; if the edge dies first, its lease does it.
func (e *Edge) Detach(ctx context.Context, session uint64, account string) error {
	select {
	case e.ops <- AppendOp(nil, &Op{Kind: OpDetach, Origin: market.Origin{Session: session}, Account: account}):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Instruments returns the engine's instruments.
func (e *Edge) Instruments() []*market.Instrument { return e.insts }

// Tickers returns the latest ticker of every symbol.
func (e *Edge) Tickers(context.Context) ([]*market.Event, error) { return e.store.allTickers(), nil }

// Trades returns symbol's recent trades, oldest first.
func (e *Edge) Trades(_ context.Context, symbol string, limit int) ([]*market.Event, error) {
	return e.store.recentTrades(symbol, limit)
}

// Candles returns symbol's recent candles of interval, oldest first.
func (e *Edge) Candles(_ context.Context, symbol, interval string, limit int) ([]*market.Candle, error) {
	return e.store.candles(symbol, interval, limit)
}

// ExpiredAccounts is 0 on an edge: the engine removes idle accounts, and
// its /metrics counts them.
func (e *Edge) ExpiredAccounts() uint64 { return 0 }

// QueueDepth returns the operations waiting to be sent.
func (e *Edge) QueueDepth() int { return len(e.ops) }

// CreateAccount asks the engine for a demo account.
func (e *Edge) CreateAccount(ctx context.Context) (string, string, error) {
	b, err := e.query(ctx, &Op{Kind: OpCreateAccount})
	if err != nil {
		return "", "", err
	}
	var out [2]string
	if err := json.Unmarshal(b, &out); err != nil || out[0] == "" {
		return "", "", ErrQueryFailed
	}
	return out[0], out[1], nil
}

// AccountHistory asks the engine for an account's orders and fills.
func (e *Edge) AccountHistory(ctx context.Context, account string, limit int) (*market.AccountHistory, error) {
	b, err := e.query(ctx, &Op{Kind: OpAccountHistory, Account: account, Limit: limit})
	if err != nil {
		return nil, err
	}
	var h market.AccountHistory
	if err := unmarshal(b, maxReplyBytes, &h); err != nil {
		return nil, ErrQueryFailed
	}
	return &h, nil
}

// query sends a query and waits for its answer on the reply list.
func (e *Edge) query(ctx context.Context, o *Op) ([]byte, error) {
	o.Req, o.Node = e.reqID.Add(1), e.node
	ch := make(chan []byte, 1)
	e.pmu.Lock()
	e.pending[o.Req] = ch
	e.pmu.Unlock()
	defer func() {
		e.pmu.Lock()
		delete(e.pending, o.Req)
		e.pmu.Unlock()
	}()
	if err := e.send(o); err != nil {
		return nil, err
	}
	select {
	case r := <-ch:
		switch r[0] {
		case replyOK:
			return r[1:], nil
		case replyUnknownAccount:
			return nil, market.ErrUnknownAccount
		}
		return nil, ErrQueryFailed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// sendLoop sends the queued operations to P:ops in order, several per
// round trip, retrying while Redis fails.
func (e *Edge) sendLoop(ctx context.Context) {
	var batch [][]byte
	wait := time.Duration(0)
	for {
		if len(batch) == 0 {
			select {
			case b := <-e.ops:
				batch = append(batch, b)
			case <-ctx.Done():
				return
			}
		}
	more:
		for len(batch) < 256 {
			select {
			case b := <-e.ops:
				batch = append(batch, b)
			default:
				break more
			}
		}
		p := e.rdb.Pipeline()
		cmds := make([]*redis.StringCmd, len(batch))
		for i, b := range batch {
			cmds[i] = p.XAdd(ctx, &redis.XAddArgs{Stream: e.k.ops(), Values: []any{"o", b}})
		}
		_, _ = p.Exec(ctx)
		done := len(batch)
		for i, c := range cmds {
			if c.Err() != nil {
				done = i
				break
			}
		}
		batch = append(batch[:0], batch[done:]...)
		if len(batch) > 0 {
			e.up.Store(false)
			wait = backoff(wait)
			if !sleep(ctx, wait) {
				return
			}
			continue
		}
		wait = 0
	}
}

// replyLoop reads the edge's reply list and hands each answer to its
// query.
func (e *Edge) replyLoop(ctx context.Context) {
	key := e.k.reply(e.node)
	wait := time.Duration(0)
	for sleep(ctx, wait) {
		res, err := e.reply.BLPop(ctx, time.Second, key).Result()
		if errors.Is(err, redis.Nil) {
			wait = 0
			continue
		}
		if err != nil || len(res) != 2 {
			wait = backoff(wait)
			continue
		}
		wait = 0
		r := []byte(res[1])
		if len(r) < 9 || len(r) > maxReplyBytes {
			continue
		}
		req := binary.BigEndian.Uint64(r)
		e.pmu.Lock()
		ch := e.pending[req]
		e.pmu.Unlock()
		if ch != nil {
			select {
			case ch <- r[8:]:
			default:
			}
		}
	}
}
