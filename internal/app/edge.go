package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tickcast/tickcast/feed"
	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/internal/cluster"
)

// EdgeConfig configures an Edge: the hub and the transports of a
// scaled-out deployment, fed from Redis. Zero fields mean the documented
// defaults, as in Config; the hub's symbols, epoch and node id and the
// feed's venue and hub are filled in by NewEdge.
type EdgeConfig struct {
	// Addr is the listen address; default 127.0.0.1:8080.
	Addr     string
	Listener net.Listener
	// Redis is the transport's configuration (URL required).
	Redis cluster.EdgeConfig
	Hub   hub.Config
	Feed  feed.Config
	// MetaTimeout bounds the wait for the engine's P:meta in NewEdge;
	// default 30 s.
	MetaTimeout     time.Duration
	ShutdownTimeout time.Duration
	Logger          *slog.Logger
}

// DefaultResumeWait is an edge's hub.Config.ResumeWait: how long a resume
// from a position this edge has not reached yet (the client comes from an
// edge further ahead) waits before it is answered reset.
const DefaultResumeWait = 2 * time.Second

// Edge is `tickcast edge`: a hub and the feed's server, fed by and
// sending operations over Redis, with no market state beyond what it
// rebuilt from it.
type Edge struct {
	cfg     EdgeConfig
	log     *slog.Logger
	Cluster *cluster.Edge
	Hub     *hub.Hub
	Feed    *feed.Server
	ln      net.Listener

	stopEdge, stopHub            context.CancelFunc
	edgeDone, hubDone, serveDone chan struct{}
	edgeErr, serveErr            error
	started, stopping            atomic.Bool
}

// NewEdge connects to Redis, waits for the engine's meta, and builds the
// hub and the feed; Start (or Run) starts them.
func NewEdge(ctx context.Context, cfg EdgeConfig) (*Edge, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:8080"
	}
	if cfg.MetaTimeout <= 0 {
		cfg.MetaTimeout = 30 * time.Second
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 5 * time.Second
	}
	rcfg := cfg.Redis
	if rcfg.Logger == nil {
		rcfg.Logger = cfg.Logger
	}
	dctx, cancel := context.WithTimeout(ctx, cfg.MetaTimeout)
	ce, err := cluster.DialEdge(dctx, rcfg)
	cancel()
	if err != nil {
		return nil, err
	}
	hcfg := cfg.Hub
	hcfg.Symbols, hcfg.Epoch, hcfg.NodeID = ce.Symbols(), ce.Meta().Epoch, ce.Node()
	if hcfg.ResumeWait <= 0 {
		hcfg.ResumeWait = DefaultResumeWait // a client from an edge further ahead waits for this one
	}
	if hcfg.Logger == nil {
		hcfg.Logger = cfg.Logger
	}
	e := &Edge{cfg: cfg, log: cfg.Logger, Cluster: ce, Hub: hub.New(hcfg, ce),
		edgeDone: make(chan struct{}), hubDone: make(chan struct{}), serveDone: make(chan struct{})}
	fcfg := cfg.Feed
	fcfg.Venue, fcfg.Hub, fcfg.GateOnReady = ce, e.Hub, true
	if fcfg.Logger == nil {
		fcfg.Logger = cfg.Logger
	}
	fcfg.Collectors = append(append([]prometheus.Collector(nil), fcfg.Collectors...),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "tickcast_edge_lag_offsets", Help: "The engine's last offset in Redis minus the last one this edge relayed."},
			func() float64 { return float64(ce.Lag()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "tickcast_edge_offset", Help: "The last offset this edge relayed."},
			func() float64 { return float64(ce.Offset()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "tickcast_edge_resyncs_total", Help: "Holes in the engine's events this edge got over from its state (clients got resets)."},
			func() float64 { return float64(ce.Resyncs()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "tickcast_edge_ready", Help: "1 while the edge serves the engine's market (Redis up, caught up)."},
			func() float64 {
				if e.Ready() {
					return 1
				}
				return 0
			}),
	)
	if e.Feed, err = feed.NewServer(fcfg, e.Ready); err != nil {
		return nil, err
	}
	if e.ln = cfg.Listener; e.ln == nil {
		if e.ln, err = net.Listen("tcp", cfg.Addr); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// Addr is the address the edge listens on.
func (e *Edge) Addr() string { return e.ln.Addr().String() }

// URL is http://Addr.
func (e *Edge) URL() string { return "http://" + e.Addr() }

// Ready reports whether the edge serves the engine's market (GET /readyz).
func (e *Edge) Ready() bool {
	return e.started.Load() && !e.stopping.Load() && e.Cluster.Ready()
}

// Start starts the hub, the Redis follower and the HTTP server.
func (e *Edge) Start() {
	if !e.started.CompareAndSwap(false, true) {
		return
	}
	var ectx, hctx context.Context
	ectx, e.stopEdge = context.WithCancel(context.Background())
	hctx, e.stopHub = context.WithCancel(context.Background())
	go func() { defer close(e.hubDone); _ = e.Hub.Run(hctx) }()
	go func() { defer close(e.edgeDone); e.edgeErr = e.Cluster.Run(ectx, e.Hub) }()
	go func() { defer close(e.serveDone); e.serveErr = e.Feed.Serve(e.ln) }()
}

// Done is closed when the edge stopped following the engine by itself
// (Err says why: cluster.ErrEpochChanged).
func (e *Edge) Done() <-chan struct{} { return e.edgeDone }

// Err is why the edge stopped following the engine, once Done is closed.
func (e *Edge) Err() error { return e.edgeErr }

// Run starts the edge and serves until ctx ends or the edge can no longer
// follow the engine, then shuts it down.
func (e *Edge) Run(ctx context.Context) error {
	e.Start()
	var err error
	select {
	case <-ctx.Done():
	case <-e.edgeDone:
		err = e.edgeErr
	case <-e.serveDone:
		err = fmt.Errorf("serve: %w", e.serveErr)
	}
	return errors.Join(err, e.Shutdown(context.Background()))
}

// Shutdown stops following Redis, lets the hub relay what it holds, then
// closes the transports (1001, end of SSE streams) and the HTTP server.
func (e *Edge) Shutdown(ctx context.Context) error {
	if !e.stopping.CompareAndSwap(false, true) {
		return nil
	}
	if !e.started.Load() {
		return e.ln.Close()
	}
	var errs []error
	e.stopEdge()
	<-e.edgeDone
	t := time.NewTimer(e.cfg.ShutdownTimeout)
	select {
	case <-e.hubDone:
	case <-t.C:
		errs = append(errs, fmt.Errorf("%w: hub drain", ErrStuck))
	}
	t.Stop()
	e.stopHub()
	<-e.hubDone
	fctx, cancel := context.WithTimeout(ctx, e.cfg.ShutdownTimeout)
	defer cancel()
	if err := e.Feed.Shutdown(fctx); err != nil {
		errs = append(errs, fmt.Errorf("feed shutdown: %w", err))
	}
	<-e.serveDone
	return errors.Join(errs...)
}
