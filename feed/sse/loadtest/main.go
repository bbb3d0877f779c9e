// Command loadtest measures tickcast's SSE endpoint under many concurrent
// viewers: it starts a tickcast server binary as a separate process (the
// open-files limit is per process), opens the viewers over loopback from
// source addresses 127.0.0.2 to 127.0.0.9, reads their streams with a raw
// reader, and reports connect time, event latency against ts, events per
// second and the server's memory. It is a program, not a test: go test
// ./... never runs it.
//
//	go build -o /tmp/tickcast ./cmd/tickcast
//	go run ./feed/sse/loadtest -tickcast /tmp/tickcast -viewers 10000 -duration 60s -runs 3
//
// Everything stays on the loopback interface and is bounded: at most
// 15,000 viewers, at most 10 minutes of measurement per run, at most 5
// runs.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

type config struct {
	bin         string
	viewers     int
	channels    string
	symbols     string
	duration    time.Duration
	warmup      time.Duration
	concurrency int
	runs        int
	serverArgs  string
	quietWait   time.Duration
}

// result is one run's figures.
type result struct {
	viewers                      int
	connectP50, connectP99, ramp time.Duration
	latP50, latP99, latP999, max time.Duration
	events                       uint64
	eventsPerSec                 float64
	rssIdle, rss, hwm, promRSS   int64
	serverCPU                    float64 // cores used by the server over the window
	clientCPU                    float64 // cores used by this load generator over the window
	otherCPU                     float64 // cores used by anything else on the machine over the window
	idleBefore                   float64 // busy cores before the run
	ended, bad                   int64
	shutdown                     time.Duration
	cleanEnds                    int64
	goroutines                   float64
}

func main() {
	var c config
	flag.StringVar(&c.bin, "tickcast", "", "tickcast binary to start (go build -o /tmp/tickcast ./cmd/tickcast)")
	flag.IntVar(&c.viewers, "viewers", 10000, "concurrent SSE viewers (at most 15000)")
	flag.StringVar(&c.channels, "channels", "", "channels query parameter (empty: the default, ticker)")
	flag.StringVar(&c.symbols, "symbols", "", "symbols query parameter (empty: every symbol)")
	flag.DurationVar(&c.duration, "duration", 60*time.Second, "measurement window per run (at most 10m)")
	flag.DurationVar(&c.warmup, "warmup", 5*time.Second, "wait between the last connect and the window")
	flag.IntVar(&c.concurrency, "ramp-concurrency", 200, "connects in flight during the ramp")
	flag.IntVar(&c.runs, "runs", 3, "runs, each on a fresh server (at most 5); the median is reported")
	flag.StringVar(&c.serverArgs, "server-args", "", "extra arguments of tickcast serve, space separated")
	flag.DurationVar(&c.quietWait, "quiet-wait", 10*time.Minute, "before each run, wait up to this long for the machine to be idle")
	flag.Parse()
	if c.bin == "" || c.viewers < 1 || c.viewers > 15000 || c.duration <= 0 || c.duration > 10*time.Minute || c.runs < 1 || c.runs > 5 {
		fmt.Fprintln(os.Stderr, "loadtest: need -tickcast; -viewers 1..15000, -duration ≤ 10m, -runs 1..5")
		os.Exit(2)
	}
	var results []result
	for i := 1; i <= c.runs; i++ {
		busy, quiet := waitQuiet(0.25, c.quietWait)
		if !quiet {
			fmt.Fprintf(os.Stderr, "loadtest: run %d starts on a busy machine (%.2f cores)\n", i, busy)
		}
		r, err := run(c)
		r.idleBefore = busy
		if err != nil {
			fmt.Fprintf(os.Stderr, "loadtest: run %d: %v\n", i, err)
			os.Exit(1)
		}
		fmt.Printf("run %d: %s\n", i, r)
		results = append(results, r)
	}
	fmt.Printf("median of %d: %s\n", len(results), median(results))
}

func (r result) String() string {
	mib := func(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }
	return fmt.Sprintf("viewers %d; connect p50 %v p99 %v, ramp %v; latency p50 %v p99 %v p99.9 %v max %v; "+
		"%d events, %.0f events/s; server RSS idle %s, with viewers %s (peak %s, process_resident_memory_bytes %s), "+
		"%.1f KiB per viewer, %.0f goroutines; server CPU %.2f cores, load generator CPU %.2f cores, others %.2f cores (%.2f before the run); streams ended early %d, bad events %d; "+
		"SIGTERM to exit %v, %d streams ended cleanly",
		r.viewers, round(r.connectP50), round(r.connectP99), round(r.ramp), round(r.latP50), round(r.latP99), round(r.latP999), round(r.max),
		r.events, r.eventsPerSec, mib(r.rssIdle), mib(r.rss), mib(r.hwm), mib(r.promRSS),
		float64(r.rss-r.rssIdle)/1024/float64(max(r.viewers, 1)), r.goroutines, r.serverCPU, r.clientCPU, r.otherCPU, r.idleBefore, r.ended, r.bad,
		round(r.shutdown), r.cleanEnds)
}

func round(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// sources are the loopback source addresses the viewers spread over.
var sources = func() []net.IP {
	var out []net.IP
	for i := 2; i <= 9; i++ {
		out = append(out, net.IPv4(127, 0, 0, byte(i)))
	}
	return out
}()

func run(c config) (result, error) {
	srv, err := startServer(c.bin, strings.Fields(c.serverArgs))
	if err != nil {
		return result{}, err
	}
	defer srv.stop()
	q := url.Values{}
	if c.channels != "" {
		q.Set("channels", c.channels)
	}
	if c.symbols != "" {
		q.Set("symbols", c.symbols)
	}
	target := "/sse"
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	runtime.GC()
	time.Sleep(time.Second)
	r := result{rssIdle: srv.status("VmRSS")}

	var l load
	viewers := make([]*viewer, c.viewers)
	var wg sync.WaitGroup
	sem := make(chan struct{}, c.concurrency)
	errs := make(chan error, c.viewers)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	t0 := time.Now()
	for i := range viewers {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := dial(ctx, srv.addr, sources[i%len(sources)], target, &l)
			<-sem
			if err != nil {
				errs <- err
				return
			}
			viewers[i] = v
		}()
	}
	wg.Wait()
	r.ramp = time.Since(t0)
	close(errs)
	if err := <-errs; err != nil {
		return r, fmt.Errorf("%d viewers failed to connect, first: %w", len(errs)+1, err)
	}
	var readers sync.WaitGroup
	for _, v := range viewers {
		readers.Add(1)
		go func() { defer readers.Done(); v.run(&l) }()
	}
	r.viewers = len(viewers)
	r.connectP50, r.connectP99 = l.connect.quantile(0.5), l.connect.quantile(0.99)

	time.Sleep(c.warmup)
	cpu0, self0, w0 := srv.cpu(), selfCPU(), time.Now()
	mach0, _ := machineCPU()
	l.measuring.Store(true)
	time.Sleep(c.duration)
	l.measuring.Store(false)
	window := time.Since(w0)
	r.serverCPU = float64(srv.cpu()-cpu0) / float64(window)
	r.clientCPU = float64(selfCPU()-self0) / float64(window)
	mach1, _ := machineCPU()
	r.otherCPU = max(0, float64(mach1-mach0)/float64(window)-r.serverCPU-r.clientCPU)
	r.rss, r.hwm = srv.status("VmRSS"), srv.status("VmHWM")
	m := srv.metrics("process_resident_memory_bytes", "tickcast_sse_viewers", "go_goroutines")
	r.promRSS, r.goroutines = int64(m["process_resident_memory_bytes"]), m["go_goroutines"]
	if int(m["tickcast_sse_viewers"]) != c.viewers {
		fmt.Fprintf(os.Stderr, "loadtest: the server counts %.0f viewers, want %d\n", m["tickcast_sse_viewers"], c.viewers)
	}
	r.latP50, r.latP99, r.latP999, r.max = l.latency.quantile(0.5), l.latency.quantile(0.99), l.latency.quantile(0.999), l.latency.maximum()
	r.events = l.events.Load()
	r.eventsPerSec = float64(r.events) / window.Seconds()
	r.ended, r.bad = l.ended.Load(), int64(l.badEvents.Load())

	// Shutdown with every viewer connected: how long until the process is
	// gone, and how many streams it ended cleanly.
	l.stopping.Store(true)
	r.shutdown = srv.stop()
	done := make(chan struct{})
	go func() { readers.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		for _, v := range viewers {
			v.conn.Close()
		}
		<-done
		return r, errors.New("viewers still open 30 s after the server stopped")
	}
	r.cleanEnds = l.cleanEnd.Load()
	for _, v := range viewers {
		v.conn.Close()
	}
	return r, nil
}

// median takes each figure's median over the runs (figure by figure).
func median(rs []result) result {
	pick := func(f func(result) float64) float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	d := func(f func(result) time.Duration) time.Duration {
		return time.Duration(pick(func(r result) float64 { return float64(f(r)) }))
	}
	i64 := func(f func(result) int64) int64 {
		return int64(pick(func(r result) float64 { return float64(f(r)) }))
	}
	return result{
		viewers:    rs[0].viewers,
		connectP50: d(func(r result) time.Duration { return r.connectP50 }), connectP99: d(func(r result) time.Duration { return r.connectP99 }),
		ramp:   d(func(r result) time.Duration { return r.ramp }),
		latP50: d(func(r result) time.Duration { return r.latP50 }), latP99: d(func(r result) time.Duration { return r.latP99 }),
		latP999: d(func(r result) time.Duration { return r.latP999 }), max: d(func(r result) time.Duration { return r.max }),
		events:       uint64(pick(func(r result) float64 { return float64(r.events) })),
		eventsPerSec: pick(func(r result) float64 { return r.eventsPerSec }),
		rssIdle:      i64(func(r result) int64 { return r.rssIdle }), rss: i64(func(r result) int64 { return r.rss }),
		hwm: i64(func(r result) int64 { return r.hwm }), promRSS: i64(func(r result) int64 { return r.promRSS }),
		serverCPU:  pick(func(r result) float64 { return r.serverCPU }),
		clientCPU:  pick(func(r result) float64 { return r.clientCPU }),
		otherCPU:   pick(func(r result) float64 { return r.otherCPU }),
		idleBefore: pick(func(r result) float64 { return r.idleBefore }),
		goroutines: pick(func(r result) float64 { return r.goroutines }),
		ended:      i64(func(r result) int64 { return r.ended }), bad: i64(func(r result) int64 { return r.bad }),
		shutdown:  d(func(r result) time.Duration { return r.shutdown }),
		cleanEnds: i64(func(r result) int64 { return r.cleanEnds }),
	}
}
