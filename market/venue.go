package market

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tickcast/tickcast/orders"
)

// Errors of the venue's entry points.
var (
	ErrBusy    = errors.New("venue: input queue full")
	ErrStopped = errors.New("venue: stopped")
)

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
	// recovered is closed when the journal's replay is done (Recovered).
	recovered chan struct{}
	insts     []*Instrument
	bySym     map[string]*bookState
	books     []*bookState
	assets    []asset
	assetI    map[string]int

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
	// slabs hold the events to come (event_alloc.go).
	batchFree []*Event
	slabs     slabs
	// ended holds the orders that ended in this command; freeOrders the
	// records of those of earlier commands, for new orders (newOrder).
	ended, freeOrders []*liveOrder
	// balZero is every asset's Balance of 0, in asset order: what
	// account messages start from (balances).
	balZero []Balance
	actors  []actorSlot
	x       Exchange
	omit    [kindCount]bool // public kinds not built (Config.Channels)
	silent  bool            // no public kind is built (the warm start)

	actorsStarted bool
	liveOnce      sync.Once
	ran           atomic.Bool // Run was called (or Close)
	dur           *durable    // nil: in memory only (Config.DataDir)
}

// opContext is what the event handlers need to know about the operation
// whose engine events they are handling.
type opContext struct {
	origin       Origin
	target       *liveOrder // the order the operation is about
	replied      bool       // the target's first order event (carrying origin) went out
	placing      bool       // inside Submit of target
	targetOpen   bool       // placing: the target has not ended yet (it enters the indexes only after Submit, if still open)
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
		cfg:       cfg,
		clock:     cfg.Clock,
		pub:       cfg.Publisher,
		log:       cfg.Logger,
		epoch:     cfg.Epoch,
		in:        make(chan command, cfg.QueueSize),
		done:      make(chan struct{}),
		goLive:    make(chan struct{}),
		recovered: make(chan struct{}),
		insts:     insts,
		bySym:     map[string]*bookState{},
		assetI:    map[string]int{},
		accounts:  map[string]*account{},
		owners:    []*account{nil},
		live:      map[orders.OrderID]*liveOrder{},
		nextOID:   1,
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
	if cfg.DataDir != "" {
		if err := v.openDurable(); err != nil {
			return nil, err
		}
	}
	if v.dur == nil {
		close(v.recovered)
	}
	if !v.warming() && v.dur == nil {
		v.markLive() // nothing to wait for: commands apply once Run runs
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
		v.balZero = append(v.balZero, Balance{Asset: n, Total: MakeDec(0, dec[n]), Available: MakeDec(0, dec[n])})
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
//
// A durable venue (Config.DataDir) first replays the journal after the
// snapshot New restored, publishing what it publishes, and then, instead
// of a warm start, detaches every session of the last run. Each step is
// journaled; one fsync covers the steps of one turn of the loop (a burst
// of commands and the wake after it), and their events are published
// only after it. Run returns the journal's error if it fails, and closes
// the journal when it returns.
func (v *Venue) Run(ctx context.Context) (err error) {
	defer close(v.done)
	if v.ran.Swap(true) {
		return errors.New("market: Run called twice, or after Close")
	}
	if v.dur != nil {
		defer func() {
			if cerr := v.closeDurable(); err == nil {
				err = cerr
			}
		}()
	}
	if ok, err := v.begin(ctx); !ok || err != nil {
		return err
	}
	v.markLive()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		wait := time.Duration(v.nextWake() - v.clock.Now())
		timer.Reset(max(wait, 0))
		select {
		case <-ctx.Done():
			return nil
		case c := <-v.in:
			v.step(stepCommand, &c)
			for i := 0; i < 256 && len(v.in) > 0; i++ { // drain a burst before timers
				c = <-v.in
				v.step(stepCommand, &c)
			}
		case <-timer.C:
		}
		if v.dur == nil || v.nextWake() <= v.clock.Now() {
			v.step(stepAdvance, nil)
		}
		if err := v.commit(); err != nil {
			v.log.Error("market: the venue stops: its journal failed", "err", err)
			return err
		}
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
	if v.dur != nil {
		return v.simulateDurable(mc, until)
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
		due := v.candleDue()
		next := min(v.nextTimer(), due)
		if next > until {
			mc.Set(until)
			v.advanceDue(due)
			return
		}
		if next > mc.Now() {
			mc.Set(next)
		}
		v.advanceDue(due)
	}
}

// apply runs one command and publishes its events.
func (v *Venue) apply(c command) {
	v.now = max(v.clock.Now(), v.now)
	v.closeDueCandles()
	v.expireIdle()
	v.execute(&c)
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

// call runs fn on the sequencer and waits for it (with a journal, until
// the step that ran it is durable).
func (v *Venue) call(ctx context.Context, fn func()) error {
	return v.wait(ctx, command{kind: cmdQuery, fn: fn})
}

// query runs fn on the sequencer like call and returns its result. The
// result travels over a channel, not through a variable the caller reads:
// the sequencer may run fn after the caller gave up waiting (ctx ended),
// and a shared variable would then be written while the caller reads it.
func query[T any](v *Venue, ctx context.Context, fn func() T) (T, error) {
	res := make(chan T, 1)
	err := v.call(ctx, func() { res <- fn() })
	if err != nil {
		var zero T
		return zero, err
	}
	return <-res, nil
}

// wait sends c and waits until it was applied (and is durable).
func (v *Venue) wait(ctx context.Context, c command) error {
	done := make(chan struct{})
	c.done = done
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
