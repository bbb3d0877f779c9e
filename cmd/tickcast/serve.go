package main

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/tickcast/tickcast/feed"
	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/feed/sse"
	"github.com/tickcast/tickcast/feed/ws"
	"github.com/tickcast/tickcast/internal/app"
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
	maxPending, maxPendingPerIP                                 int
	requestTimeout, idleTimeout                                 time.Duration
	restRate                                                    float64
	restBurst, accountsPerMin, maxOpenOrders, snapshotDepth     int
	sendBuffer, backlogMessages, opBurst, maxInflight           int
	cancelBurst, maxInflightAccount, maxInflightIP, wsWriters   int
	opRate, cancelRate                                          float64
	backlogTotal                                                int64
	backlogBytes                                                int
	heartbeat, writeTimeout, backlogDelay, historyAge           time.Duration
	warmStart, accountIdleTTL                                   time.Duration
	logLevel, logFormat, debugAddr                              string
	dataDir                                                     string
}

func serveFlagSet(f *serveFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "listen address (port 0 picks a free port, logged)")
	fs.BoolVar(&f.sim, "sim", true, "run the simulated market (false: the books are the users' alone)")
	fs.Uint64Var(&f.seed, "seed", 0, "seed of the simulation (0: random, logged); account ids also carry a random per-run nonce, so they never repeat across runs")
	fs.Float64Var(&f.simRate, "sim-rate", 1, "multiplier on every simulated agent's arrival rate")
	fs.DurationVar(&f.warmStart, "warm-start", app.DefaultWarmStart, "market history the simulator makes before the server goes live (/readyz waits for it); 0: none")
	fs.StringVar(&f.instruments, "instruments", "", "instruments file (JSON; default: the built-in five)")
	fs.StringVar(&f.allowOrigin, "allow-origin", "", "comma list of browser origins allowed on /ws besides same-host pages; * for any")
	fs.StringVar(&f.corsOrigin, "cors-origin", "*", "Access-Control-Allow-Origin of the public read-only endpoints (/sse, REST)")
	fs.StringVar(&f.tokenKey, "token-key", "", "hex key signing account tokens (default random: tokens die with the process)")
	fs.StringVar(&f.epoch, "epoch", "", "epoch name of this feed history (default derived from start time and seed)")
	fs.Float64Var(&f.rateLimit, "rate-limit", 50, "orders and amends per second per account")
	fs.IntVar(&f.rateBurst, "rate-burst", 100, "order rate limit burst")
	fs.Float64Var(&f.cancelRate, "cancel-rate-limit", 100, "cancels and cancel_alls per second per account (then rate_limited)")
	fs.IntVar(&f.cancelBurst, "cancel-rate-burst", 200, "cancel rate limit burst")
	fs.Float64Var(&f.opRate, "op-rate", 100, "operations a WebSocket session may send per second (ping aside); a faster client is read at this rate")
	fs.IntVar(&f.opBurst, "op-burst", 200, "operation burst per session")
	fs.IntVar(&f.maxInflight, "max-inflight", 64, "operations of one session waiting for the venue (then rate_limited at once)")
	fs.IntVar(&f.maxInflightAccount, "max-inflight-account", ws.DefaultMaxInflightAccount, "operations of all of an account's sessions waiting for the venue, auth included (then rate_limited at once)")
	fs.IntVar(&f.maxInflightIP, "max-inflight-ip", ws.DefaultMaxInflightIP, "operations of all the sessions of one client address waiting for the venue, auth included (then rate_limited at once)")
	fs.IntVar(&f.wsWriters, "ws-writers", 0, "goroutines writing to the WebSocket sessions that keep up (0: GOMAXPROCS-1, at least 1; -1: one writer goroutine per session)")
	fs.IntVar(&f.maxConns, "max-conns", 100000, "WebSocket sessions in total (then 1013)")
	fs.IntVar(&f.maxConnsPerIP, "max-conns-per-ip", 500, "WebSocket sessions per client address (then 1013)")
	fs.IntVar(&f.maxViewers, "max-viewers", 100000, "SSE streams in total (then 503)")
	fs.IntVar(&f.maxViewersPerIP, "max-viewers-per-ip", 500, "SSE streams per client address (then 503)")
	fs.IntVar(&f.maxPending, "max-pending", 4096, "connections not yet upgraded to WebSocket/SSE (reading a request, idle keep-alive); then 503")
	fs.IntVar(&f.maxPendingPerIP, "max-pending-per-ip", 128, "such connections per client address; then closed at accept")
	fs.DurationVar(&f.requestTimeout, "request-timeout", 5*time.Second, "time to read one request or WebSocket handshake")
	fs.DurationVar(&f.idleTimeout, "idle-timeout", 15*time.Second, "keep-alive wait for the next REST request")
	fs.Float64Var(&f.restRate, "rest-rate", 20, "REST requests per second per client address (IPv6: per /64); then 429")
	fs.IntVar(&f.restBurst, "rest-burst", 100, "REST request burst per client address")
	fs.IntVar(&f.accountsPerMin, "accounts-per-minute", 30, "demo accounts created per minute per client network (IPv4 /24, IPv6 /64); then 429")
	fs.DurationVar(&f.accountIdleTTL, "account-idle-ttl", market.DefaultAccountIdleTTL, "remove a demo account after this long without an authenticated session or an open order (venue time); 0: never")
	fs.IntVar(&f.maxOpenOrders, "max-open-orders", 200, "open orders per account (then a new limit gtc order is rejected too_many_open_orders)")
	fs.IntVar(&f.snapshotDepth, "snapshot-depth", 1000, "levels per side in a book snapshot (WebSocket, SSE; REST depth at most this)")
	fs.IntVar(&f.maxSubs, "max-subscriptions", 256, "streams per session (then too_many_subscriptions)")
	fs.IntVar(&f.malformed, "malformed-budget", 10, "malformed messages a session may send (then 1008)")
	fs.IntVar(&f.rateLimitBudget, "rate-limit-budget", 100, "consecutive rate-limit refusals a session may get (orders rejected rate_limited; amends, cancels and cancel_alls refused rate_limited; operations refused for the in-flight caps); then 1008")
	fs.DurationVar(&f.heartbeat, "heartbeat", 15*time.Second, "WebSocket ping and SSE comment interval; 3 silent intervals close a session")
	fs.DurationVar(&f.writeTimeout, "write-timeout", 10*time.Second, "deadline of one write to a WebSocket client or SSE viewer")
	fs.IntVar(&f.backlogBytes, "backlog-bytes", 4<<20, "lossless backlog per subscriber before 4008")
	fs.IntVar(&f.backlogMessages, "backlog-messages", 16384, "lossless messages queued per subscriber before 4008")
	fs.Int64Var(&f.backlogTotal, "backlog-total", 256<<20, "bytes all subscribers' lossless backlogs may hold together; past it growing ones are cut (4008)")
	fs.IntVar(&f.sendBuffer, "send-buffer", 128<<10, "socket send buffer of each WebSocket session and SSE viewer (SO_SNDBUF; -1: the kernel's)")
	fs.DurationVar(&f.backlogDelay, "backlog-delay", 10*time.Second, "how far behind a subscriber's lossless backlog may fall before 4008")
	fs.IntVar(&f.historyMessages, "history-messages", 100000, "messages kept for resume (with --history-age, whichever keeps more)")
	fs.DurationVar(&f.historyAge, "history-age", 60*time.Second, "age of messages kept for resume")
	fs.StringVar(&f.dataDir, "data-dir", "", "directory of the venue's journal and settings: state survives restarts (empty: in memory only)")
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
	cfg, err := f.config()
	if err != nil {
		return err
	}
	log := cfg.Logger
	files, err := app.RaiseOpenFiles()
	if err != nil {
		log.Warn("could not raise the open files limit", "err", err, "limit", files)
	}
	srv, err := app.New(cfg)
	if err != nil {
		return err
	}
	log.Info("tickcast serving", "addr", srv.Addr(), "url", srv.URL()+"/", "open_files_limit", files,
		"seed", srv.Seed(), "epoch", srv.Venue.Epoch(), "sim", f.sim, "sim_rate", f.simRate, "ui_built", web.Built())
	if f.debugAddr != "" {
		go func() { log.Warn("debug server stopped", "err", serveDebug(f.debugAddr)) }()
		log.Info("pprof", "url", "http://"+f.debugAddr+"/debug/pprof/")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		log.Info("shutting down")
	}()
	if err := srv.Run(ctx); err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}

// config turns the flags into the server's configuration.
func (f *serveFlags) config() (app.Config, error) {
	log, err := newLogger(f.logLevel, f.logFormat)
	if err != nil {
		return app.Config{}, err
	}
	insts := market.DefaultInstruments()
	if f.instruments != "" {
		if insts, err = market.LoadInstruments(f.instruments); err != nil {
			return app.Config{}, err
		}
	}
	var key []byte
	if f.tokenKey != "" {
		if key, err = hex.DecodeString(f.tokenKey); err != nil || len(key) < 16 {
			return app.Config{}, errors.New("--token-key: want at least 16 bytes in hex")
		}
	}
	if f.snapshotDepth < hub.ChecksumDepth {
		return app.Config{}, fmt.Errorf("--snapshot-depth %d: want at least %d, the levels the book checksum covers", f.snapshotDepth, hub.ChecksumDepth)
	}
	backlog := hub.Limits{MaxBytes: f.backlogBytes, MaxDelay: f.backlogDelay, MaxMessages: f.backlogMessages}
	cfg := app.Config{
		Addr: f.addr,
		Market: market.Config{Instruments: insts, Seed: f.seed, Epoch: f.epoch, TokenKey: key,
			RateLimit: f.rateLimit, RateBurst: f.rateBurst, MaxOpenOrders: f.maxOpenOrders,
			CancelRateLimit: f.cancelRate, CancelRateBurst: f.cancelBurst, DataDir: f.dataDir},
		Hub: hub.Config{HistoryMessages: f.historyMessages, HistoryAge: f.historyAge, MaxSubscriptions: f.maxSubs,
			SnapshotDepth: f.snapshotDepth, BacklogBudget: f.backlogTotal},
		Feed: feed.Config{AllowOrigins: splitComma(f.allowOrigin), CORSOrigin: f.corsOrigin,
			RESTRate: f.restRate, RESTBurst: f.restBurst, AccountsPerMinute: f.accountsPerMin,
			MaxPending: f.maxPending, MaxPendingPerIP: f.maxPendingPerIP, RequestTimeout: f.requestTimeout, IdleTimeout: f.idleTimeout,
			WS: ws.Config{MaxConns: f.maxConns, MaxConnsPerIP: f.maxConnsPerIP, Heartbeat: f.heartbeat,
				WriteTimeout: f.writeTimeout, MalformedBudget: f.malformed, RateLimitBudget: f.rateLimitBudget, Backlog: backlog,
				SendBuffer: f.sendBuffer, OpRate: f.opRate, OpBurst: f.opBurst, MaxInflight: f.maxInflight,
				MaxInflightAccount: f.maxInflightAccount, MaxInflightIP: f.maxInflightIP, Writers: f.wsWriters},
			SSE: sse.Config{Heartbeat: f.heartbeat, WriteTimeout: f.writeTimeout, MaxViewers: f.maxViewers,
				MaxViewersPerIP: f.maxViewersPerIP, Backlog: backlog, SendBuffer: f.sendBuffer},
			UI: web.Assets()},
		Logger: log,
	}
	if f.warmStart < 0 {
		return app.Config{}, errors.New("--warm-start must not be negative")
	}
	switch {
	case f.accountIdleTTL < 0:
		return app.Config{}, errors.New("--account-idle-ttl must not be negative")
	case f.accountIdleTTL == 0:
		cfg.Market.AccountIdleTTL = -1 // never
	default:
		cfg.Market.AccountIdleTTL = f.accountIdleTTL
	}
	if f.sim {
		cfg.Sim = &sim.Config{Rate: f.simRate}
		cfg.Market.WarmStart = f.warmStart
	}
	return cfg, nil
}
