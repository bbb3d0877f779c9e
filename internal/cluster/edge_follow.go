package cluster

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tickcast/tickcast/feed/bus"
	"github.com/tickcast/tickcast/market"
)

// readCount is how many entries one XREAD takes.
const readCount = 512

// batchEntry is one decoded P:events entry.
type batchEntry struct {
	id       string
	prev, hi uint64
	batch    []*market.Event
}

func decodeEntry(m redis.XMessage) (*batchEntry, error) {
	hi, _, err := parseID(m.ID)
	if err != nil {
		return nil, err
	}
	p, _ := m.Values["p"].(string)
	b, _ := m.Values["b"].(string)
	x := &batchEntry{id: m.ID, hi: hi}
	if x.prev, _, err = parseID(p + "-0"); err != nil {
		return nil, err
	}
	if x.batch, err = bus.UnmarshalBatch([]byte(b)); err != nil {
		return nil, err
	}
	return x, nil
}

// follow catches up and then follows P:events. Cold (nothing relayed
// yet), it takes P:state at some offset S, relays the entries up to S as
// history, then the state (the books' snapshots; the REST data), then
// everything after. Then every entry must continue the last: one whose
// prev is not the last offset relayed is a hole (Redis lost entries, or the
// engine dropped them), and the edge resynchronises (resync) instead of
// splicing it.
func (e *Edge) follow(ctx context.Context) {
	var (
		last    = "0-0"
		lastHi  uint64
		cold    = true
		st      *market.State
		wait    time.Duration
		history bool // cold: entries up to S relayed as history
	)
	for sleep(ctx, wait) {
		if cold && st == nil {
			if st = e.loadState(ctx); st == nil {
				wait = backoff(wait)
				continue
			}
		}
		res, err := e.block.XRead(ctx, &redis.XReadArgs{Streams: []string{e.k.events(), last}, Count: readCount, Block: time.Second}).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			if ctx.Err() != nil {
				return
			}
			if e.up.Swap(false) {
				e.log.Warn("cluster: Redis unavailable: edge not ready", "err", err)
			}
			e.caughtUp.Store(false)
			wait = backoff(wait)
			continue
		}
		if !e.up.Swap(true) {
			e.log.Info("cluster: Redis available")
		}
		wait = 0
		var msgs []redis.XMessage
		if len(res) > 0 {
			msgs = res[0].Messages
		}
		if cold && len(msgs) == 0 {
			// Everything up to the state (if anything) is relayed.
			if !e.takeState(ctx, st, lastHi, history) {
				return
			}
			cold, lastHi = false, st.Off
			last = maxID(last, entryID(st.Off, 0))
			continue
		}
	entries:
		for _, m := range msgs {
			x, err := decodeEntry(m)
			if err != nil {
				e.log.Error("cluster: P:events entry refused", "id", m.ID, "err", err)
				last = m.ID // the hole it leaves shows at the next entry
				continue
			}
			if cold {
				if x.hi <= st.Off { // history, before the state
					if history && x.prev != lastHi && !e.clearHistory(ctx, x.prev) {
						return
					}
					if !e.push(ctx, x.batch) {
						return
					}
					history, lastHi, last = true, x.hi, x.id
					continue
				}
				if !history && x.prev > st.Off { // the state is older than the stream: a newer one
					st = nil
					break entries
				}
				if !e.takeState(ctx, st, lastHi, history) {
					return
				}
				cold, lastHi = false, st.Off
				last = maxID(last, entryID(st.Off, 0))
			}
			if x.prev != lastHi {
				off, ok := e.resync(ctx, x)
				if !ok {
					return
				}
				lastHi, last = off, maxID(last, entryID(off, 0))
				break entries // read again from there
			}
			if len(x.batch) > 0 && x.batch[0].Epoch != e.meta.Epoch && x.batch[0].Epoch != "" {
				e.fail(ErrEpochChanged)
				return
			}
			e.store.apply(x.batch)
			if !e.push(ctx, x.batch) {
				return
			}
			lastHi, last = x.hi, x.id
			e.lastHi.Store(lastHi)
		}
		if !cold {
			e.caughtUp.Store(len(msgs) < readCount)
		}
	}
}

// push hands a batch to the hub.
func (e *Edge) push(ctx context.Context, batch []*market.Event) bool {
	select {
	case e.ch <- batch:
		return true
	case <-ctx.Done():
		return false
	}
}

// loadState reads P:state (nil when absent or unreadable).
func (e *Edge) loadState(ctx context.Context) *market.State {
	b, err := e.rdb.Get(ctx, e.k.state()).Bytes()
	if err != nil {
		if !errors.Is(err, redis.Nil) {
			e.up.Store(false)
		}
		return nil
	}
	var st market.State
	if err := unmarshal(b, maxStateBytes, &st); err != nil {
		e.log.Error("cluster: P:state refused", "err", err)
		return nil
	}
	if st.Epoch != e.meta.Epoch {
		return nil // the engine has not written its own yet
	}
	return &st
}

// takeState makes st the hub's and the store's state, cold: after the
// history it relayed (ending at lastHi) when that reaches the state, else
// over a fresh history.
func (e *Edge) takeState(ctx context.Context, st *market.State, lastHi uint64, history bool) bool {
	e.store.reset(st)
	if history && lastHi != st.Off {
		if !e.drained(ctx) || e.hub.Resync(ctx, st.Off, st.Books) != nil {
			return false
		}
	} else if !e.push(ctx, st.Books) {
		return false
	}
	e.lastHi.Store(st.Off)
	e.synced.Store(true)
	e.log.Info("cluster: edge caught up with the engine's state", "off", st.Off, "history", history)
	return true
}

// clearHistory forgets the history relayed so far (a hole in it).
func (e *Edge) clearHistory(ctx context.Context, off uint64) bool {
	return e.drained(ctx) && e.hub.Resync(ctx, off, nil) == nil
}

// drained waits until the hub has taken every batch handed to it.
func (e *Edge) drained(ctx context.Context) bool {
	for len(e.ch) > 0 {
		if !sleep(ctx, time.Millisecond) {
			return false
		}
	}
	return true
}

// resync gets over a hole before entry x: it waits for a P:state at least
// as new as what x follows, makes it the hub's (resets to its subscribers,
// the history forgotten) and the store's, and returns its offset.
func (e *Edge) resync(ctx context.Context, x *batchEntry) (uint64, bool) {
	e.synced.Store(false)
	e.resyncs.Add(1)
	e.log.Warn("cluster: hole in P:events: resynchronising from P:state", "relayed", e.lastHi.Load(), "entry", x.id, "follows", x.prev)
	for {
		if st := e.loadState(ctx); st != nil && st.Off >= x.prev {
			if !e.drained(ctx) || e.hub.Resync(ctx, st.Off, st.Books) != nil {
				return 0, false
			}
			e.store.reset(st)
			e.lastHi.Store(st.Off)
			e.synced.Store(true)
			return st.Off, true
		}
		if !sleep(ctx, 100*time.Millisecond) {
			return 0, false
		}
	}
}

// maxID returns the later of two stream IDs.
func maxID(a, b string) string {
	ah, an, _ := parseID(a)
	bh, bn, _ := parseID(b)
	if ah > bh || ah == bh && an >= bn {
		return a
	}
	return b
}
