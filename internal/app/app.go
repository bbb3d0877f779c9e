// Package app wires one tickcast process: the venue (with or without the
// simulated market), the bus, the hub and the feed's transports, from one
// Config. cmd/tickcast only turns flags into a Config; every end-to-end
// test runs the same Server, so that what is tested is what ships.
//
// Start order is venue and hub, then the network. Shutdown runs the other
// way round and drains on the way: the venue stops (nothing new is
// published), the hub relays what the bus still holds, the bus closes, and
// only then are the transports told to close (WebSocket 1001 after every
// queued message, SSE streams end), so that a client gets every event the
// venue published before it is asked to reconnect.
package app

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tickcast/tickcast/feed"
	"github.com/tickcast/tickcast/feed/bus"
	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/market"
	"github.com/tickcast/tickcast/market/sim"
)

// Config configures a Server. Zero fields mean the documented defaults of
// each part (market.Config, sim.Config, hub.Config, feed.Config); the
// fields the wiring owns (the venue's Publisher, the hub's symbols and
// epoch, the feed's venue and hub) are filled in by New.
type Config struct {
	// Addr is the listen address; default 127.0.0.1:8080. Port 0 picks a
	// free port: Server.Addr says which.
	Addr string
	// Listener, if set, is served instead of listening on Addr (tests wrap
	// one to set socket options).
	Listener net.Listener
	// Market configures the venue. A zero Seed is replaced by a random one
	// here, so that Server.Seed can report it.
	Market market.Config
	// Sim, if not nil, runs the simulated market inside the venue; a zero
	// Sim.Seed means Market.Seed.
	Sim *sim.Config
	// WrapSim, if set, wraps the simulated market before the venue gets it
	// (tests pause the agents with it).
	WrapSim func(market.Actor) market.Actor
	// WrapBus, if set, wraps the bus before the hub subscribes to it
	// (tests stall the hub with it).
	WrapBus func(bus.Subscriber) bus.Subscriber
	Hub     hub.Config
	Feed    feed.Config
	// ShutdownTimeout bounds each step of Shutdown that waits on others:
	// the venue's stop, the hub's drain, the clients' close; default 5 s.
	ShutdownTimeout time.Duration
	Logger          *slog.Logger
}

// Server is one tickcast process: venue, bus, hub and feed server.
type Server struct {
	cfg   Config
	log   *slog.Logger
	Venue *market.Venue
	Bus   *bus.Memory
	Hub   *hub.Hub
	Feed  *feed.Server
	ln    net.Listener

	venueCtx, hubCtx   context.Context
	stopVenue, stopHub context.CancelFunc
	venueDone, hubDone chan struct{}
	serveDone          chan struct{}
	serveErr           error
	venueErr           error // set before venueDone closes
	pub                *countingPublisher
	stopServe          chan struct{} // closed when shutdown begins

	started  atomic.Bool
	ready    atomic.Bool
	shutOnce sync.Once
	shutErr  error
}

// New builds the server and binds its listener; Start (or Run) starts it.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:8080"
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 5 * time.Second
	}
	log := cfg.Logger
	stored := false
	if cfg.Market.DataDir != "" {
		var err error
		if stored, err = loadDataDir(&cfg, log); err != nil {
			return nil, err
		}
	}
	if cfg.Market.Seed == 0 {
		cfg.Market.Seed = randomSeed()
	}
	b := bus.NewMemory()
	mcfg := cfg.Market
	pub := &countingPublisher{p: b}
	if mcfg.ReplayWindow <= 0 {
		// Recovery refills the hub's history with this much of the
		// journal: --history-age, or more (--history-messages usually
		// span a few minutes at --sim-rate 1).
		mcfg.ReplayWindow = max(cfg.Hub.HistoryAge, DefaultReplayWindow)
	}
	if cfg.Sim != nil && cfg.Sim.Seed == 0 { // stored with the settings as used
		sc := *cfg.Sim
		sc.Seed = mcfg.Seed
		cfg.Sim = &sc
	}
	venue, err := buildVenue(mcfg, cfg.Sim, cfg.WrapSim, log, pub)
	if err != nil {
		return nil, err
	}
	if cfg.Market.DataDir != "" && !stored {
		if err := saveSettings(&cfg, venue.Epoch()); err != nil {
			venue.Close()
			return nil, err
		}
	}
	hcfg := cfg.Hub
	hcfg.Symbols, hcfg.Epoch = nil, venue.Epoch()
	for _, in := range venue.Instruments() {
		hcfg.Symbols = append(hcfg.Symbols, in.Symbol)
	}
	if hcfg.Logger == nil {
		hcfg.Logger = log
	}
	var sub bus.Subscriber = b
	if cfg.WrapBus != nil {
		sub = cfg.WrapBus(sub)
	}
	h := hub.New(hcfg, sub)
	s := &Server{cfg: cfg, log: log, Venue: venue, Bus: b, Hub: h, pub: pub, stopServe: make(chan struct{}),
		venueDone: make(chan struct{}), hubDone: make(chan struct{}), serveDone: make(chan struct{})}
	fcfg := cfg.Feed
	fcfg.Venue, fcfg.Hub = venue, h
	if fcfg.Logger == nil {
		fcfg.Logger = log
	}
	if s.Feed, err = feed.NewServer(fcfg, s.Ready); err != nil {
		b.Close()
		venue.Close()
		return nil, err
	}
	s.ln = cfg.Listener
	if s.ln == nil {
		if s.ln, err = net.Listen("tcp", cfg.Addr); err != nil {
			b.Close()
			venue.Close()
			return nil, err
		}
	}
	return s, nil
}

func randomSeed() uint64 {
	var b [8]byte
	_, _ = crand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:]) | 1
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL is the server's base URL, http://Addr.
func (s *Server) URL() string { return "http://" + s.Addr() }

// Seed is the seed the venue (and the simulated market) run with.
func (s *Server) Seed() uint64 { return s.cfg.Market.Seed }

// Ready reports whether the server serves its market: the venue and the
// hub run, the venue's warm start (market.Config.WarmStart) is done and
// shutdown has not begun (GET /readyz).
func (s *Server) Ready() bool {
	if !s.ready.Load() {
		return false
	}
	select {
	case <-s.Venue.Live():
		return true
	default:
		return false
	}
}

// DefaultWarmStart is the history `tickcast serve` makes before it goes
// live unless told otherwise (market.Config.WarmStart): ten hours of
// one-minute candles and a little more, so that a fresh server shows 600
// of them.
const DefaultWarmStart = 10*time.Hour + 10*time.Minute

// DefaultReplayWindow is the least venue time a durable server's recovery
// replays with its events built, to refill the hub's history
// (market.Config.ReplayWindow).
const DefaultReplayWindow = 5 * time.Minute

// Start starts the venue, the hub and the HTTP server, and returns.
func (s *Server) Start() {
	if !s.started.CompareAndSwap(false, true) {
		return
	}
	s.hubCtx, s.stopHub = context.WithCancel(context.Background())
	s.venueCtx, s.stopVenue = context.WithCancel(context.Background())
	go func() { defer close(s.hubDone); _ = s.Hub.Run(s.hubCtx) }()
	go func() {
		defer close(s.venueDone)
		if err := s.Venue.Run(s.venueCtx); err != nil {
			s.venueErr = err
			s.log.Error("venue stopped", "err", err)
		}
	}()
	go func() {
		defer close(s.serveDone)
		if !s.awaitRecovery() {
			return
		}
		s.serveErr = s.Feed.Serve(s.ln)
	}()
	s.ready.Store(true)
}

// Run starts the server and serves until ctx ends, then shuts it down. It
// returns the HTTP server's error if serving failed, else Shutdown's.
func (s *Server) Run(ctx context.Context) error {
	s.Start()
	select {
	case <-ctx.Done():
	case <-s.serveDone:
		_ = s.Shutdown(context.Background())
		return fmt.Errorf("serve: %w", s.serveErr)
	case <-s.venueDone:
		_ = s.Shutdown(context.Background())
		return fmt.Errorf("venue: %w", s.venueErr)
	}
	return s.Shutdown(context.Background())
}

// ErrStuck is part of Shutdown's error when a step did not finish within
// ShutdownTimeout and was cut short.
var ErrStuck = errors.New("app: shutdown step timed out")

// Shutdown stops the server in order: the venue, the hub's drain, the bus,
// then the transports (clients are sent 1001 after what is queued for
// them) and the HTTP server. Each waiting step gives up after
// ShutdownTimeout (or when ctx ends) and then cuts what it waited for.
// Idempotent; a server never started just releases its listener.
func (s *Server) Shutdown(ctx context.Context) error {
	s.shutOnce.Do(func() { s.shutErr = s.shutdown(ctx) })
	return s.shutErr
}

func (s *Server) shutdown(ctx context.Context) error {
	s.ready.Store(false)
	close(s.stopServe)
	if !s.started.Load() {
		s.Bus.Close()
		s.Venue.Close()
		return s.ln.Close()
	}
	var errs []error
	wait := func(what string, done <-chan struct{}) bool {
		t := time.NewTimer(s.cfg.ShutdownTimeout)
		defer t.Stop()
		select {
		case <-done:
			return true
		case <-t.C:
		case <-ctx.Done():
		}
		s.log.Warn("shutdown: "+what+" did not finish in time", "timeout", s.cfg.ShutdownTimeout)
		errs = append(errs, fmt.Errorf("%w: %s", ErrStuck, what))
		return false
	}
	// 1. The venue: nothing new is published after this. A venue blocked
	// publishing to a hub that does not drain is freed by closing the bus.
	s.stopVenue()
	if !wait("venue stop", s.venueDone) {
		s.Bus.Close()
		<-s.venueDone
	}
	// 2. The hub relays what the bus holds; closing the bus tells it that
	// nothing more comes, and it returns once it has relayed the rest.
	s.Bus.Close()
	if !wait("hub drain", s.hubDone) {
		s.stopHub()
		<-s.hubDone
	}
	s.stopHub()
	// 3. The transports and the HTTP server.
	fctx, cancel := context.WithTimeout(ctx, s.cfg.ShutdownTimeout)
	defer cancel()
	if err := s.Feed.Shutdown(fctx); err != nil {
		errs = append(errs, fmt.Errorf("feed shutdown: %w", err))
	}
	<-s.serveDone
	_ = s.ln.Close() // not served if shutdown came during recovery
	if s.venueErr != nil {
		errs = append(errs, fmt.Errorf("venue: %w", s.venueErr))
	}
	return errors.Join(errs...)
}
