package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Run makes one run against cfg.Target and returns its report.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if len(cfg.CPUs) > 0 {
		// Before any worker starts: a worker process inherits the mask of
		// the thread that forks it (and sets its own again at its start).
		if err := setAffinity(cfg.CPUs); err != nil {
			return nil, err
		}
	}
	ep, _ := parseTarget(cfg.Target)
	c := &coordinator{cfg: cfg, ep: ep, hc: &http.Client{Timeout: 10 * time.Second},
		ready: map[int]bool{}, results: map[int]*workerResult{}, latest: map[int]*progress{},
		closed: map[int]bool{}, armed: map[int]bool{}, ended: map[int]bool{}, live: newHist()}
	return c.run(ctx)
}

// The phases of a run, as the progress lines and the timeline name them.
const (
	phaseBefore  = "before" // the first scrape, before any connection
	phaseRamp    = "ramp"
	phaseWarmup  = "warmup"
	phaseMeasure = "measure" // the window
	phaseStop    = "stop"    // the workers close (and drain) their clients
)

// coordinator drives the workers of one run.
type coordinator struct {
	cfg     Config
	ep      endpoints
	hc      *http.Client
	peers   []*peer
	events  chan peerEvent
	ready   map[int]bool
	results map[int]*workerResult
	latest  map[int]*progress
	closed  map[int]bool
	armed   map[int]bool   // workers ready for the server's stop
	ended   map[int]bool   // workers whose streams have all ended since
	live    *hdr.Histogram // progress samples since the last line
	stopped *ShutdownReport
	wake    chan struct{} // if set, makes until look at done again
	tl      *timeline     // the server's and the kernel's figures over the run

	phase     string
	start     time.Time
	lastPrint time.Time
	lastMsgs  int64
}

func (c *coordinator) run(ctx context.Context) (*Report, error) {
	c.start = time.Now()
	machine := machineInfo()
	metricsURL := c.ep.HTTP + "/metrics"
	base, err := scrape(ctx, c.hc, metricsURL)
	if err != nil {
		return nil, fmt.Errorf("%w (is the server running?)", err)
	}
	tcp0 := readSockstat()
	c.tl = startTimeline(ctx, c.hc, metricsURL, c.start)
	defer c.tl.stop()
	c.tl.add(base, tcp0, phaseBefore, 0)
	k := c.cfg.workerCount()
	n := c.peerCount(k)
	c.events = make(chan peerEvent, 64*n)
	defer c.shutdown()
	for i := range n {
		spec := c.spec(i, k)
		var p *peer
		if n == 1 {
			p, err = startLocal(ctx, i, spec, c.events, c.cfg.Logger)
		} else {
			p, err = startProcess(ctx, i, spec, c.cfg.Spawn, c.events)
		}
		if err != nil {
			return nil, err
		}
		c.peers = append(c.peers, p)
	}
	if err := c.until(ctx, phaseRamp, time.Time{}, func() bool { return len(c.ready) == n }); err != nil {
		return nil, err
	}
	if up, failed := c.upAndFailed(); up == 0 && failed > 0 {
		return nil, fmt.Errorf("bench: none of %d connections came up (see the warnings above)", failed)
	}
	if err := c.until(ctx, phaseWarmup, time.Now().Add(c.cfg.Warmup), nil); err != nil {
		return nil, err
	}
	var pids []int
	for _, p := range c.peers {
		if p.pid != 0 {
			pids = append(pids, p.pid)
		}
	}
	m0, err := scrape(ctx, c.hc, metricsURL)
	if err != nil {
		return nil, err
	}
	cpu0 := sampleCPU(pids)
	c.tl.add(m0, readSockstat(), phaseMeasure, 0)
	for _, p := range c.peers {
		p.send(command{Cmd: cmdMeasure})
	}
	if err := c.until(ctx, phaseMeasure, time.Now().Add(c.cfg.Duration), nil); err != nil {
		return nil, err
	}
	m1, err := scrape(ctx, c.hc, metricsURL)
	if err != nil {
		return nil, err
	}
	cpu1 := sampleCPU(pids)
	tcp1 := readSockstat()
	c.tl.add(m1, tcp1, phaseMeasure, 0)
	stop := command{Cmd: cmdStop}
	var t0 time.Time
	if c.cfg.Stop != nil {
		if t0, err = c.stopServer(ctx); err != nil {
			return nil, err
		}
		stop.At = t0.UnixNano()
	}
	for _, p := range c.peers {
		p.send(stop)
	}
	if err := c.until(ctx, phaseStop, time.Time{}, func() bool { return len(c.results) == n }); err != nil {
		return nil, err
	}
	m := newMerged()
	for i := range n {
		if err := m.add(c.results[i]); err != nil {
			return nil, err
		}
	}
	samples := c.tl.stop()
	rep := m.report(c.stopped, t0, samples)
	rep.Server = serverReport(base, m0, m1)
	rep.Server.RSSPeakBytes = peakRSS(samples)
	rep.KernelTCP = kernelTCPOf(samples, tcp0, tcp1)
	rep.Timeline = samples
	rep.Load = loadOf(cpu0, cpu1, rep.Server.CPUPct)
	rep.Config = c.runConfig(n)
	rep.Machine = machine
	return rep, nil
}

// peerCount is how many workers run beside k subscriber workers: with
// orders, one more, the order worker, whose traders have a process to
// themselves, so that an ack is not timed by a process busy reading
// thousands of subscribers' messages.
func (c *coordinator) peerCount(k int) int {
	if c.cfg.Orders > 0 {
		return k + 1
	}
	return k
}

// spec returns worker i's share of the run: i < k a subscriber worker's,
// i == k the order worker's.
func (c *coordinator) spec(i, k int) workerSpec {
	cfg := &c.cfg
	if i == k {
		var ips []string
		if len(cfg.SourceIPs) > 0 {
			ips = []string{cfg.SourceIPs[0].String()}
		}
		return workerSpec{Index: i, Count: k + 1, Target: cfg.Target, Symbols: cfg.Symbols, Channels: cfg.Channels,
			RampTimeout: cfg.RampTimeout, SourceIPs: ips, Orders: cfg.Orders, ReadBufferSize: cfg.ReadBufferSize,
			Progress: cfg.ProgressInterval, CPUs: cfg.CPUs, TraderRT: cfg.TraderRT}
	}
	var ips []string
	for _, a := range ipsFor(cfg.SourceIPs, i, k) {
		ips = append(ips, a.String())
	}
	return workerSpec{Index: i, Count: k, Target: cfg.Target, WS: share(cfg.WS, i, k), SSE: share(cfg.SSE, i, k),
		Stalled: share(cfg.Stalled, i, k), StalledRcvBuf: cfg.StalledRcvBuf,
		Symbols: cfg.Symbols, Channels: cfg.Channels, SSEChannels: cfg.SSEChannels, SSESymbols: cfg.SSESymbols, Ramp: cfg.Ramp / float64(k),
		RampTimeout: cfg.RampTimeout, SourceIPs: ips, TrackTrades: cfg.Orders > 0, ReadBufferSize: cfg.ReadBufferSize, Books: cfg.Books,
		Progress: cfg.ProgressInterval, CPUs: cfg.CPUs}
}

func (c *coordinator) runConfig(k int) RunConfig {
	cfg := &c.cfg
	ips := make([]string, 0, len(cfg.SourceIPs))
	for _, a := range cfg.SourceIPs {
		ips = append(ips, a.String())
	}
	rc := RunConfig{Target: cfg.Target, WS: cfg.WS, SSE: cfg.SSE, DurationS: cfg.Duration.Seconds(),
		WarmupS: cfg.Warmup.Seconds(), Symbols: cfg.Symbols, Channels: cfg.Channels, SSEChannels: cfg.SSEChannels, SSESymbols: cfg.SSESymbols,
		Ramp: cfg.Ramp, SourceIPs: ips, Orders: cfg.Orders, Workers: k, ReadBufferSize: cfg.ReadBufferSize,
		Books: cfg.Books, Format: "msgpack", Started: c.start.UTC().Format(time.RFC3339), Stalled: cfg.Stalled}
	if cfg.Stalled > 0 {
		rc.StalledRcvBuf = cfg.StalledRcvBuf
	}
	if len(cfg.CPUs) > 0 {
		rc.CPUs = FormatCPUList(cfg.CPUs)
	}
	rc.TraderRT = cfg.TraderRT
	return rc
}

// upAndFailed sums the workers' connections up and failed.
func (c *coordinator) upAndFailed() (up, failed int64) {
	for _, p := range c.latest {
		up += p.WSUp + p.SSEUp + p.StalledUp
		failed += p.Failed
	}
	return up, failed
}

// errWorker reports a worker that failed or vanished.
var errWorker = errors.New("bench: worker failed")

// until handles the workers' events and prints progress until done
// reports true or the deadline passes (a zero deadline: no limit).
func (c *coordinator) until(ctx context.Context, phase string, deadline time.Time, done func() bool) error {
	c.phase = phase
	tick := time.NewTicker(c.cfg.ProgressInterval)
	defer tick.Stop()
	var timeout <-chan time.Time
	wake := c.wake
	if !deadline.IsZero() {
		t := time.NewTimer(time.Until(deadline))
		defer t.Stop()
		timeout = t.C
	}
	for done == nil || !done() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timeout:
			return nil
		case <-tick.C:
			c.print()
		case <-wake:
		case pe := <-c.events:
			if err := c.handle(pe); err != nil {
				return err
			}
		}
	}
	return nil
}

// handle applies one worker event.
func (c *coordinator) handle(pe peerEvent) error {
	if pe.closed {
		c.closed[pe.index] = true
		if c.results[pe.index] == nil {
			return fmt.Errorf("%w: worker %d ended without a result", errWorker, pe.index)
		}
		return nil
	}
	switch pe.ev.Ev {
	case evError:
		return fmt.Errorf("%w: worker %d: %s", errWorker, pe.index, pe.ev.Err)
	case evArmed:
		c.armed[pe.index] = true
	case evEnded:
		c.ended[pe.index] = true
		c.latest[pe.index] = pe.ev.Progress
	case evReady:
		c.ready[pe.index] = true
		fallthrough
	case evProgress:
		if p := pe.ev.Progress; p != nil {
			c.latest[pe.index] = p
			if h, err := decodeHist(p.Live); err == nil {
				mergeInto(c.live, h)
			}
		}
	case evTrades:
		// From the order worker: its subscribers' workers match them.
		for i, p := range c.peers {
			if i != pe.index {
				p.send(command{Cmd: cmdTrades, Trades: pe.ev.Trades})
			}
		}
	case evResult:
		if pe.ev.Result == nil {
			return fmt.Errorf("%w: worker %d sent an empty result", errWorker, pe.index)
		}
		c.results[pe.index] = pe.ev.Result
	}
	return nil
}

// print writes one progress line: connections up, msgs/s since the last
// line, the p99 of the latencies sampled since then.
func (c *coordinator) print() {
	now := time.Now()
	var sum progress
	for _, p := range c.latest {
		sum.WSUp += p.WSUp
		sum.SSEUp += p.SSEUp
		sum.WSMsgs += p.WSMsgs
		sum.SSEMsgs += p.SSEMsgs
		sum.Gaps += p.Gaps
		sum.Disc += p.Disc
		sum.Failed += p.Failed
		sum.OrdersAck += p.OrdersAck
		sum.StalledUp += p.StalledUp
	}
	msgs := sum.WSMsgs + sum.SSEMsgs
	if c.lastPrint.IsZero() {
		c.lastPrint = c.start
	}
	rate := float64(msgs-c.lastMsgs) / now.Sub(c.lastPrint).Seconds()
	c.lastPrint, c.lastMsgs = now, msgs
	p99 := c.live.ValueAtPercentile(99)
	c.live.Reset()
	if c.tl != nil {
		c.tl.request(c.phase, p99)
	}
	if c.cfg.Progress == nil {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "[%-7s %6.1fs] ws %d/%d  sse %d/%d  msgs/s %s  p99 %s  gaps %d  disc %d",
		c.phase, now.Sub(c.start).Seconds(), sum.WSUp, c.cfg.WS, sum.SSEUp, c.cfg.SSE,
		groupDigits(int64(rate)), fmtNS(p99), sum.Gaps, sum.Disc)
	if c.cfg.Stalled > 0 {
		fmt.Fprintf(&b, "  stalled %d/%d", sum.StalledUp, c.cfg.Stalled)
	}
	if sum.Failed > 0 {
		fmt.Fprintf(&b, "  failed %d", sum.Failed)
	}
	if c.cfg.Orders > 0 {
		fmt.Fprintf(&b, "  orders acked %d", sum.OrdersAck)
	}
	fmt.Fprintln(c.cfg.Progress, b.String())
}

// shutdown ends every worker: closes its commands, lets its events drain
// (killing it after a while) and waits for it.
func (c *coordinator) shutdown() {
	for _, p := range c.peers {
		_ = p.in.Close()
	}
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	for len(c.closed) < len(c.peers) {
		select {
		case pe := <-c.events:
			if pe.closed {
				c.closed[pe.index] = true
			}
		case <-deadline.C:
			for _, p := range c.peers {
				p.cancel() // kills a worker process; a local worker stops
				c.closed[p.index] = true
			}
		}
	}
	for _, p := range c.peers {
		_ = p.close() // its event reader, if still blocked, gives up
	}
}

// groupDigits formats n with thousands separators: 1,234,567.
func groupDigits(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
