package main

import (
	"context"
	"errors"
	"flag"
	"os"
	"os/signal"
	"syscall"

	"github.com/tickcast/tickcast/internal/app"
	"github.com/tickcast/tickcast/internal/cluster"
)

// clusterFlags are what `tickcast engine` and `tickcast edge` add to the
// flags of serve: the engine uses the venue's and the simulator's, the
// edge the feed's.
type clusterFlags struct {
	serveFlags
	redis, prefix string
}

func clusterFlagSet(name string, f *clusterFlags) *flag.FlagSet {
	fs := serveFlagSet(&f.serveFlags)
	fs.Init(name, flag.ContinueOnError)
	fs.StringVar(&f.redis, "redis", "", "Redis URL, e.g. redis://127.0.0.1:6379/0 (required)")
	fs.StringVar(&f.prefix, "redis-prefix", cluster.DefaultPrefix, "prefix of every Redis key of this deployment")
	return fs
}

func parseCluster(name string, args []string, addr string) (*clusterFlags, app.Config, error) {
	var f clusterFlags
	fs := clusterFlagSet(name, &f)
	if err := fs.Set("addr", addr); err != nil {
		return nil, app.Config{}, err
	}
	if err := parse(fs, args); err != nil {
		return nil, app.Config{}, err
	}
	if f.redis == "" {
		return nil, app.Config{}, errors.New("--redis is required (e.g. redis://127.0.0.1:6379/0)")
	}
	if name == "edge" && f.dataDir != "" {
		return nil, app.Config{}, errors.New("--data-dir is the engine's: an edge keeps nothing of its own")
	}
	cfg, err := f.config()
	return &f, cfg, err
}

// engine runs `tickcast engine`: the venue and the simulated market,
// publishing to Redis; --addr serves /healthz, /readyz and /metrics.
func engine(args []string) error {
	f, cfg, err := parseCluster("engine", args, "127.0.0.1:8081")
	if err != nil {
		return err
	}
	e, err := app.NewEngine(app.EngineConfig{Addr: cfg.Addr, Redis: cluster.EngineConfig{URL: f.redis, Prefix: f.prefix},
		Market: cfg.Market, Sim: cfg.Sim, Logger: cfg.Logger})
	if err != nil {
		return err
	}
	cfg.Logger.Info("tickcast engine", "addr", e.Addr(), "redis", f.redis, "prefix", f.prefix, "seed", e.Seed(), "epoch", e.Venue.Epoch())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return e.Run(ctx)
}

// edge runs `tickcast edge`: WebSocket, SSE, REST, the UI and /metrics,
// fed from Redis.
func edge(args []string) error {
	f, cfg, err := parseCluster("edge", args, "127.0.0.1:8080")
	if err != nil {
		return err
	}
	if _, err := app.RaiseOpenFiles(); err != nil {
		cfg.Logger.Warn("could not raise the open files limit", "err", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e, err := app.NewEdge(ctx, app.EdgeConfig{Addr: cfg.Addr, Redis: cluster.EdgeConfig{URL: f.redis, Prefix: f.prefix},
		Hub: cfg.Hub, Feed: cfg.Feed, Logger: cfg.Logger})
	if err != nil {
		return err
	}
	cfg.Logger.Info("tickcast edge", "addr", e.Addr(), "url", e.URL()+"/", "redis", f.redis, "prefix", f.prefix,
		"node", e.Cluster.Node(), "epoch", e.Cluster.Meta().Epoch)
	return e.Run(ctx)
}
