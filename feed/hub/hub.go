package hub

import (
	"context"
	"errors"
	"hash/crc32"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tickcast/tickcast/feed/bus"
	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/market"
)

// Config configures a Hub; zero fields mean the documented defaults.
type Config struct {
	Symbols []string // the venue's symbols, in order; required
	Epoch   string   // the venue's epoch; required
	// History kept for resume: at least HistoryMessages (default 100,000)
	// or HistoryAge (default 60 s) of messages, whichever is more, and at
	// most HistoryMax (default 2,000,000) whatever the age.
	HistoryMessages int
	HistoryAge      time.Duration
	HistoryMax      int
	// MaxSubscriptions per subscriber; default 256.
	MaxSubscriptions int
	// SnapshotDepth bounds a book_snapshot to the best SnapshotDepth
	// levels a side; default 1,000, at least ChecksumDepth (10). Deeper levels reach a subscriber as
	// deltas when they change. A snapshot of a book hundreds of thousands
	// of levels deep would pass every subscriber's backlog limit and be
	// cut off (4008) before it arrived, every time.
	SnapshotDepth int
	// NodeID names this feed node among those that share one engine: it
	// is the top bits of every subscriber ID, by which the venue addresses
	// replies (market.Origin.Session), so two hubs on one bus must have
	// different ones. 0 to 16,777,215; default 0.
	NodeID uint32
	// ResumeWait is how long a resume from a position the hub has not
	// reached yet waits for it (WebSocket since above a stream's seq, SSE
	// Last-Event-ID above its offset) before it is answered reset. An edge
	// of a scaled-out deployment sets it: a client coming from an edge
	// further ahead is served once this one caught up. Default 0: at once
	// (one process: such a position is from another history).
	ResumeWait time.Duration
	// BusBuffer is how many published batches may wait for the hub on the
	// bus; default 4096.
	BusBuffer int
	// BacklogBudget bounds the lossless backlogs of all subscribers
	// together, in bytes (the messages in each one's format and the queue
	// slots holding them); default 256 MiB. Past it, a subscriber whose
	// backlog keeps growing is cut off as a slow consumer, even within its
	// own Limits.
	BacklogBudget int64
	Logger        *slog.Logger
}

func (c *Config) fill() {
	if c.HistoryMessages <= 0 {
		c.HistoryMessages = 100_000
	}
	if c.HistoryAge <= 0 {
		c.HistoryAge = 60 * time.Second
	}
	if c.HistoryMax < c.HistoryMessages {
		c.HistoryMax = max(2_000_000, c.HistoryMessages)
	}
	if c.MaxSubscriptions <= 0 {
		c.MaxSubscriptions = 256
	}
	if c.SnapshotDepth <= 0 {
		c.SnapshotDepth = 1000
	}
	// A snapshot must hold the levels its checksum covers, or no client
	// could verify it.
	c.SnapshotDepth = max(c.SnapshotDepth, ChecksumDepth)
	if c.BusBuffer <= 0 {
		c.BusBuffer = 4096
	}
	if c.BacklogBudget <= 0 {
		c.BacklogBudget = 256 << 20
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// Hub relays the venue's events to subscribers. One goroutine (Run) owns
// the streams, the history and the routing of private messages; it encodes
// each event once per format and pushes the same Frame to every subscriber
// of its stream, never blocking on any of them. Subscribing, resuming and
// unsubscribing run on that goroutine too, between two batches of events,
// which is what makes snapshot + replay + live gapless.
type Hub struct {
	cfg Config
	// between, if set, runs between two public events of a relay, at
	// most every betweenEvery (SetBetween).
	between   atomic.Pointer[func()]
	betweenAt int64 // monotonic ns of its last run (the hub's goroutine only)
	yieldAt   int64 // monotonic ns of the hub's last yield in a relay (runBetween)
	bus       bus.Subscription
	src       <-chan []*market.Event
	ctrl      chan func()
	// reg carries registrations (Add) apart from the other control
	// requests: the hub runs them before it routes any batch it takes, in
	// the middle of a relay too (relay.go), while the rest wait until the
	// public messages of every batch whose replies went out are relayed.
	reg      chan func()
	done     chan struct{} // closed when Run returns
	doneOnce sync.Once
	stats    Stats
	slow     slowLog
	// backlog holds the batches taken from the bus whose replies went out
	// and whose public events have not (relay.go); srcClosed: the bus
	// closed, and what it held is in backlog.
	backlog   [][]*market.Event
	srcClosed bool
	nextSub   atomic.Uint64
	streams   map[string]*Stream
	bySym     map[string][chanCount]*Stream
	hist      history
	lastOff   uint64
	accounts  map[string][]*Sub
	subs      map[uint64]*Sub

	// lingering are removed subscribers whose operations the venue has
	// not answered yet (Sub.Outstanding): their answers still complete.
	lingering map[uint64]*Sub
	sweepAt   int // len(lingering) at which remove next sweeps it

	dropped  []*Sub
	wake     []*Sub // subscribers to notify at the end of the batch
	subCount atomic.Int64
	deferred []deferredResume
	tick     *time.Ticker
	relayed  atomic.Uint64 // batches taken from the bus and relayed
}

const chanCount = 6

var channelIndex = map[string]int{wire.ChanTrades: 0, wire.ChanBook: 1, wire.ChanQuote: 2, wire.ChanTicker: 3, wire.ChanCandles1s: 4, wire.ChanCandles1m: 5}

// Channels lists the public channels, in a fixed order.
var Channels = []string{wire.ChanTrades, wire.ChanBook, wire.ChanQuote, wire.ChanTicker, wire.ChanCandles1s, wire.ChanCandles1m}

// New makes a hub that will relay the batches published on src from now
// on (a nil src: none, for tests that drive the hub themselves). Run
// relays them.
func New(cfg Config, src bus.Subscriber) *Hub {
	cfg.fill()
	h := &Hub{
		cfg: cfg, ctrl: make(chan func(), 1024), reg: make(chan func(), 1024), done: make(chan struct{}),
		streams: map[string]*Stream{}, bySym: map[string][chanCount]*Stream{},
		accounts: map[string][]*Sub{}, subs: map[uint64]*Sub{}, lingering: map[uint64]*Sub{}, sweepAt: minSweep,
		hist: history{minMessages: cfg.HistoryMessages, minAge: int64(cfg.HistoryAge), maxMessages: cfg.HistoryMax},
	}
	h.stats.budget = cfg.BacklogBudget
	emptyCS := crc32.ChecksumIEEE([]byte("|"))
	for i, sym := range cfg.Symbols {
		var row [chanCount]*Stream
		for j, ch := range Channels {
			s := &Stream{Name: wire.Stream(ch, sym), Channel: ch, Symbol: sym, Lossless: wire.Lossless(ch), key: uint64(i*chanCount+j+1) << 48}
			if ch == wire.ChanBook {
				s.mirror = newMirror(emptyCS, cfg.SnapshotDepth)
			}
			row[j] = s
			h.streams[s.Name] = s
		}
		h.bySym[sym] = row
	}
	if src != nil {
		h.bus = src.Subscribe(cfg.BusBuffer)
		h.src = h.bus.C()
	}
	return h
}

// Epoch returns the epoch the hub relays.
func (h *Hub) Epoch() string { return h.cfg.Epoch }

// Lookup returns the stream of channel ch on symbol, or nil. It is safe
// for concurrent use (the set of streams never changes).
func (h *Hub) Lookup(ch, symbol string) *Stream {
	row, ok := h.bySym[symbol]
	j, known := channelIndex[ch]
	if !ok || !known {
		return nil
	}
	return row[j]
}

// KnownSymbol reports whether the hub relays symbol.
func (h *Hub) KnownSymbol(symbol string) bool { _, ok := h.bySym[symbol]; return ok }

// Symbols returns the symbols, in order.
func (h *Hub) Symbols() []string { return h.cfg.Symbols }

// ChecksumDepth is how many levels a side the book checksum covers
// (protocol.md 6.2): the least a snapshot carries.
const ChecksumDepth = 10

// SnapshotDepth is the most levels a side that a book snapshot carries.
func (h *Hub) SnapshotDepth() int { return h.cfg.SnapshotDepth }

// MaxSubscriptions is the per-subscriber stream limit.
func (h *Hub) MaxSubscriptions() int { return h.cfg.MaxSubscriptions }

// Subscribers returns how many subscribers are registered.
func (h *Hub) Subscribers() int { return int(h.subCount.Load()) }

// Relayed returns how many of the bus's batches the hub has relayed (put
// into its history and its subscribers' queues).
func (h *Hub) Relayed() uint64 { return h.relayed.Load() }

// Run relays events until the bus closes (every batch published before is
// relayed first: this is how the hub drains at shutdown) or ctx ends (the
// hub then stops at once and cancels its subscription). Control requests
// made after Run returned fail with ErrStopped.
func (h *Hub) Run(ctx context.Context) error {
	defer h.doneOnce.Do(func() { close(h.done) })
	if h.bus != nil {
		defer h.bus.Cancel()
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case batch, ok := <-h.src:
			if !ok {
				return nil
			}
			h.take(batch)
			h.relay()
			h.retryDeferred()
			if h.srcClosed {
				h.dropOverflowed()
				return nil
			}
		case fn := <-h.reg:
			fn()
		case fn := <-h.ctrl:
			h.runReg() // a session's registration comes before what it asks next
			fn()
		case <-h.deferTick():
			h.retryDeferred()
		}
		h.dropOverflowed()
	}
}

// ErrStopped is returned by control requests once the hub has stopped.
var ErrStopped = errors.New("hub: stopped")

// do runs fn on the hub goroutine. It blocks only while the control queue
// is full, which bounds what a burst of sessions can pile up.
func (h *Hub) do(ctx context.Context, fn func()) error { return h.doOn(h.ctrl, ctx, fn) }

// doOn is do on queue q (h.ctrl or h.reg).
func (h *Hub) doOn(q chan func(), ctx context.Context, fn func()) error {
	select {
	case <-h.done:
		return ErrStopped
	default:
	}
	select {
	case q <- fn:
		return nil
	case <-h.done:
		return ErrStopped
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hub) publishPublic(e *market.Event) {
	row, ok := h.bySym[e.Symbol]
	if !ok {
		return
	}
	s := row[channelIndex[e.Kind.Channel()]]
	m := public(e)
	if e.Kind == market.KindBookSnapshot {
		h.seedBook(s, m.(*wire.BookSnapshot))
		return
	}
	f := newFrame(m, typeOf(m))
	f.Stream, f.Seq, f.Off, f.TS, f.Key = s, e.Seq, e.Off, e.TS, s.conflationKey(m)
	s.seq, h.lastOff = e.Seq, e.Off
	if s.mirror != nil {
		s.mirror.apply(m.(*wire.BookDelta))
	} else if !s.Lossless {
		s.last = f
	}
	h.hist.add(f)
	h.fanOut(s, f)
}

// fanOut pushes f to every subscriber of s.
func (h *Hub) fanOut(s *Stream, f *Frame) {
	for i, sub := range s.subs {
		if i%arrivedSubs == arrivedSubs-1 {
			h.takeArrived()
		}
		if i%betweenSubs == betweenSubs-1 {
			h.runBetween() // the hub's goroutine alone changes s.subs
		}
		ok, woke := sub.Q.PushQuiet(f)
		switch {
		case !ok:
			h.dropped = append(h.dropped, sub)
		case woke:
			h.wake = append(h.wake, sub)
		}
	}
}

// seedBook takes a book_snapshot the venue published (its state after a
// warm start, market.Config.WarmStart) as the book of stream s: the mirror
// is replaced and the stream's seq and the offset move to the snapshot's,
// so that the deltas that follow apply on top of it. It is no live message
// and goes to no history; a subscriber already on the stream gets it, as
// the book that replaces the one it had.
func (h *Hub) seedBook(s *Stream, snap *wire.BookSnapshot) {
	s.mirror.seed(snap)
	s.seq, h.lastOff = snap.Seq, max(h.lastOff, snap.Off)
	if len(s.subs) > 0 {
		h.fanOut(s, s.mirror.snapshot(s))
	}
}

// route delivers a private message or a reply.
func (h *Hub) route(e *market.Event) {
	if e.Direct {
		sub := h.subs[e.Origin.Session]
		if sub == nil {
			return // another node's session, or gone
		}
		if e.Kind == market.KindAuthed {
			h.attach(sub, e.Account)
		}
		if !sub.Q.PushOwn(sub.own(private(e, true), h.cfg.Epoch, h.lastOff)) {
			h.dropped = append(h.dropped, sub)
		}
		h.answered(sub, e)
		return
	}
	subs := h.accounts[e.Account]
	if len(subs) == 0 {
		return
	}
	var shared *Frame
	for _, sub := range subs {
		var ok bool
		if sub.ID == e.Origin.Session {
			ok = sub.Q.PushOwn(sub.own(private(e, true), h.cfg.Epoch, h.lastOff))
			h.answered(sub, e)
		} else {
			if shared == nil {
				m := private(e, false)
				shared = newFrame(m, typeOf(m))
			}
			ok = sub.Q.PushOwnFrame(shared)
		}
		if !ok {
			h.dropped = append(h.dropped, sub)
		}
	}
}

func (h *Hub) answered(sub *Sub, e *market.Event) {
	if sub.Answered == nil {
		return
	}
	throttled := e.Kind == market.KindOrder && e.Order.Reason == market.RejectRateLimited ||
		e.Kind == market.KindError && e.Reply.Code == market.CodeRateLimited
	sub.Answered(Answer{ID: e.Origin.ID, HasID: e.Origin.HasID, Throttled: throttled})
}

// attach routes account's private messages to sub from now on.
func (h *Hub) attach(sub *Sub, account string) {
	if sub.account == account {
		return
	}
	h.detach(sub)
	sub.account = account
	h.accounts[account] = append(h.accounts[account], sub)
}

func (h *Hub) detach(sub *Sub) {
	if sub.account == "" {
		return
	}
	list := h.accounts[sub.account]
	if i := slices.Index(list, sub); i >= 0 {
		list = slices.Delete(list, i, i+1)
	}
	if len(list) == 0 {
		delete(h.accounts, sub.account)
	} else {
		h.accounts[sub.account] = list
	}
	sub.account = ""
}

// dropOverflowed takes slow consumers off every stream; their transports
// see the overflow and close them.
func (h *Hub) dropOverflowed() {
	for _, sub := range h.dropped {
		if !sub.gone {
			h.SlowConsumer(sub, SlowBacklog, sub.Q.Backlog())
			h.remove(sub)
		}
	}
	h.dropped = h.dropped[:0]
}

// Add registers a subscriber, so that replies addressed to it find it.
func (h *Hub) Add(ctx context.Context, sub *Sub) error {
	return h.doOn(h.reg, ctx, func() {
		h.subs[sub.ID] = sub
		h.subCount.Add(1)
	})
}

// Remove forgets a subscriber: off every stream, off its account.
func (h *Hub) Remove(ctx context.Context, sub *Sub) error {
	return h.do(ctx, func() { h.remove(sub) })
}

func (h *Hub) remove(sub *Sub) {
	if sub.gone {
		return
	}
	sub.gone = true
	for s := range sub.streams {
		s.remove(sub)
	}
	h.detach(sub)
	if _, ok := h.subs[sub.ID]; ok {
		delete(h.subs, sub.ID)
		h.subCount.Add(-1)
	}
	if sub.Completed != nil && sub.Outstanding != nil && sub.Outstanding() {
		h.lingering[sub.ID] = sub
		if len(h.lingering) >= h.sweepAt {
			h.sweepLingering()
		}
	}
}
