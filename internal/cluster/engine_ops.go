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

// opsLoop reads P:ops in order and hands each operation to the venue. It
// starts after the entries already there: operations sent while no engine
// ran were answered by nobody, and their sessions have given up on them.
func (e *Engine) opsLoop(ctx context.Context) {
	last := ""
	wait := time.Duration(0)
	for sleep(ctx, wait) {
		if last == "" {
			msgs, err := e.rdb.XRevRangeN(ctx, e.k.ops(), "+", "-", 1).Result()
			if err != nil {
				wait = backoff(wait)
				continue
			}
			last = "0-0"
			if len(msgs) == 1 {
				last = msgs[0].ID
			}
		}
		res, err := e.block.XRead(ctx, &redis.XReadArgs{Streams: []string{e.k.ops(), last}, Count: 1024, Block: time.Second}).Result()
		if errors.Is(err, redis.Nil) {
			wait = 0
			continue
		}
		if err != nil {
			if ctx.Err() == nil {
				e.setUp(false)
			}
			wait = backoff(wait)
			continue
		}
		wait = 0
		for _, st := range res {
			for _, m := range st.Messages {
				last = m.ID
				s, _ := m.Values["o"].(string)
				o, err := DecodeOp([]byte(s))
				if err != nil {
					e.log.Warn("cluster: operation refused", "err", err, "id", m.ID)
					continue
				}
				e.apply(ctx, o)
			}
		}
		if len(res) > 0 && len(res[0].Messages) > 0 {
			_ = e.rdb.XTrimMaxLenApprox(ctx, e.k.ops(), 100_000, 0).Err()
		}
	}
}

// apply hands one operation to the venue. A refusal (queue full) is
// answered to its session, as the one-process feed does.
func (e *Engine) apply(ctx context.Context, o *Op) {
	v := e.venue
	var err error
	switch o.Kind {
	case OpPlace:
		err = v.PlaceOrder(o.Origin, o.Account, o.Order)
	case OpCancel:
		err = v.CancelOrder(o.Origin, o.Account, o.Ref)
	case OpAmend:
		err = v.AmendOrder(o.Origin, o.Account, o.Ref, o.Amend)
	case OpCancelAll:
		err = v.CancelAll(o.Origin, o.Account, o.Symbol)
	case OpAuth:
		if err = v.Auth(o.Origin, o.Account, o.Cod); err == nil {
			e.track(o.Origin.Session, o.Account)
		}
	case OpDetach:
		e.untrack(o.Origin.Session)
		dctx, cancel := context.WithTimeout(ctx, time.Second)
		_ = v.Detach(dctx, o.Origin.Session, o.Account)
		cancel()
		return
	case OpCreateAccount, OpAccountHistory:
		go e.query(ctx, o)
		return
	}
	switch {
	case errors.Is(err, market.ErrBusy):
		e.replyError(o, market.CodeRateLimited, "venue busy: retry")
	case err != nil:
		e.replyError(o, market.CodeInternal, "venue unavailable")
	}
}

// Replies to queries, on P:reply:<node>: the request id (8 bytes), a
// status byte, then the payload (JSON for an account, msgpack for a
// history; an error's message).
const (
	replyOK byte = iota
	replyUnknownAccount
	replyFailed
)

// query answers a REST query on the edge's reply list.
func (e *Engine) query(ctx context.Context, o *Op) {
	qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	out := binary.BigEndian.AppendUint64(nil, o.Req)
	var payload []byte
	status := replyOK
	switch o.Kind {
	case OpCreateAccount:
		account, token, err := e.venue.CreateAccount(qctx)
		if err == nil {
			payload, err = json.Marshal([2]string{account, token})
		}
		if err != nil {
			status = replyFailed
		}
	case OpAccountHistory:
		h, err := e.venue.AccountHistory(qctx, o.Account, max(1, min(o.Limit, 1000)))
		if err == nil {
			payload, err = marshal(h)
		}
		switch {
		case errors.Is(err, market.ErrUnknownAccount):
			status = replyUnknownAccount
		case err != nil:
			status = replyFailed
		}
	}
	out = append(append(out, status), payload...)
	key := e.k.reply(o.Node)
	p := e.rdb.Pipeline()
	p.RPush(qctx, key, out)
	p.Expire(qctx, key, 30*time.Second)
	_, _ = p.Exec(qctx)
}

func (e *Engine) track(session uint64, account string) {
	e.smu.Lock()
	defer e.smu.Unlock()
	node := NodeOf(session)
	m := e.sessions[node]
	if m == nil {
		m = map[uint64]string{}
		e.sessions[node] = m
	}
	m[session] = account
}

func (e *Engine) untrack(session uint64) {
	e.smu.Lock()
	defer e.smu.Unlock()
	node := NodeOf(session)
	delete(e.sessions[node], session)
	if len(e.sessions[node]) == 0 {
		delete(e.sessions, node)
	}
}

// leaseLoop checks, every second, the lease of each edge that holds
// authenticated sessions. An edge whose lease is gone (and Redis has been
// up for longer than a lease lives, so that a Redis restart is no death) is
// dead: its sessions are detached, which cancels the orders of those that
// asked for cancel_on_disconnect and lets idle accounts expire.
func (e *Engine) leaseLoop(ctx context.Context) {
	for sleep(ctx, time.Second) {
		if !e.up.Load() || time.Since(time.Unix(0, e.upSince.Load())) < 2*e.cfg.LeaseTTL {
			continue
		}
		e.smu.Lock()
		nodes := make([]uint32, 0, len(e.sessions))
		for n := range e.sessions {
			nodes = append(nodes, n)
		}
		e.smu.Unlock()
		for _, n := range nodes {
			alive, err := e.rdb.Exists(ctx, e.k.lease(n)).Result()
			if err != nil || alive == 1 {
				continue
			}
			e.smu.Lock()
			dead := e.sessions[n]
			delete(e.sessions, n)
			e.smu.Unlock()
			e.log.Warn("cluster: edge lease expired: detaching its sessions", "node", n, "sessions", len(dead))
			for s, account := range dead {
				dctx, cancel := context.WithTimeout(ctx, time.Second)
				_ = e.venue.Detach(dctx, s, account)
				cancel()
			}
		}
	}
}
