package cluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tickcast/tickcast/feed/bus"
	"github.com/tickcast/tickcast/market"
)

// EngineConfig configures an Engine; zero fields mean the documented
// defaults.
type EngineConfig struct {
	// URL is the Redis URL (redis://host:port/db); required.
	URL string
	// Prefix namespaces every key; default DefaultPrefix.
	Prefix string
	// StreamLen bounds P:events (MAXLEN ~); default 50,000 batches (a
	// batch holds several messages: more than the hubs' default history
	// of 100,000 messages at the simulator's default rate).
	StreamLen int64
	// StateEvery is how often P:state is written; default 1 s.
	StateEvery time.Duration
	// Buffer bounds the batches waiting for Redis (while it is slow or
	// down); past it batches are dropped, and the edges resynchronise
	// (their continuity check sees the hole). Default 65,536.
	Buffer int
	// LeaseTTL is how long an edge's lease lives unrefreshed; default 3 s.
	LeaseTTL time.Duration
	Logger   *slog.Logger
}

func (c *EngineConfig) fill() {
	if c.StreamLen <= 0 {
		c.StreamLen = 50_000
	}
	if c.StateEvery <= 0 {
		c.StateEvery = time.Second
	}
	if c.Buffer <= 0 {
		c.Buffer = 65536
	}
	if c.LeaseTTL <= 0 {
		c.LeaseTTL = DefaultLeaseTTL
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// DefaultLeaseTTL is an edge lease's default lifetime.
const DefaultLeaseTTL = 3 * time.Second

// entry is one batch on its way to P:events.
type entry struct {
	id   string
	prev uint64
	hi   uint64
	data []byte
}

// Engine is the engine's side of the cluster: the venue's market.Publisher
// (each batch becomes one P:events entry), the writer of P:state and
// P:meta, the reader of P:ops and the watcher of the edges' leases.
type Engine struct {
	cfg   EngineConfig
	k     keys
	log   *slog.Logger
	rdb   *redis.Client // commands
	block *redis.Client // XREAD BLOCK on P:ops: a connection of its own
	venue *market.Venue

	mu      sync.Mutex // orders prev/hi/n across the venue and the op reader's replies
	lastHi  uint64
	sameHi  uint64
	in      chan entry
	dropped atomic.Int64
	written atomic.Uint64 // hi of the last entry Redis took
	up      atomic.Bool   // Redis answered the last command
	upSince atomic.Int64  // ns: when Redis last came back
	meta    atomic.Bool   // P:meta written

	wmu       sync.Mutex // P:events writes and their restore
	recent    []entry    // the last batches written, for a Redis that came back empty
	metaBytes []byte

	sessions map[uint32]map[uint64]string // node → session → account, for cancel_on_disconnect (op reader's)
	smu      sync.Mutex
}

var _ market.Publisher = (*Engine)(nil)

// NewEngine connects to Redis (lazily: Run retries until it answers).
func NewEngine(cfg EngineConfig) (*Engine, error) {
	cfg.fill()
	quietRedis(cfg.Logger)
	opt, err := redis.ParseURL(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("cluster: --redis %q: %w", cfg.URL, err)
	}
	bopt := *opt
	bopt.PoolSize, bopt.ReadTimeout = 1, 5*time.Second
	e := &Engine{cfg: cfg, k: newKeys(cfg.Prefix), log: cfg.Logger, rdb: redis.NewClient(opt), block: redis.NewClient(&bopt),
		in: make(chan entry, cfg.Buffer), sessions: map[uint32]map[uint64]string{}}
	return e, nil
}

// Publish encodes a batch and queues it for P:events; it never blocks. A
// batch that finds the queue full is dropped (and counted): the offsets
// still advance, so every edge sees the hole and resynchronises.
func (e *Engine) Publish(batch []*market.Event) {
	data, err := bus.MarshalBatch(nil, batch)
	e.mu.Lock()
	defer e.mu.Unlock()
	prev, hi := e.lastHi, e.lastHi
	for _, ev := range batch {
		if ev.Kind.Public() {
			hi = max(hi, ev.Off)
		}
	}
	if hi == prev {
		e.sameHi++
	} else {
		e.sameHi = 0
	}
	e.lastHi = hi
	if err != nil {
		e.log.Error("cluster: batch not encoded: dropped", "err", err)
		e.dropped.Add(1)
		return
	}
	select {
	case e.in <- entry{id: entryID(hi, e.sameHi), prev: prev, hi: hi, data: data}:
	default:
		if e.dropped.Add(1)&1023 == 1 {
			e.log.Warn("cluster: Redis is behind: batches dropped (edges will resynchronise)", "dropped", e.dropped.Load())
		}
	}
}

// replyError publishes an error reply to the session of origin.
func (e *Engine) replyError(o *Op, code, msg string) {
	if o.Origin.Session == 0 {
		return
	}
	e.Publish([]*market.Event{{Kind: market.KindError, Direct: true, Origin: o.Origin, Account: o.Account,
		Epoch: e.venue.Epoch(), Reply: &market.Reply{Code: code, Msg: msg}}})
}

// Dropped returns how many batches never reached Redis.
func (e *Engine) Dropped() int64 { return e.dropped.Load() }

// Backlog returns how many batches wait for Redis.
func (e *Engine) Backlog() int { return len(e.in) }

// Ready reports whether Redis answers and P:meta is written.
func (e *Engine) Ready() bool { return e.up.Load() && e.meta.Load() }

// Run serves venue over Redis until ctx ends: it writes P:meta (clearing
// the streams of another epoch), then publishes, writes P:state, reads
// P:ops and watches leases. Start it before the venue runs, with the venue
// built on this Engine as its Publisher.
func (e *Engine) Run(ctx context.Context, venue *market.Venue) error {
	e.venue = venue
	var wg sync.WaitGroup
	run := func(f func(context.Context)) {
		wg.Add(1)
		go func() { defer wg.Done(); f(ctx) }()
	}
	run(e.publishLoop)
	run(e.metaLoop)
	run(e.stateLoop)
	run(e.opsLoop)
	run(e.leaseLoop)
	wg.Wait()
	return errors.Join(e.rdb.Close(), e.block.Close())
}

// Drain waits (up to ctx) until every queued batch is in Redis.
func (e *Engine) Drain(ctx context.Context) {
	for len(e.in) > 0 && ctx.Err() == nil {
		time.Sleep(5 * time.Millisecond)
	}
}

func (e *Engine) setUp(ok bool) {
	if ok && !e.up.Load() {
		e.upSince.Store(time.Now().UnixNano())
	}
	e.up.Store(ok)
}

// sleep waits d or until ctx ends, reporting whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// backoff doubles d up to 2 s.
func backoff(d time.Duration) time.Duration { return min(max(2*d, 50*time.Millisecond), 2*time.Second) }

// metaLoop writes P:meta at start (clearing what another history left
// under the prefix: its stream IDs would collide with ours), then checks
// every second that it is still there: a missing P:meta means Redis came
// back empty, and restoreLocked writes it again with the recent batches.
func (e *Engine) metaLoop(ctx context.Context) {
	m := &Meta{Epoch: e.venue.Epoch(), TokenKey: e.venue.TokenKey(), TradeHistory: e.venue.TradeHistory(), CandleHistory: e.venue.CandleHistory()}
	for _, in := range e.venue.Instruments() {
		m.Instruments = append(m.Instruments, *in)
	}
	b, err := encodeMeta(m)
	if err != nil {
		e.log.Error("cluster: meta", "err", err)
		return
	}
	e.metaBytes = b
	for wait := time.Duration(0); sleep(ctx, wait); wait = backoff(wait) {
		old, err := e.rdb.Get(ctx, e.k.meta()).Bytes()
		if err != nil && !errors.Is(err, redis.Nil) {
			e.setUp(false)
			continue
		}
		if om, _ := decodeMeta(old); om == nil || om.Epoch != m.Epoch {
			if err := e.rdb.Del(ctx, e.k.events(), e.k.state()).Err(); err != nil {
				e.setUp(false)
				continue
			}
		}
		if err := e.rdb.Set(ctx, e.k.meta(), b, 0).Err(); err != nil {
			e.setUp(false)
			continue
		}
		e.log.Info("cluster: engine meta written", "epoch", m.Epoch, "prefix", e.k.prefix)
		break
	}
	e.setUp(true)
	e.meta.Store(true)
	for sleep(ctx, time.Second) {
		e.wmu.Lock()
		n, err := e.rdb.Exists(ctx, e.k.meta()).Result()
		if err == nil && n == 0 {
			err = e.restoreLocked(ctx)
		}
		e.wmu.Unlock()
		e.setUp(err == nil)
	}
}

// publishLoop writes the queued batches to P:events, pipelined, in order,
// retrying with backoff while Redis fails.
func (e *Engine) publishLoop(ctx context.Context) {
	var pending []entry
	wait := time.Duration(0)
	for {
		if len(pending) == 0 {
			select {
			case x := <-e.in:
				pending = append(pending, x)
			case <-ctx.Done():
				return
			}
		}
		for len(pending) < 256 {
			select {
			case x := <-e.in:
				pending = append(pending, x)
				continue
			default:
			}
			break
		}
		if !e.meta.Load() { // P:meta first: it may clear the stream
			if !sleep(ctx, 20*time.Millisecond) {
				return
			}
			continue
		}
		n := e.write(ctx, pending)
		if n > 0 {
			e.written.Store(pending[n-1].hi)
		}
		pending = append(pending[:0], pending[n:]...)
		if len(pending) > 0 {
			e.setUp(false)
			wait = backoff(wait)
			if !sleep(ctx, wait) {
				return
			}
			continue
		}
		wait = 0
	}
}

// write adds entries to P:events in one round trip and returns how many
// Redis holds (an entry it already had counts: a retry after a reply was
// lost). Each XADD runs only where P:meta exists (addScript): a Redis that
// came back empty refuses them, and gets P:meta and the recent batches
// again first (restoreLocked), so that no batch it lost with its memory
// goes missing silently behind the ones written after.
func (e *Engine) write(ctx context.Context, entries []entry) int {
	e.wmu.Lock()
	defer e.wmu.Unlock()
	p := e.rdb.Pipeline()
	cmds := make([]*redis.Cmd, len(entries))
	for i, x := range entries {
		cmds[i] = addScript.Eval(ctx, p, []string{e.k.events(), e.k.meta()}, e.cfg.StreamLen, x.id, x.prev, x.data)
	}
	_, _ = p.Exec(ctx)
	for i, c := range cmds {
		err := c.Err()
		if err == nil || strings.Contains(err.Error(), "equal or smaller") {
			e.remember(entries[i])
			continue
		}
		if strings.Contains(err.Error(), "TICKCAST_FRESH") {
			if rerr := e.restoreLocked(ctx); rerr == nil {
				return i // the rest again at once, on the restored stream
			}
		} else if ctx.Err() == nil {
			e.log.Warn("cluster: XADD failed; retrying", "err", err, "waiting", len(entries)-i+len(e.in))
		}
		return i
	}
	return len(entries)
}

// stateLoop writes P:state every StateEvery, once P:events holds every
// entry up to the state's offset.
func (e *Engine) stateLoop(ctx context.Context) {
	for sleep(ctx, e.cfg.StateEvery) {
		qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		st, err := e.venue.State(qctx)
		cancel()
		if err != nil {
			continue
		}
		deadline := time.Now().Add(2 * time.Second)
		for e.written.Load() < st.Off && time.Now().Before(deadline) && sleep(ctx, 5*time.Millisecond) {
		}
		if e.written.Load() < st.Off {
			continue
		}
		b, err := marshal(st)
		if err != nil {
			e.log.Error("cluster: state", "err", err)
			continue
		}
		if err := e.rdb.Set(ctx, e.k.state(), b, 0).Err(); err != nil {
			e.setUp(false)
		}
	}
}

// Written returns the last offset Redis took.
func (e *Engine) Written() uint64 { return e.written.Load() }
