package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tickcast/tickcast/internal/cluster"
	"github.com/tickcast/tickcast/market"
	"github.com/tickcast/tickcast/market/sim"
)

// EngineConfig configures an Engine: the venue (and the simulated market)
// of a scaled-out deployment, publishing to Redis. Zero fields mean the
// documented defaults, as in Config.
type EngineConfig struct {
	// Addr serves /healthz, /readyz and /metrics; default 127.0.0.1:8081.
	Addr     string
	Listener net.Listener
	// Redis is the transport's configuration (URL required).
	Redis   cluster.EngineConfig
	Market  market.Config
	Sim     *sim.Config
	WrapSim func(market.Actor) market.Actor
	// ShutdownTimeout bounds the venue's stop and the wait for Redis to
	// take the last batches; default 5 s.
	ShutdownTimeout time.Duration
	Logger          *slog.Logger
}

// Engine is `tickcast engine`: the venue, its Redis publisher and a small
// HTTP server for health and metrics.
type Engine struct {
	cfg     EngineConfig
	log     *slog.Logger
	Venue   *market.Venue
	Cluster *cluster.Engine
	ln      net.Listener
	http    *http.Server

	stopVenue, stopCluster context.CancelFunc
	venueDone, clusterDone chan struct{}
	started, stopping      atomic.Bool
}

// NewEngine builds the engine and binds its listener.
func NewEngine(cfg EngineConfig) (*Engine, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:8081"
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 5 * time.Second
	}
	// A data directory: its settings and token key, as serve does.
	dcfg := Config{Market: cfg.Market, Sim: cfg.Sim}
	stored := false
	if cfg.Market.DataDir != "" {
		var err error
		if stored, err = loadDataDir(&dcfg, cfg.Logger); err != nil {
			return nil, err
		}
		cfg.Market, cfg.Sim = dcfg.Market, dcfg.Sim
	}
	if cfg.Market.Seed == 0 {
		cfg.Market.Seed = randomSeed()
	}
	rcfg := cfg.Redis
	if rcfg.Logger == nil {
		rcfg.Logger = cfg.Logger
	}
	ce, err := cluster.NewEngine(rcfg)
	if err != nil {
		return nil, err
	}
	venue, err := buildVenue(cfg.Market, cfg.Sim, cfg.WrapSim, cfg.Logger, ce)
	if err != nil {
		return nil, err
	}
	if cfg.Market.DataDir != "" && !stored {
		dcfg.Market, dcfg.Sim = cfg.Market, cfg.Sim
		if err := saveSettings(&dcfg, venue.Epoch()); err != nil {
			venue.Close()
			return nil, err
		}
	}
	e := &Engine{cfg: cfg, log: cfg.Logger, Venue: venue, Cluster: ce, venueDone: make(chan struct{}), clusterDone: make(chan struct{})}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "tickcast_venue_queue_depth", Help: "Commands waiting in the venue's input queue."},
			func() float64 { return float64(venue.QueueDepth()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "tickcast_accounts_expired_total", Help: "Demo accounts removed after --account-idle-ttl without an authenticated session or an open order."},
			func() float64 { return float64(venue.ExpiredAccounts()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "tickcast_engine_redis_backlog", Help: "Batches waiting for Redis."},
			func() float64 { return float64(ce.Backlog()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "tickcast_engine_batches_dropped_total", Help: "Batches that never reached Redis (edges resynchronise over them)."},
			func() float64 { return float64(ce.Dropped()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "tickcast_engine_offset", Help: "The last offset Redis took."},
			func() float64 { return float64(ce.Written()) }),
	)
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !e.Ready() {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("starting\n"))
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	e.http = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	if e.ln = cfg.Listener; e.ln == nil {
		if e.ln, err = net.Listen("tcp", cfg.Addr); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// buildVenue makes the venue of a server or an engine, publishing to pub,
// with the simulated market when simCfg is set.
func buildVenue(mcfg market.Config, simCfg *sim.Config, wrap func(market.Actor) market.Actor, log *slog.Logger, pub market.Publisher) (*market.Venue, error) {
	mcfg.Publisher = pub
	if mcfg.Logger == nil {
		mcfg.Logger = log
	}
	if mcfg.ReplayWindow <= 0 {
		mcfg.ReplayWindow = DefaultReplayWindow // what a recovery publishes again, for the edges' history
	}
	mcfg.Actors = append([]market.Actor(nil), mcfg.Actors...)
	if simCfg != nil {
		scfg := *simCfg
		if scfg.Seed == 0 {
			scfg.Seed = mcfg.Seed
		}
		if scfg.Logger == nil {
			scfg.Logger = log
		}
		m, err := sim.New(scfg)
		if err != nil {
			return nil, err
		}
		var a market.Actor = m
		if wrap != nil {
			a = wrap(a)
		}
		mcfg.Actors = append(mcfg.Actors, a)
	}
	venue, err := market.New(mcfg)
	if err != nil {
		return nil, err
	}
	if simCfg != nil {
		if err := sim.Validate(venue.Instruments()); err != nil {
			venue.Close()
			return nil, fmt.Errorf("instruments: %w", err)
		}
	}
	return venue, nil
}

// Addr is the address of the health and metrics server.
func (e *Engine) Addr() string { return e.ln.Addr().String() }

// URL is http://Addr.
func (e *Engine) URL() string { return "http://" + e.Addr() }

// Seed is the venue's seed.
func (e *Engine) Seed() uint64 { return e.cfg.Market.Seed }

// Ready reports whether the venue is live and Redis takes its events.
func (e *Engine) Ready() bool {
	if !e.started.Load() || e.stopping.Load() || !e.Cluster.Ready() {
		return false
	}
	select {
	case <-e.Venue.Live():
		return true
	default:
		return false
	}
}

// Start starts the Redis transport, the venue and the HTTP server.
func (e *Engine) Start() {
	if !e.started.CompareAndSwap(false, true) {
		return
	}
	var cctx, vctx context.Context
	cctx, e.stopCluster = context.WithCancel(context.Background())
	vctx, e.stopVenue = context.WithCancel(context.Background())
	go func() { defer close(e.clusterDone); _ = e.Cluster.Run(cctx, e.Venue) }()
	go func() { defer close(e.venueDone); _ = e.Venue.Run(vctx) }()
	go func() { _ = e.http.Serve(e.ln) }()
}

// Run starts the engine and runs it until ctx ends, then shuts it down.
func (e *Engine) Run(ctx context.Context) error {
	e.Start()
	<-ctx.Done()
	return e.Shutdown(context.Background())
}

// Shutdown stops the venue, lets Redis take what it published (up to
// ShutdownTimeout), then stops the transport and the HTTP server.
func (e *Engine) Shutdown(ctx context.Context) error {
	if !e.stopping.CompareAndSwap(false, true) {
		return nil
	}
	if !e.started.Load() {
		e.Venue.Close()
		return e.ln.Close()
	}
	var errs []error
	e.stopVenue()
	t := time.NewTimer(e.cfg.ShutdownTimeout)
	defer t.Stop()
	select {
	case <-e.venueDone:
	case <-t.C:
		errs = append(errs, fmt.Errorf("%w: venue stop", ErrStuck))
	}
	dctx, cancel := context.WithTimeout(ctx, e.cfg.ShutdownTimeout)
	e.Cluster.Drain(dctx)
	cancel()
	e.stopCluster()
	<-e.clusterDone
	if err := e.Venue.Close(); err != nil {
		errs = append(errs, fmt.Errorf("venue close: %w", err))
	}
	hctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if err := e.http.Shutdown(hctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
