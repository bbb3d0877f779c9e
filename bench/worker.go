package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"slices"
	"sync"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/tickcast/tickcast/feed/wire"
)

// ServeWorker runs one worker: it reads its share of the run and then the
// coordinator's commands from in, writes its events to out, and returns
// after the stop command (or the end of in) once it has written its
// result. A worker process runs it on its stdin and stdout (see Spawn).
func ServeWorker(ctx context.Context, in io.Reader, out io.Writer, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	enc := &encoder{enc: json.NewEncoder(out)}
	dec := json.NewDecoder(in)
	var spec workerSpec
	if err := dec.Decode(&spec); err != nil {
		err = fmt.Errorf("bench: worker: reading the spec: %w", err)
		enc.send(event{Ev: evError, Err: err.Error()})
		return err
	}
	if err := applyPlacement(&spec); err != nil {
		enc.send(event{Ev: evError, Err: err.Error()})
		return err
	}
	cmds := make(chan command, 4)
	go func() {
		defer close(cmds)
		for {
			var c command
			if dec.Decode(&c) != nil {
				return
			}
			cmds <- c
		}
	}()
	w, err := newWorker(spec, enc, log)
	if err == nil {
		err = w.serve(ctx, cmds)
	}
	if err != nil {
		enc.send(event{Ev: evError, Err: err.Error()})
	}
	return err
}

// encoder writes events, one JSON line each.
type encoder struct {
	mu  sync.Mutex
	enc *json.Encoder
	err error
}

func (e *encoder) send(ev event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.err == nil {
		e.err = e.enc.Encode(ev)
	}
}

// worker holds a share of the run's clients.
type worker struct {
	spec    workerSpec
	ep      endpoints
	ips     []netip.Addr
	log     *slog.Logger
	out     *encoder
	win     window
	live    *liveHist
	wsOpts  wsOptions
	sseOpts *sseOptions
	reg     *tradeRegistry
	desk    *orderDesk

	stalledOpts stalledOptions

	wsCn, sseCn, stalledCn       conns
	wsDisc, sseDisc, stalledDisc disconnects

	mu      sync.Mutex
	ws      []*wsClient
	sse     []*sseClient
	stalled []*stalledClient
	lastErr string

	connectWS, connectSSE, connectStalled lockedHist // first connections, dial → started
	noDrain                               bool       // the run was called off: close the stalled clients unread
	rampNS                                int64      // written by the ramp, read after it

	opened              time.Time
	wsAtOpen, sseAtOpen int64
	window              time.Duration // set when the window closes
	unanswered          int64         // orders unanswered when it closed
}

// lockedHist is a histogram that the ramp's goroutines share.
type lockedHist struct {
	mu sync.Mutex
	h  *hdr.Histogram
}

func (l *lockedHist) record(d time.Duration) {
	l.mu.Lock()
	if l.h == nil {
		l.h = newHist()
	}
	_ = l.h.RecordValue(clampNS(int64(d)))
	l.mu.Unlock()
}

func (l *lockedHist) encode() (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return encodeHist(l.h)
}

func newWorker(spec workerSpec, out *encoder, log *slog.Logger) (*worker, error) {
	ep, err := parseTarget(spec.Target)
	if err != nil {
		return nil, err
	}
	w := &worker{spec: spec, ep: ep, log: log, out: out, live: newLiveHist()}
	for _, s := range spec.SourceIPs {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%w: source address %q", ErrConfig, s)
		}
		w.ips = append(w.ips, a)
	}
	w.wsOpts = wsOptions{url: ep.WS, readBuffer: spec.ReadBufferSize, books: spec.Books, channels: spec.Channels, symbols: spec.Symbols}
	w.sseOpts = newSSEOptions(ep, spec.SSEChannels, spec.SSESymbols, spec.ReadBufferSize)
	w.stalledOpts = stalledOptions{url: ep.WS, rcvBuf: spec.StalledRcvBuf, readBuffer: spec.ReadBufferSize,
		channels: spec.Channels, symbols: spec.Symbols}
	if spec.Progress <= 0 {
		w.spec.Progress = time.Second
	}
	if spec.RampTimeout <= 0 {
		w.spec.RampTimeout = time.Hour
	}
	return w, nil
}

// sourceIP returns the local address of connection i.
func (w *worker) sourceIP(i int) netip.Addr {
	if len(w.ips) == 0 {
		return netip.Addr{}
	}
	return w.ips[i%len(w.ips)]
}

// serve drives the worker through ramp, window and stop.
func (w *worker) serve(ctx context.Context, cmds <-chan command) error {
	rctx, cancelRamp := context.WithCancel(ctx)
	defer cancelRamp()
	if w.spec.TrackTrades {
		w.reg = &tradeRegistry{} // fed by cmdTrades
	}
	if w.spec.Orders > 0 {
		w.reg = &tradeRegistry{}
		sctx, cancel := context.WithTimeout(rctx, 30*time.Second)
		d, err := newOrderDesk(sctx, w.ep, w.spec.Orders, w.spec.Symbols[0], w.sourceIP(0), w.spec.Index, w.reg)
		cancel()
		if err != nil {
			return err
		}
		w.desk = d
		d.notes = make(chan tradeNote, regSize)
		go w.relayTrades(rctx, d.notes)
	}
	rampDone := make(chan struct{})
	go func() {
		defer close(rampDone)
		ctx, cancel := context.WithTimeoutCause(rctx, w.spec.RampTimeout, errRampTimeout)
		defer cancel()
		total := w.spec.WS + w.spec.SSE + w.spec.Stalled
		if n := w.ramp(ctx); n < total {
			w.log.Warn("bench: ramp timed out", "worker", w.spec.Index, "not_attempted", total-n)
		}
	}()
	tick := time.NewTicker(w.spec.Progress)
	defer tick.Stop()
	ramping := rampDone
	var ends <-chan time.Time // after arm: looks for the last stream's end
	for {
		select {
		case <-ramping:
			ramping = nil
			w.out.send(event{Ev: evReady, Progress: w.progress()})
		case <-tick.C:
			w.out.send(event{Ev: evProgress, Progress: w.progress()})
		case <-ends:
			if w.wsCn.up.Load()+w.sseCn.up.Load() == 0 {
				ends = nil
				w.out.send(event{Ev: evEnded, Progress: w.progress()})
			}
		case c, ok := <-cmds:
			switch {
			case ok && c.Cmd == cmdMeasure:
				w.open()
				continue
			case ok && c.Cmd == cmdTrades:
				if w.reg != nil {
					for _, t := range c.Trades {
						w.reg.add(t.ID, t.Sched)
					}
				}
				continue
			case ok && c.Cmd == cmdArm:
				cancelRamp()
				<-rampDone
				w.arm()
				w.out.send(event{Ev: evArmed})
				t := time.NewTicker(10 * time.Millisecond)
				defer t.Stop()
				ends = t.C
				continue
			case ok && c.Cmd != cmdStop:
				continue
			}
			cancelRamp()
			<-rampDone
			res, err := w.finish(c.At)
			if err != nil {
				return err
			}
			w.out.send(event{Ev: evResult, Result: res})
			return nil
		case <-ctx.Done():
			<-rampDone
			w.noDrain = true
			_, _ = w.finish(0)
			return ctx.Err()
		}
	}
}

// relayTrades sends the coordinator, for the other workers' subscribers,
// the trades this worker's orders caused, as they come: what is waiting
// goes in one event.
func (w *worker) relayTrades(ctx context.Context, notes <-chan tradeNote) {
	var batch []tradeNote
	for {
		select {
		case <-ctx.Done():
			return
		case n := <-notes:
			batch = append(batch[:0], n)
		}
		for more := true; more && len(batch) < 256; {
			select {
			case n := <-notes:
				batch = append(batch, n)
			default:
				more = false
			}
		}
		w.out.send(event{Ev: evTrades, Trades: batch})
	}
}

// rampBatch bounds the dials in flight, so that a slow server is not
// buried under handshakes.
const rampBatch = 256

// errRampTimeout is the cause of the ramp's context when it ran out of
// time: the connections it cuts short count as failed.
var errRampTimeout = errors.New("bench: ramp timed out")

// ramp opens the worker's connections at its ramp rate and returns how
// many it attempted.
func (w *worker) ramp(ctx context.Context) int {
	total := w.spec.WS + w.spec.SSE + w.spec.Stalled
	sem := make(chan struct{}, rampBatch)
	var wg sync.WaitGroup
	t0 := time.Now()
	defer func() { wg.Wait(); w.rampNS = int64(time.Since(t0)) }()
	i := 0
	for i < total {
		due := total
		if w.spec.Ramp > 0 {
			due = min(total, int(time.Since(t0).Seconds()*w.spec.Ramp)+1)
		}
		for ; i < due; i++ {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return i
			}
			wg.Add(1)
			go func(i int) {
				defer func() { <-sem; wg.Done() }()
				switch {
				case i < w.spec.WS:
					w.addWS(ctx, i)
				case i < w.spec.WS+w.spec.SSE:
					w.addSSE(ctx, i)
				default:
					w.addStalled(ctx, i)
				}
			}(i)
		}
		if i < total {
			select {
			case <-time.After(time.Millisecond):
			case <-ctx.Done():
				return i
			}
		}
	}
	return i
}

// wantsTrades reports whether the subscribers see the trades of the
// ordered symbol, and so measure order → public trade.
func (w *worker) wantsTrades(channels, symbols []string) bool {
	return w.reg != nil && slices.Contains(channels, wire.ChanTrades) &&
		(len(symbols) == 0 || slices.Contains(symbols, w.spec.Symbols[0]))
}

func (w *worker) newRecorder(i int, channels, symbols []string) *recorder {
	rec := newRecorder(&w.win, w.live, i)
	if w.wantsTrades(channels, symbols) {
		rec.fan = newFanoutTracker(w.reg, w.spec.Symbols[0])
	}
	return rec
}

// connTimeout bounds connecting and subscribing one client.
const connTimeout = 30 * time.Second

func (w *worker) addWS(ctx context.Context, i int) {
	rec := w.newRecorder(i, w.spec.Channels, w.spec.Symbols)
	cctx, cancel := context.WithTimeout(ctx, connTimeout)
	defer cancel()
	t0 := time.Now()
	wc, err := dialWS(cctx, &w.wsOpts, rec, &w.wsCn, &w.wsDisc, w.sourceIP(i))
	if err != nil {
		w.failed(ctx, &w.wsCn, &w.wsDisc, err)
		return
	}
	w.connectWS.record(time.Since(t0))
	w.mu.Lock()
	w.ws = append(w.ws, wc)
	w.mu.Unlock()
}

func (w *worker) addSSE(ctx context.Context, i int) {
	rec := w.newRecorder(i, w.spec.SSEChannels, w.spec.SSESymbols)
	sc := newSSEClient(w.sseOpts, rec, &w.sseCn, &w.sseDisc, w.sourceIP(i))
	cctx, cancel := context.WithTimeout(ctx, connTimeout)
	defer cancel()
	t0 := time.Now()
	r, err := sc.connect(cctx)
	if err != nil {
		w.failed(ctx, &w.sseCn, &w.sseDisc, err)
		return
	}
	w.connectSSE.record(time.Since(t0))
	go sc.run(r)
	w.mu.Lock()
	w.sse = append(w.sse, sc)
	w.mu.Unlock()
}

// failed counts a first connection that did not succeed (not when the
// ramp was called off).
func (w *worker) failed(ctx context.Context, cn *conns, disc *disconnects, err error) {
	if ctx.Err() != nil && !errors.Is(context.Cause(ctx), errRampTimeout) {
		return // the run was stopped
	}
	cn.failed.Add(1)
	disc.add("connect_failed")
	w.mu.Lock()
	if w.lastErr == "" {
		w.log.Warn("bench: connection failed", "worker", w.spec.Index, "err", err)
	}
	w.lastErr = err.Error()
	w.mu.Unlock()
}

// open opens the measurement window.
func (w *worker) open() {
	if w.win.on.Load() {
		return
	}
	w.wsAtOpen, w.sseAtOpen = w.wsCn.up.Load(), w.sseCn.up.Load()
	w.live.take() // the samples of the warmup are not the window's
	w.opened = time.Now()
	w.win.on.Store(true)
	if w.desk != nil {
		go w.desk.run()
	}
}

// progress returns the live counters.
func (w *worker) progress() *progress {
	w.mu.Lock()
	ws, sse := slices.Clone(w.ws), slices.Clone(w.sse)
	w.mu.Unlock()
	p := &progress{WSUp: w.wsCn.up.Load(), SSEUp: w.sseCn.up.Load(), StalledUp: w.stalledCn.up.Load(),
		Disc:   w.wsDisc.total() + w.sseDisc.total() + w.stalledDisc.total(),
		Failed: w.wsCn.failed.Load() + w.sseCn.failed.Load() + w.stalledCn.failed.Load()}
	for _, c := range ws {
		p.WSMsgs += c.rec.received.Load()
		p.Gaps += c.gaps()
	}
	for _, c := range sse {
		p.SSEMsgs += c.rec.received.Load()
		p.Gaps += c.rec.gaps.Load()
	}
	p.Disc -= p.Failed // connect failures are listed with disconnects, not counted as them here
	if w.desk != nil {
		p.OrdersAck = w.desk.acked.Load()
	}
	p.Live, _ = encodeHist(w.live.take())
	return p
}

// parallel runs f(0) … f(n-1) on at most k goroutines.
func parallel(n, k int, f func(i int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(n, k) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}
