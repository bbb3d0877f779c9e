package cluster

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tickcast/tickcast/feed/bus"
	"github.com/tickcast/tickcast/market"
)

// EdgeConfig configures an Edge; zero fields mean the documented defaults.
type EdgeConfig struct {
	// URL is the Redis URL (redis://host:port/db); required.
	URL string
	// Prefix namespaces every key; default DefaultPrefix.
	Prefix string
	// LeaseTTL is the lifetime of the edge's lease, refreshed three times
	// within it; default 3 s.
	LeaseTTL time.Duration
	// OpQueue bounds the operations waiting to be sent to the engine;
	// past it an operation is refused as the venue's full queue is
	// (market.ErrBusy). Default 65,536.
	OpQueue int
	Logger  *slog.Logger
}

// ErrEpochChanged is returned by Edge.Run when the engine started a new
// history: an edge serves one epoch and must be restarted for the next.
var ErrEpochChanged = errors.New("cluster: the engine's epoch changed")

// Edge is an edge's side of the cluster: the bus.Subscriber its hub
// consumes (P:events from Redis, continuity checked, caught up from
// P:state), the feed.Venue its sessions and REST use (operations to P:ops,
// queries answered on its reply list, REST data from what it rebuilt), its
// lease, and its lag behind the engine.
type Edge struct {
	cfg   EdgeConfig
	k     keys
	log   *slog.Logger
	rdb   *redis.Client // commands
	block *redis.Client // XREAD BLOCK on P:events
	reply *redis.Client // BLPOP on the reply list
	meta  *Meta
	node  uint32
	insts []*market.Instrument
	store *store

	ch  chan []*market.Event // to the hub
	hub Resyncer

	ops     chan []byte
	reqID   atomic.Uint64
	pmu     sync.Mutex
	pending map[uint64]chan []byte

	up       atomic.Bool   // Redis answered the last command
	synced   atomic.Bool   // the hub holds a state: caught up once, no gap open
	caughtUp atomic.Bool   // the last read reached the end of P:events
	lastHi   atomic.Uint64 // offset relayed
	headHi   atomic.Uint64 // the engine's, as P:events says
	resyncs  atomic.Int64
	fatal    chan error
}

// Resyncer is what the edge needs of its hub besides the bus
// (*hub.Hub implements it).
type Resyncer interface {
	Resync(ctx context.Context, off uint64, books []*market.Event) error
}

var _ bus.Subscriber = (*Edge)(nil)

// DialEdge connects to Redis, waits (until ctx ends) for the engine's
// P:meta, and takes a node id.
func DialEdge(ctx context.Context, cfg EdgeConfig) (*Edge, error) {
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = DefaultLeaseTTL
	}
	if cfg.OpQueue <= 0 {
		cfg.OpQueue = 65536
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	quietRedis(cfg.Logger)
	opt, err := redis.ParseURL(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("cluster: --redis %q: %w", cfg.URL, err)
	}
	bopt := *opt
	bopt.PoolSize, bopt.ReadTimeout = 1, 5*time.Second
	ropt := bopt
	e := &Edge{cfg: cfg, k: newKeys(cfg.Prefix), log: cfg.Logger, rdb: redis.NewClient(opt), block: redis.NewClient(&bopt),
		reply: redis.NewClient(&ropt), ops: make(chan []byte, cfg.OpQueue), pending: map[uint64]chan []byte{}, fatal: make(chan error, 1)}
	wait := time.Duration(0)
	for {
		if !sleep(ctx, wait) {
			e.close()
			return nil, fmt.Errorf("cluster: no engine meta at %s (%s): %w", cfg.URL, e.k.meta(), ctx.Err())
		}
		wait = backoff(wait)
		b, err := e.rdb.Get(ctx, e.k.meta()).Bytes()
		if err != nil {
			continue
		}
		if e.meta, err = decodeMeta(b); err != nil {
			e.close()
			return nil, err
		}
		// A node id no live edge holds: a random one, claimed with the
		// lease (SET NX). A counter would restart with an emptied Redis
		// and hand out ids that running edges still use.
		var r [4]byte
		_, _ = crand.Read(r[:])
		node := binary.LittleEndian.Uint32(r[:])%maxNode + 1
		ok, err := e.rdb.SetNX(ctx, e.k.lease(node), "starting", cfg.LeaseTTL).Result()
		if err != nil || !ok {
			continue
		}
		e.node = node
		break
	}
	for i := range e.meta.Instruments {
		e.insts = append(e.insts, &e.meta.Instruments[i])
	}
	e.store = newStore(e.meta)
	return e, nil
}

func (e *Edge) close() { _ = errors.Join(e.rdb.Close(), e.block.Close(), e.reply.Close()) }

// Meta is what the engine said about itself: epoch, instruments.
func (e *Edge) Meta() *Meta { return e.meta }

// Node is this edge's node id (hub.Config.NodeID).
func (e *Edge) Node() uint32 { return e.node }

// Symbols lists the instruments' symbols, in order.
func (e *Edge) Symbols() []string {
	out := make([]string, len(e.insts))
	for i, in := range e.insts {
		out[i] = in.Symbol
	}
	return out
}

// Subscribe is the hub's subscription: the batches of P:events, in order.
// An edge feeds one hub.
func (e *Edge) Subscribe(buf int) bus.Subscription {
	e.ch = make(chan []*market.Event, buf)
	return edgeSub{e}
}

type edgeSub struct{ e *Edge }

func (s edgeSub) C() <-chan []*market.Event { return s.e.ch }
func (s edgeSub) Cancel()                   {}

// Ready reports whether the edge serves the engine's market: Redis
// answers, its hub holds the engine's state and it has read P:events to
// the end at least once since.
func (e *Edge) Ready() bool { return e.up.Load() && e.synced.Load() && e.caughtUp.Load() }

// Lag is how many offsets the edge is behind the engine, as P:events says.
func (e *Edge) Lag() uint64 {
	h, l := e.headHi.Load(), e.lastHi.Load()
	if h > l {
		return h - l
	}
	return 0
}

// Offset is the last offset the edge relayed.
func (e *Edge) Offset() uint64 { return e.lastHi.Load() }

// Resyncs counts the holes the edge found in P:events and got over.
func (e *Edge) Resyncs() int64 { return e.resyncs.Load() }

// Run feeds h (built on this Edge as its bus.Subscriber) until ctx ends,
// and sends the sessions' operations, refreshes the lease and follows the
// engine's head meanwhile. It closes the hub's channel when it returns,
// which lets the hub drain. It returns ErrEpochChanged when the engine
// started another history.
func (e *Edge) Run(ctx context.Context, h Resyncer) error {
	e.hub = h
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	run := func(f func(context.Context)) {
		wg.Add(1)
		go func() { defer wg.Done(); f(ctx) }()
	}
	run(e.sendLoop)
	run(e.replyLoop)
	run(e.leaseLoop)
	run(e.headLoop)
	run(e.follow)
	var err error
	select {
	case <-ctx.Done():
	case err = <-e.fatal:
		cancel()
	}
	wg.Wait()
	close(e.ch)
	e.rdb.Del(context.Background(), e.k.lease(e.node))
	e.close()
	return err
}

func (e *Edge) fail(err error) {
	select {
	case e.fatal <- err:
	default:
	}
}

// headLoop follows the engine's last offset (for Lag) and its epoch.
func (e *Edge) headLoop(ctx context.Context) {
	for i := 0; sleep(ctx, 250*time.Millisecond); i++ {
		msgs, err := e.rdb.XRevRangeN(ctx, e.k.events(), "+", "-", 1).Result()
		if err != nil {
			e.up.Store(false)
			continue
		}
		if len(msgs) == 1 {
			if hi, _, err := parseID(msgs[0].ID); err == nil {
				e.headHi.Store(hi)
			}
		}
		if i%4 != 0 {
			continue
		}
		b, err := e.rdb.Get(ctx, e.k.meta()).Bytes()
		if err != nil {
			continue // Redis restarted empty: the engine writes it again
		}
		if m, err := decodeMeta(b); err == nil && m.Epoch != e.meta.Epoch {
			e.log.Error("cluster: the engine started a new epoch: this edge must restart", "ours", e.meta.Epoch, "engine", m.Epoch)
			e.fail(ErrEpochChanged)
			return
		}
	}
}

// leaseLoop keeps the edge's lease alive.
func (e *Edge) leaseLoop(ctx context.Context) {
	for wait := time.Duration(0); sleep(ctx, wait); wait = e.cfg.LeaseTTL / 3 {
		if err := e.rdb.Set(ctx, e.k.lease(e.node), strconv.FormatInt(time.Now().Unix(), 10), e.cfg.LeaseTTL).Err(); err != nil {
			e.up.Store(false)
		}
	}
}
