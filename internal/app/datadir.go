package app

import (
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tickcast/tickcast/market"
	"github.com/tickcast/tickcast/market/journal"
	"github.com/tickcast/tickcast/market/sim"
)

// The files the wiring keeps in a data directory beside the venue's
// journal (market.Config.DataDir).
const (
	settingsFile = "settings.json"
	tokenKeyFile = "token.key"
)

// settings is what a data directory's venue was started with and must be
// restarted with: everything that decides what the journal's replay
// produces (seed, epoch, instruments, limits, the simulated market).
type settings struct {
	Seed            uint64              `json:"seed"`
	Epoch           string              `json:"epoch"`
	Instruments     []market.Instrument `json:"instruments"`
	RateLimit       float64             `json:"rate_limit"`
	RateBurst       int                 `json:"rate_burst"`
	CancelRateLimit float64             `json:"cancel_rate_limit"`
	CancelRateBurst int                 `json:"cancel_rate_burst"`
	MaxOpenOrders   int                 `json:"max_open_orders"`
	AccountIdleTTL  time.Duration       `json:"account_idle_ttl_ns"`
	Sim             *simSettings        `json:"sim"`
}

type simSettings struct {
	Seed uint64  `json:"seed"`
	Rate float64 `json:"rate"`
	Step int64   `json:"step_ns"`
}

func settingsOf(m *market.Config, s *sim.Config, epoch string) settings {
	st := settings{Seed: m.Seed, Epoch: epoch, Instruments: m.Instruments, RateLimit: m.RateLimit, RateBurst: m.RateBurst,
		CancelRateLimit: m.CancelRateLimit, CancelRateBurst: m.CancelRateBurst, MaxOpenOrders: m.MaxOpenOrders,
		AccountIdleTTL: m.AccountIdleTTL}
	if st.Instruments == nil {
		st.Instruments = market.DefaultInstruments()
	}
	if s != nil {
		st.Sim = &simSettings{Seed: s.Seed, Rate: s.Rate, Step: int64(s.Step)}
	}
	return st
}

// loadDataDir applies a data directory's stored settings to cfg (they win
// over the flags, with a warning for each that differs) and its token key
// (unless cfg gives one; a new directory gets a random key). It reports
// whether settings were found.
func loadDataDir(cfg *Config, log *slog.Logger) (bool, error) {
	dir := cfg.Market.DataDir
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, fmt.Errorf("data dir: %w", err)
	}
	if cfg.Market.TokenKey == nil {
		key, err := tokenKey(dir)
		if err != nil {
			return false, err
		}
		cfg.Market.TokenKey = key
	}
	st, found, err := readSettings(dir)
	if err != nil || !found {
		return false, err
	}
	m := &cfg.Market
	given := settingsOf(m, cfg.Sim, m.Epoch)
	var differs []string
	check := func(name string, stored, flag any, zero bool) {
		if !zero && !reflect.DeepEqual(stored, flag) {
			differs = append(differs, name)
		}
	}
	check("seed", st.Seed, given.Seed, given.Seed == 0)
	check("epoch", st.Epoch, given.Epoch, given.Epoch == "")
	check("instruments", st.Instruments, given.Instruments, m.Instruments == nil)
	check("rate limits", [4]float64{st.RateLimit, float64(st.RateBurst), st.CancelRateLimit, float64(st.CancelRateBurst)},
		[4]float64{given.RateLimit, float64(given.RateBurst), given.CancelRateLimit, float64(given.CancelRateBurst)}, given.RateLimit == 0)
	check("max open orders", st.MaxOpenOrders, given.MaxOpenOrders, given.MaxOpenOrders == 0)
	check("account idle ttl", st.AccountIdleTTL, given.AccountIdleTTL, given.AccountIdleTTL == 0)
	check("simulated market", st.Sim != nil, cfg.Sim != nil, false)
	if st.Sim != nil && cfg.Sim != nil {
		check("sim rate", st.Sim.Rate, cfg.Sim.Rate, cfg.Sim.Rate == 0)
	}
	if len(differs) > 0 {
		log.Warn("data dir: the stored settings win over the ones given", "dir", dir, "settings", strings.Join(differs, ", "))
	}
	st.apply(cfg)
	return true, nil
}

// readSettings reads a data directory's settings, if it has any.
func readSettings(dir string) (settings, bool, error) {
	var st settings
	path := filepath.Join(dir, settingsFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return st, false, nil
	}
	if err != nil {
		return st, false, fmt.Errorf("data dir: %w", err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, false, fmt.Errorf("data dir: %s: %w", path, err)
	}
	return st, true, nil
}

// apply sets what st stores in cfg.
func (st *settings) apply(cfg *Config) {
	m := &cfg.Market
	m.Seed, m.Epoch, m.Instruments = st.Seed, st.Epoch, st.Instruments
	m.RateLimit, m.RateBurst, m.CancelRateLimit, m.CancelRateBurst = st.RateLimit, st.RateBurst, st.CancelRateLimit, st.CancelRateBurst
	m.MaxOpenOrders, m.AccountIdleTTL = st.MaxOpenOrders, st.AccountIdleTTL
	cfg.Sim = nil
	if st.Sim != nil {
		cfg.Sim = &sim.Config{Seed: st.Sim.Seed, Rate: st.Sim.Rate, Step: time.Duration(st.Sim.Step)}
	}
}

// saveSettings writes a new data directory's settings (after the venue
// took its lock, so that no other process writes them).
func saveSettings(cfg *Config, epoch string) error {
	st := settingsOf(&cfg.Market, cfg.Sim, epoch)
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return writeFileSync(filepath.Join(cfg.Market.DataDir, settingsFile), append(b, '\n'), 0o644)
}

// tokenKey reads the directory's token key, or makes one.
func tokenKey(dir string) ([]byte, error) {
	path := filepath.Join(dir, tokenKeyFile)
	b, err := os.ReadFile(path)
	if err == nil {
		key, derr := hex.DecodeString(strings.TrimSpace(string(b)))
		if derr != nil || len(key) < 16 {
			return nil, fmt.Errorf("data dir: %s: want at least 16 bytes in hex", path)
		}
		return key, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	key := make([]byte, 32)
	_, _ = crand.Read(key)
	if err := writeFileSync(path, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		return nil, err
	}
	return key, nil
}

// writeFileSync writes a file whole and durably (journal.WriteFileAtomic).
func writeFileSync(path string, b []byte, perm os.FileMode) error {
	if err := journal.WriteFileAtomic(path, b, perm); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	return nil
}

// countingPublisher counts the venue's batches on their way to the bus.
type countingPublisher struct {
	p interface{ Publish([]*market.Event) }
	n atomic.Uint64
}

// Publish counts batch and passes it on.
func (c *countingPublisher) Publish(batch []*market.Event) {
	c.p.Publish(batch)
	c.n.Add(1)
}

// awaitRecovery holds the network back while a durable venue replays its
// journal, and then until the hub has relayed every batch of the replay,
// so that a client that resumes finds its history there. It returns
// false if shutdown began meanwhile (or the venue stopped).
func (s *Server) awaitRecovery() bool {
	select {
	case <-s.Venue.Recovered():
	case <-s.venueDone:
		return false
	case <-s.stopServe:
		return false
	}
	want := s.pub.n.Load()
	for s.Hub.Relayed() < want {
		select {
		case <-s.stopServe:
			return false
		case <-time.After(time.Millisecond):
		}
	}
	select {
	case <-s.stopServe:
		return false
	default:
		return true
	}
}
