package market

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"
)

// Config configures a Venue. The zero value of each field means its
// documented default.
type Config struct {
	// Instruments to trade; default DefaultInstruments().
	Instruments []Instrument
	// Publisher receives every event; required.
	Publisher Publisher
	// Clock stamps events; default WallClock. Simulate needs a *ManualClock.
	Clock Clock
	// Seed makes the simulation (and, with a ManualClock, the epoch)
	// reproducible; default random.
	Seed uint64
	// AccountNonce is this venue instance's per-run nonce, mixed into
	// every user account id (and so into every token), so that a restart
	// with the same Seed and TokenKey never issues an id, or a token, of a
	// previous run: an old token cannot log into a stranger's new account
	// (protocol.md 8.10). Default (0): 64 random bits from crypto/rand,
	// never derived from the seed; nothing else the venue does depends on
	// it, so the simulation stays deterministic for a seed. A venue that
	// restores its accounts from storage restores this value with them
	// (see Venue.AccountNonce), so that new ids do not collide with the
	// restored ones.
	AccountNonce uint64
	// Epoch names this history of the feed; default derived from the
	// start time and the seed.
	Epoch string
	// TokenKey signs account tokens; default 32 random bytes (tokens then
	// die with the process).
	TokenKey []byte
	// RateLimit is each user account's sustained order rate per second
	// (new orders and amends); default 50. RateBurst is the bucket size;
	// default 100.
	RateLimit float64
	RateBurst int
	// CancelRateLimit is each user account's sustained rate of cancels
	// and cancel_alls per second; default 100. CancelRateBurst is its
	// bucket size; default 200.
	CancelRateLimit float64
	CancelRateBurst int
	// MaxOpenOrders bounds each user account's open orders, over every
	// book; default 200. Past it a new limit gtc order is rejected
	// too_many_open_orders (orders that cannot rest still pass).
	MaxOpenOrders int
	// AccountIdleTTL is how long a user (demo) account may be idle — no
	// session attached by Auth and no open order — before the venue
	// removes it with its balances; Auth then answers invalid_token.
	// Venue time (the Clock), so a replay expires the same accounts at
	// the same commands. Default (0) DefaultAccountIdleTTL; negative: never.
	AccountIdleTTL time.Duration
	// QueueSize bounds the input queue; default 65536.
	QueueSize int
	// TradeHistory is how many trades per symbol REST can return; default
	// 1000. CandleHistory is how many closed candles per symbol and
	// interval are kept; default 1000.
	TradeHistory  int
	CandleHistory int
	// AccountHistory is how many ended orders, and how many fills, each
	// user account keeps for Venue.AccountHistory; default
	// DefaultAccountHistory.
	AccountHistory int
	// Actors run inside the sequencer (the simulated market).
	Actors []Actor
	// Channels lists the public channels whose events the venue builds;
	// nil means every channel. The events of the others are not built (no
	// book delta, checksum or formatted decimal is made for them), but
	// their seq and off advance as if they had been published, so that
	// the events built are the same, field for field, whatever the list.
	// REST queries (recent trades, candles, tickers, books) answer the
	// same either way. `tickcast simulate` passes its --channels.
	Channels []string
	// WarmStart, if positive, is how much market history Run makes before
	// it goes live: it first runs the actors on a simulated clock from
	// WarmStart before the clock's time up to it, as fast as the CPU
	// allows and building no event, then publishes the state it reached
	// (see Run) and continues from it on the clock. Candles, the 24-hour
	// ticker, recent trades and the books are there from the first
	// command. Default 0: no warm start; a venue without actors makes
	// none either. It is for a fresh market: a venue that recovers its
	// state from storage must not warm start over it.
	WarmStart time.Duration
	// DataDir, if set, makes the venue durable: every step of the
	// sequencer is journaled there before its events are published (an
	// order is acknowledged once its command is on disk), and Run
	// recovers the state found there by replaying the journal
	// (docs/operations.md). Empty: in memory only.
	DataDir string
	// SnapshotInterval is how often a durable venue writes a snapshot of
	// its state (and at a clean stop); recovery restores one and replays
	// the journal after it. Default 10 minutes.
	SnapshotInterval time.Duration
	// ReplayWindow is how much venue time a recovery replays at least
	// (when snapshots allow): it restores the newest snapshot at least
	// this much older than the newest one, so that the replay refills the
	// hub's history for resume; set it to the hub's HistoryAge. Default
	// 60 s.
	ReplayWindow time.Duration
	// Logger; default slog.Default().
	Logger *slog.Logger

	readOnly        bool // Replay: the journal is read, never written
	keepJournal     bool // tests: remove nothing behind snapshots
	ignoreSnapshots bool // tests: recover from the whole journal
}

func (c *Config) fill() error {
	if c.Publisher == nil {
		return errors.New("market: Config.Publisher is required")
	}
	if c.Instruments == nil {
		c.Instruments = DefaultInstruments()
	}
	if c.Clock == nil {
		c.Clock = WallClock{}
	}
	if c.Seed == 0 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		for _, x := range b {
			c.Seed = c.Seed<<8 | uint64(x)
		}
		c.Seed |= 1
	}
	for c.AccountNonce == 0 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		c.AccountNonce = binary.LittleEndian.Uint64(b[:])
	}
	if c.Epoch == "" {
		c.Epoch = "e" + strconv.FormatInt(c.Clock.Now()/1e6, 36) + strconv.FormatUint(c.Seed%(36*36*36*36), 36)
	}
	if !validEpoch(c.Epoch) {
		return fmt.Errorf("market: epoch %q: want 1-32 of [A-Za-z0-9_-]", c.Epoch)
	}
	if c.TokenKey == nil {
		c.TokenKey = make([]byte, 32)
		_, _ = rand.Read(c.TokenKey)
	}
	if c.RateLimit <= 0 {
		c.RateLimit = 50
	}
	if c.RateBurst <= 0 {
		c.RateBurst = 100
	}
	if c.CancelRateLimit <= 0 {
		c.CancelRateLimit = 100
	}
	if c.CancelRateBurst <= 0 {
		c.CancelRateBurst = 200
	}
	if c.MaxOpenOrders <= 0 {
		c.MaxOpenOrders = 200
	}
	if c.AccountIdleTTL == 0 {
		c.AccountIdleTTL = DefaultAccountIdleTTL
	}
	if c.QueueSize <= 0 {
		c.QueueSize = 65536
	}
	if c.TradeHistory <= 0 {
		c.TradeHistory = 1000
	}
	if c.CandleHistory <= 0 {
		c.CandleHistory = 1000
	}
	if c.AccountHistory <= 0 {
		c.AccountHistory = DefaultAccountHistory
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.SnapshotInterval <= 0 {
		c.SnapshotInterval = 10 * time.Minute
	}
	if c.ReplayWindow <= 0 {
		c.ReplayWindow = time.Minute
	}
	for _, ch := range c.Channels {
		if !slices.Contains(Channels, ch) {
			return fmt.Errorf("market: unknown channel %q", ch)
		}
	}
	return nil
}
