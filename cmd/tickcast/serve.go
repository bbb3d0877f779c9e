package main

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/tickcast/tickcast/feed"
	"github.com/tickcast/tickcast/feed/bus"
	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/feed/sse"
	"github.com/tickcast/tickcast/feed/ws"
	"github.com/tickcast/tickcast/market"
	"github.com/tickcast/tickcast/market/sim"
	"github.com/tickcast/tickcast/web"
)

// serveFlags are the settings of `tickcast serve`.
type serveFlags struct {
	addr, instruments, allowOrigin, corsOrigin, tokenKey, epoch string
	sim                                                         bool
	seed                                                        uint64
	simRate, rateLimit                                          float64
	rateBurst                                                   int
	maxConns, maxConnsPerIP, maxViewers, maxViewersPerIP        int
	maxSubs, malformed, rateLimitBudget, historyMessages        int
	backlogBytes                                                int
	heartbeat, writeTimeout, backlogDelay, historyAge           time.Duration
	logLevel, logFormat, debugAddr                              string
}

func serveFlagSet(f *serveFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "listen address (port 0 picks a free port, logged)")
	fs.BoolVar(&f.sim, "sim", true, "run the simulated market (false: the books are the users' alone)")
	fs.Uint64Var(&f.seed, "seed", 0, "seed of the simulation and account ids (0: random, logged)")
	fs.Float64Var(&f.simRate, "sim-rate", 1, "multiplier on every simulated agent's arrival rate")
	fs.StringVar(&f.instruments, "instruments", "", "instruments file (JSON; default: the built-in five)")
	fs.StringVar(&f.allowOrigin, "allow-origin", "", "comma list of browser origins allowed on /ws besides same-host pages; * for any")
	fs.StringVar(&f.corsOrigin, "cors-origin", "*", "Access-Control-Allow-Origin of the public read-only endpoints (/sse, REST)")
	fs.StringVar(&f.tokenKey, "token-key", "", "hex key signing account tokens (default random: tokens die with the process)")
	fs.StringVar(&f.epoch, "epoch", "", "epoch name of this feed history (default derived from start time and seed)")
	fs.Float64Var(&f.rateLimit, "rate-limit", 50, "orders and amends per second per account")
	fs.IntVar(&f.rateBurst, "rate-burst", 100, "order rate limit burst")
	fs.IntVar(&f.maxConns, "max-conns", 100000, "WebSocket sessions in total (then 1013)")
	fs.IntVar(&f.maxConnsPerIP, "max-conns-per-ip", 20000, "WebSocket sessions per client address (then 1013)")
	fs.IntVar(&f.maxViewers, "max-viewers", 100000, "SSE streams in total (then 503)")
	fs.IntVar(&f.maxViewersPerIP, "max-viewers-per-ip", 20000, "SSE streams per client address (then 503)")
	fs.IntVar(&f.maxSubs, "max-subscriptions", 256, "streams per session (then too_many_subscriptions)")
	fs.IntVar(&f.malformed, "malformed-budget", 10, "malformed messages a session may send (then 1008)")
	fs.IntVar(&f.rateLimitBudget, "rate-limit-budget", 100, "consecutive orders the rate limit may refuse a session (then 1008)")
	fs.DurationVar(&f.heartbeat, "heartbeat", 15*time.Second, "WebSocket ping and SSE comment interval; 3 silent intervals close a session")
	fs.DurationVar(&f.writeTimeout, "write-timeout", 10*time.Second, "deadline of one write to a WebSocket client or SSE viewer")
	fs.IntVar(&f.backlogBytes, "backlog-bytes", 4<<20, "lossless backlog per subscriber before 4008")
	fs.DurationVar(&f.backlogDelay, "backlog-delay", 10*time.Second, "how far behind a subscriber's lossless backlog may fall before 4008")
	fs.IntVar(&f.historyMessages, "history-messages", 100000, "messages kept for resume (with --history-age, whichever keeps more)")
	fs.DurationVar(&f.historyAge, "history-age", 60*time.Second, "age of messages kept for resume")
	fs.StringVar(&f.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&f.logFormat, "log-format", "text", "text or json")
	fs.StringVar(&f.debugAddr, "debug-addr", "", "serve Go's /debug/pprof on this separate address (e.g. 127.0.0.1:6060); off when empty")
	return fs
}

func serve(args []string) error {
	var f serveFlags
	if err := parse(serveFlagSet(&f), args); err != nil {
		return err
	}
	log, err := newLogger(f.logLevel, f.logFormat)
	if err != nil {
		return err
	}
	insts := market.DefaultInstruments()
	if f.instruments != "" {
		if insts, err = market.LoadInstruments(f.instruments); err != nil {
			return err
		}
	}
	var key []byte
	if f.tokenKey != "" {
		if key, err = hex.DecodeString(f.tokenKey); err != nil || len(key) < 16 {
			return errors.New("--token-key: want at least 16 bytes in hex")
		}
	}
	if f.seed == 0 {
		f.seed = uint64(time.Now().UnixNano()) | 1
	}
	b := bus.NewMemory()
	vcfg := market.Config{Instruments: insts, Publisher: b, Seed: f.seed, Epoch: f.epoch, TokenKey: key,
		RateLimit: f.rateLimit, RateBurst: f.rateBurst, Logger: log}
	if f.sim {
		m, err := sim.New(sim.Config{Seed: f.seed, Rate: f.simRate})
		if err != nil {
			return err
		}
		vcfg.Actors = []market.Actor{m}
	}
	venue, err := market.New(vcfg)
	if err != nil {
		return err
	}
	if f.sim {
		if err := sim.Validate(venue.Instruments()); err != nil {
			return fmt.Errorf("--instruments: %w", err)
		}
	}
	var symbols []string
	for _, in := range venue.Instruments() {
		symbols = append(symbols, in.Symbol)
	}
	h := hub.New(hub.Config{Symbols: symbols, Epoch: venue.Epoch(), HistoryMessages: f.historyMessages,
		HistoryAge: f.historyAge, MaxSubscriptions: f.maxSubs, Logger: log}, b.Subscribe(4096))
	backlog := hub.Limits{MaxBytes: f.backlogBytes, MaxDelay: f.backlogDelay}
	var running atomic.Int32
	srv, err := feed.NewServer(feed.Config{
		Venue: venue, Hub: h, AllowOrigins: splitComma(f.allowOrigin), CORSOrigin: f.corsOrigin,
		WS: ws.Config{MaxConns: f.maxConns, MaxConnsPerIP: f.maxConnsPerIP, Heartbeat: f.heartbeat,
			WriteTimeout: f.writeTimeout, MalformedBudget: f.malformed, RateLimitBudget: f.rateLimitBudget, Backlog: backlog},
		SSE: sse.Config{Heartbeat: f.heartbeat, WriteTimeout: f.writeTimeout, MaxViewers: f.maxViewers, MaxViewersPerIP: f.maxViewersPerIP, Backlog: backlog},
		UI:  web.Assets(), Logger: log,
	}, func() bool { return running.Load() == 2 })
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return err
	}
	log.Info("tickcast serving", "addr", ln.Addr().String(), "url", "http://"+ln.Addr().String()+"/",
		"seed", f.seed, "epoch", venue.Epoch(), "sim", f.sim, "sim_rate", f.simRate, "ui_built", web.Built())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	engine, stopEngine := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); running.Add(1); _ = h.Run(engine) }()
	go func() { defer wg.Done(); running.Add(1); _ = venue.Run(engine) }()
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	if f.debugAddr != "" {
		go func() { log.Warn("debug server stopped", "err", serveDebug(f.debugAddr)) }()
		log.Info("pprof", "url", "http://"+f.debugAddr+"/debug/pprof/")
	}

	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err := <-serveErr:
		stopEngine()
		return fmt.Errorf("serve: %w", err)
	}
	// Reverse order of start: clients first (1001, within 5 s), then the
	// venue, then the hub.
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("shutdown", "err", err)
	}
	stopEngine()
	b.Close()
	wg.Wait()
	log.Info("stopped")
	return nil
}
