package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/tickcast/tickcast/feed/client"
	"github.com/tickcast/tickcast/feed/wire"
)

// Active mode: traders submit crossing IOC orders at a fixed rate. Each
// order is scheduled at t0 + i/rate and every latency is measured from
// that time, so a stall anywhere (server, network, generator) is charged
// in full to the orders it delayed.

// ordersPerTrader is the order rate one trader account carries, below the
// server's default limit of 50 per second per account.
const ordersPerTrader = 40

// traders returns how many trader accounts carry rate orders per second.
func traders(rate float64) int {
	if rate <= 0 {
		return 0
	}
	return int(math.Ceil(rate / ordersPerTrader))
}

// slipBP is how far (basis points) past the best opposite price an order
// is priced: enough to cross a moving book, well inside the price band.
const slipBP = 50

// instrument is the part of GET /api/v1/instruments the traders need.
type instrument struct {
	Symbol string `json:"s"`
	Tick   string `json:"tick"`
	MinQty string `json:"min_qty"`
	dec    int
	tick   int64
}

// orderDesk runs a worker's traders: their accounts, the schedule, and the
// latencies of the active mode.
type orderDesk struct {
	rate    float64
	inst    instrument
	traders []*trader
	reg     *tradeRegistry

	mu       sync.Mutex // guards the histograms and maps below
	ack      *hdr.Histogram
	fill     *hdr.Histogram
	wake     *hdr.Histogram // how late a sleeping thread woke (probeWake)
	rejected map[string]int64

	// notes, if set, takes every trade an order caused, for the
	// subscribers of other workers (dropped if it is full).
	notes chan tradeNote

	sent, acked, filled, unfilled, failed atomic.Int64
	stop                                  chan struct{}
	done                                  chan struct{}
}

// trader is one account on its own connection.
type trader struct {
	d     *orderDesk
	c     *client.Client
	id    int
	mu    sync.Mutex
	open  map[string]*order // by cid
	bid   string
	ask   string
	quote chan struct{} // closed at the first quote
	once  sync.Once
}

// order is one order in flight.
type order struct {
	sched  int64
	acked  bool
	filled bool
}

// newOrderDesk creates the accounts, connects and authenticates the
// traders and waits for their first quote of the symbol.
func newOrderDesk(ctx context.Context, ep endpoints, rate float64, sym string, local netip.Addr, worker int, reg *tradeRegistry) (*orderDesk, error) {
	hc := httpClient(local)
	inst, err := fetchInstrument(ctx, hc, ep, sym)
	if err != nil {
		return nil, err
	}
	d := &orderDesk{rate: rate, inst: inst, reg: reg, ack: newHist(), fill: newHist(), wake: newHist(),
		rejected: map[string]int64{}, stop: make(chan struct{}), done: make(chan struct{})}
	for i := range traders(rate) {
		token, err := createAccount(ctx, hc, ep)
		if err != nil {
			d.close()
			return nil, err
		}
		t := &trader{d: d, id: worker*1000 + i, open: map[string]*order{}, quote: make(chan struct{})}
		cfg := client.Config{URL: ep.WS, NoBooks: true, OnMessage: t.onMessage}
		if local.IsValid() {
			cfg.LocalAddr = &net.TCPAddr{IP: local.AsSlice()}
		}
		if t.c, err = client.Dial(ctx, cfg); err != nil {
			d.close()
			return nil, fmt.Errorf("bench: trader: %w", err)
		}
		d.traders = append(d.traders, t)
		if _, err := t.c.Auth(ctx, token, true); err != nil {
			d.close()
			return nil, fmt.Errorf("bench: trader auth: %w", err)
		}
		if _, err := t.c.Subscribe(ctx, []string{wire.ChanQuote}, []string{sym}); err != nil {
			d.close()
			return nil, fmt.Errorf("bench: trader subscribe: %w", err)
		}
	}
	for _, t := range d.traders {
		select {
		case <-t.quote:
		case <-ctx.Done():
			d.close()
			return nil, fmt.Errorf("bench: waiting for a quote of %s: %w", sym, ctx.Err())
		}
	}
	return d, nil
}

// httpClient returns a REST client dialing from local.
func httpClient(local netip.Addr) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second}
	if local.IsValid() {
		d.LocalAddr = &net.TCPAddr{IP: local.AsSlice()}
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}
}

func fetchInstrument(ctx context.Context, hc *http.Client, ep endpoints, sym string) (instrument, error) {
	var list []instrument
	if err := getJSON(ctx, hc, http.MethodGet, ep.HTTP+"/api/v1/instruments", &list); err != nil {
		return instrument{}, err
	}
	for _, in := range list {
		if in.Symbol != sym {
			continue
		}
		in.dec = fracDigits(in.Tick)
		var err error
		if in.tick, err = toUnits(in.Tick, in.dec); err != nil || in.tick <= 0 {
			return instrument{}, fmt.Errorf("bench: instrument %s: tick %q", sym, in.Tick)
		}
		return in, nil
	}
	return instrument{}, fmt.Errorf("bench: the server has no instrument %q", sym)
}

func createAccount(ctx context.Context, hc *http.Client, ep endpoints) (string, error) {
	var acct struct {
		Token string `json:"token"`
	}
	if err := getJSON(ctx, hc, http.MethodPost, ep.HTTP+"/api/v1/accounts", &acct); err != nil {
		return "", err
	}
	if acct.Token == "" {
		return "", errors.New("bench: account without a token")
	}
	return acct.Token, nil
}

// getJSON sends a bodiless request and decodes the JSON answer into v.
func getJSON(ctx context.Context, hc *http.Client, method, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("bench: %s %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("bench: %s %s: HTTP %d", method, url, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("bench: %s %s: %w", method, url, err)
	}
	return nil
}

// earlyWake is how long before an order's time the order desk wakes, to
// send it on time.
const earlyWake = 2 * time.Millisecond

// run places orders on schedule until stop: order i at t0 + i/rate, by
// trader i mod n, buying and selling in turn so balances stay put.
func (d *orderDesk) run() {
	defer close(d.done)
	go d.probeWake()
	interval := time.Duration(float64(time.Second) / d.rate)
	t0 := time.Now()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for i := 0; ; i++ {
		at := t0.Add(time.Duration(i) * interval)
		if wait := time.Until(at); wait > 0 {
			timer.Reset(max(wait-earlyWake, 0))
			select {
			case <-d.stop:
				return
			case <-timer.C:
			}
			// The runtime's timers fire up to a millisecond late here (its
			// poller sleeps in whole milliseconds), which every ack would
			// be charged: wake early, and wait out the rest on the clock.
			for time.Now().Before(at) {
				runtime.Gosched()
			}
		} else {
			select {
			case <-d.stop:
				return
			default: // late: send at once, latency still counts from at
			}
		}
		d.traders[i%len(d.traders)].place(i, at.UnixNano())
	}
}

// place sends order i, scheduled at sched.
func (t *trader) place(i int, sched int64) {
	d := t.d
	buy := i%2 == 0
	t.mu.Lock()
	best := t.ask
	if !buy {
		best = t.bid
	}
	if best == "" { // that side is empty: cross the other way
		buy = !buy
		best = map[bool]string{true: t.ask, false: t.bid}[buy]
	}
	cid := "tb" + strconv.Itoa(t.id) + "-" + strconv.Itoa(i)
	t.open[cid] = &order{sched: sched}
	t.mu.Unlock()
	d.sent.Add(1)
	units, err := toUnits(best, d.inst.dec)
	if err != nil {
		d.failed.Add(1)
		return
	}
	side := wire.SideSell
	if buy {
		side = wire.SideBuy
	}
	op := &wire.NewOrder{ID: wire.SomeID(1<<52 + uint64(i)), CID: cid, S: d.inst.Symbol, Side: side,
		Type: wire.TypeLimit, TIF: wire.TIFIOC, Qty: d.inst.MinQty,
		Px: fromUnits(crossingPrice(units, d.inst.tick, buy, slipBP), d.inst.dec)}
	if err := t.c.Send(op); err != nil {
		d.failed.Add(1)
	}
}

// onMessage is the trader's OnMessage: quotes keep its prices, order and
// fill messages time its orders. These are few, so they are decoded.
func (t *trader) onMessage(raw []byte, h wire.Header) {
	now := nowNS()
	switch h.Kind {
	case wire.KindQuote, wire.KindOrder, wire.KindFill:
	default:
		return
	}
	m, err := wire.Decode(wire.MsgPack, raw)
	if err != nil {
		return
	}
	switch m := m.(type) {
	case *wire.Quote:
		t.mu.Lock()
		t.bid, t.ask = m.Bid, m.Ask
		t.mu.Unlock()
		if m.Bid != "" || m.Ask != "" {
			t.once.Do(func() { close(t.quote) })
		}
	case *wire.Order:
		t.onOrder(m, now)
	case *wire.Fill:
		t.onFill(m, now)
	}
}

func (t *trader) onOrder(m *wire.Order, now int64) {
	d := t.d
	t.mu.Lock()
	o := t.open[m.CID]
	if o == nil {
		t.mu.Unlock()
		return
	}
	first := !o.acked
	o.acked = true
	ended := false
	switch m.Status {
	case wire.StatusFilled, wire.StatusCanceled, wire.StatusExpired, wire.StatusRejected:
		delete(t.open, m.CID)
		ended = true
	}
	filled := o.filled
	t.mu.Unlock()
	d.mu.Lock()
	if first {
		_ = d.ack.RecordValue(clampNS(now - o.sched))
		if m.Status == wire.StatusRejected {
			d.rejected[m.Reason]++
		}
	}
	d.mu.Unlock()
	if first {
		d.acked.Add(1)
	}
	if ended && !filled && m.Status != wire.StatusRejected {
		d.unfilled.Add(1)
	}
}

func (t *trader) onFill(m *wire.Fill, now int64) {
	d := t.d
	t.mu.Lock()
	o := t.open[m.CID]
	first := o != nil && !o.filled
	var sched int64
	if o != nil {
		o.filled = true
		sched = o.sched
	}
	t.mu.Unlock()
	if o == nil {
		return
	}
	d.reg.add(m.TradeID, sched)
	if d.notes != nil {
		select {
		case d.notes <- tradeNote{ID: m.TradeID, Sched: sched}:
		default:
		}
	}
	if first {
		d.mu.Lock()
		_ = d.fill.RecordValue(clampNS(now - sched))
		d.mu.Unlock()
		d.filled.Add(1)
	}
}

// pending returns how many orders still wait for their end.
func (d *orderDesk) pending() int {
	n := 0
	for _, t := range d.traders {
		t.mu.Lock()
		n += len(t.open)
		t.mu.Unlock()
	}
	return n
}

// finish stops the schedule, gives the orders in flight up to grace to
// end, and records each order still unanswered with the time it waited
// (it is not dropped: that would hide exactly the stalls looked for).
func (d *orderDesk) finish(grace time.Duration) (unanswered int64) {
	close(d.stop)
	<-d.done
	deadline := time.Now().Add(grace)
	for d.pending() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	now := nowNS()
	for _, t := range d.traders {
		t.mu.Lock()
		for cid, o := range t.open {
			if !o.acked {
				d.mu.Lock()
				_ = d.ack.RecordValue(clampNS(now - o.sched))
				d.mu.Unlock()
				unanswered++
			}
			delete(t.open, cid)
		}
		t.mu.Unlock()
	}
	return unanswered
}

// close disconnects the traders (cancel_on_disconnect clears their book).
func (d *orderDesk) close() {
	for _, t := range d.traders {
		_ = t.c.Close()
	}
}
