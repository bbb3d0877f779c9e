package market

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/tickcast/tickcast/orders"
)

// Errors of the venue's entry points.
var (
	ErrBusy    = errors.New("venue: input queue full")
	ErrStopped = errors.New("venue: stopped")
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
	// Logger; default slog.Default().
	Logger *slog.Logger
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
	for _, ch := range c.Channels {
		if !slices.Contains(Channels, ch) {
			return fmt.Errorf("market: unknown channel %q", ch)
		}
	}
	return nil
}

func validEpoch(s string) bool {
	if len(s) < 1 || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Venue is the exchange's sequencer: one goroutine (Run) owns every book,
// account, candle and ticker and applies commands one at a time from one
// input queue, in order. Everything it publishes follows from the ordered
// commands, the seed, the account nonce and the clock.
//
// Sessions submit commands with the methods PlaceOrder, CancelOrder,
// AmendOrder, CancelAll, Auth and Detach, which return at once; the results
// come back as events through the Publisher. Queries (CreateAccount,
// BookSnapshot, Trades, Candles, Tickers) wait for the sequencer's answer.
type Venue struct {
	cfg    Config
	clock  Clock
	pub    Publisher
	log    *slog.Logger
	epoch  string
	in     chan command
	done   chan struct{} // closed when Run returns
	goLive chan struct{} // closed when Run applies commands (after the warm start)
	insts  []*Instrument
	bySym  map[string]*bookState
	books  []*bookState
	assets []asset
	assetI map[string]int

	accounts map[string]*account
	owners   []*account // by orders.Owner
	live     map[orders.OrderID]*liveOrder
	nextOID  orders.OrderID
	nAccts   uint32

	idleAccts idleAccounts  // user accounts without session or open order
	expired   atomic.Uint64 // idle accounts removed (ExpiredAccounts)

	// Sequencer state for the command being applied.
	now     int64
	off     uint64
	batch   []*Event
	touched []*bookState
	op      opContext
	scratch []byte
	levels  []orders.Level
	// batchFree is the unused part of the array batches are carved from;
	// acctText caches user accounts' formatted balances, by owner; slabs
	// hold the events to come (event_alloc.go).
	batchFree []*Event
	acctText  []*acctText
	slabs     slabs
	actors    []actorSlot
	x         Exchange
	omit      [kindCount]bool // public kinds not built (Config.Channels)
	silent    bool            // no public kind is built (the warm start)

	actorsStarted bool
}

// opContext is what the event handlers need to know about the operation
// whose engine events they are handling.
type opContext struct {
	origin       Origin
	target       *liveOrder // the order the operation is about
	replied      bool       // the target's first order event (carrying origin) went out
	placing      bool       // inside Submit of target
	amendReserve int64      // the amended order's new reservation
}

// New prepares a venue. Call Run (or Simulate) to start it.
func New(cfg Config) (*Venue, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	insts, err := prepareInstruments(cfg.Instruments)
	if err != nil {
		return nil, err
	}
	v := &Venue{
		cfg:      cfg,
		clock:    cfg.Clock,
		pub:      cfg.Publisher,
		log:      cfg.Logger,
		epoch:    cfg.Epoch,
		in:       make(chan command, cfg.QueueSize),
		done:     make(chan struct{}),
		goLive:   make(chan struct{}),
		insts:    insts,
		bySym:    map[string]*bookState{},
		assetI:   map[string]int{},
		accounts: map[string]*account{},
		owners:   []*account{nil},
		live:     map[orders.OrderID]*liveOrder{},
		nextOID:  1,
	}
	v.x.v = v
	v.idleAccts.ttl = max(int64(cfg.AccountIdleTTL), 0)
	if cfg.Channels != nil {
		for k := KindTrade; k < kindCount; k++ {
			if ch := k.Channel(); ch != "" && k != KindBookSnapshot {
				v.omit[k] = !slices.Contains(cfg.Channels, ch)
			}
		}
	}
	v.setupAssets()
	for _, in := range insts {
		bs := newBookState(v, in)
		v.books = append(v.books, bs)
		v.bySym[in.Symbol] = bs
	}
	for _, a := range cfg.Actors {
		v.actors = append(v.actors, actorSlot{actor: a, next: math.MaxInt64})
	}
	if !v.warming() {
		close(v.goLive) // nothing to wait for: commands apply once Run runs
	}
	return v, nil
}

// setupAssets registers every asset with enough decimals for exact
// balances, and each instrument's conversion factors.
func (v *Venue) setupAssets() {
	dec := map[string]int32{}
	var names []string
	need := func(name string, d int32) {
		if _, ok := dec[name]; !ok {
			names = append(names, name)
		}
		dec[name] = max(dec[name], d)
	}
	for _, in := range v.insts {
		need(in.Base, in.qty.Decimals)
		need(in.Quote, in.price.Decimals+in.qty.Decimals)
	}
	for i, n := range names {
		v.assets = append(v.assets, asset{name: n, dec: dec[n]})
		v.assetI[n] = i
	}
	for _, in := range v.insts {
		in.baseAsset, in.quoteAsset = v.assetI[in.Base], v.assetI[in.Quote]
		in.baseMul = in.qty.Unit * pow10(dec[in.Base]-in.qty.Decimals)
		in.notionalMul = in.price.Unit * in.qty.Unit * pow10(dec[in.Quote]-in.price.Decimals-in.qty.Decimals)
	}
}

func pow10(n int32) int64 {
	p := int64(1)
	for ; n > 0; n-- {
		p *= 10
	}
	return p
}

// builds reports whether the venue builds events of public kind k now.
func (v *Venue) builds(k Kind) bool { return !v.silent && !v.omit[k] }

// Epoch returns the name of this history of the feed.
func (v *Venue) Epoch() string { return v.epoch }

// Instruments returns the venue's instruments, in order.
func (v *Venue) Instruments() []*Instrument { return v.insts }

// Instrument returns the instrument of symbol, or nil.
func (v *Venue) Instrument(symbol string) *Instrument {
	if bs := v.bySym[symbol]; bs != nil {
		return bs.inst
	}
	return nil
}

// AccountNonce returns the per-run nonce in every user account id
// (Config.AccountNonce): what a snapshot of the accounts keeps, to give
// back to New on recovery.
func (v *Venue) AccountNonce() uint64 { return v.cfg.AccountNonce }

// QueueDepth returns how many commands wait in the input queue.
func (v *Venue) QueueDepth() int { return len(v.in) }

// VerifyToken returns the account a token was issued for. It reads only
// the immutable signing key and is safe to call from any goroutine; the
// account itself may no longer exist (Auth then answers invalid_token).
func (v *Venue) VerifyToken(token string) (string, bool) {
	return verifyToken(v.cfg.TokenKey, token)
}

// Run is the sequencer loop. It applies commands from the input queue and
// wakes actors and closes candles when their times come, until ctx ends.
//
// With Config.WarmStart, Run first makes that much history (warmStart)
// and publishes the state it reached as one batch: per symbol a
// KindBookSnapshot with the seq, off and ts of the last delta (deltas from
// Seq+1 on apply on top of it), then a fresh quote, ticker and current
// candles.
// Commands sent meanwhile wait in the queue; Live is closed when it is
// done.
func (v *Venue) Run(ctx context.Context) error {
	defer close(v.done)
	if v.warming() {
		if !v.warmStart(ctx, v.cfg.WarmStart) {
			return nil
		}
		close(v.goLive)
	} else {
		v.startActors()
	}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		wait := time.Duration(v.nextWake() - v.clock.Now())
		timer.Reset(max(wait, 0))
		select {
		case <-ctx.Done():
			return nil
		case c := <-v.in:
			v.apply(c)
			for i := 0; i < 256 && len(v.in) > 0; i++ { // drain a burst before timers
				v.apply(<-v.in)
			}
		case <-timer.C:
		}
		v.advance()
	}
}

// Simulate runs the venue on its ManualClock from the clock's time until
// until (ns), as fast as the CPU allows: actors wake and candles close at
// their simulated times. It is Run for `tickcast simulate` and tests; do
// not call both.
func (v *Venue) Simulate(until int64) error {
	mc, ok := v.clock.(*ManualClock)
	if !ok {
		return errors.New("market: Simulate needs a *ManualClock")
	}
	if !v.actorsStarted {
		v.startActors()
	}
	v.simulateTo(mc, until)
	return nil
}

// simulateTo moves mc from its time to until, waking actors and closing
// candles at their times.
func (v *Venue) simulateTo(mc *ManualClock, until int64) {
	for {
		next := v.nextWake()
		if next > until {
			mc.Set(until)
			v.advance()
			return
		}
		if next > mc.Now() {
			mc.Set(next)
		}
		v.advance()
	}
}

// apply runs one command and publishes its events.
func (v *Venue) apply(c command) {
	v.now = max(v.clock.Now(), v.now)
	v.closeDueCandles()
	v.expireIdle()
	v.execute(c)
	v.flush()
}

// send enqueues a command without blocking.
func (v *Venue) send(c command) error {
	select {
	case <-v.done:
		return ErrStopped
	default:
	}
	select {
	case v.in <- c:
		return nil
	default:
		return ErrBusy
	}
}

// call runs fn on the sequencer and waits for it.
func (v *Venue) call(ctx context.Context, fn func()) error {
	done := make(chan struct{})
	c := command{kind: cmdQuery, fn: func() { fn(); close(done) }}
	select {
	case v.in <- c:
	case <-v.done:
		return ErrStopped
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-v.done:
		return ErrStopped
	case <-ctx.Done():
		return ctx.Err()
	}
}
