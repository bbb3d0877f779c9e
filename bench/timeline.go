package bench

import (
	"bufio"
	"context"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Sample is one point of a run's timeline: the server's /metrics and the
// kernel's TCP figures, read once per progress interval from the run's
// start to its end.
type Sample struct {
	// AtNS is the time since the run started.
	AtNS int64 `json:"at_ns"`
	// Phase is the run's phase then: before, ramp, warmup, measure, arm,
	// shutdown, stop.
	Phase string `json:"phase"`
	// RSSBytes is the server's process_resident_memory_bytes.
	RSSBytes int64 `json:"rss_bytes"`
	// Goroutines is the server's go_goroutines.
	Goroutines int64 `json:"goroutines"`
	// WSConns and SSEViewers are the connections the server counts.
	WSConns    int64 `json:"ws_conns"`
	SSEViewers int64 `json:"sse_viewers"`
	// SlowCutoffs is tickcast_slow_consumer_disconnects_total since the
	// server started.
	SlowCutoffs int64 `json:"slow_cutoffs"`
	// The Go heap of the server (its go_memstats_heap_*_bytes): HeapAlloc
	// the objects allocated and not yet freed (live, and garbage not swept
	// yet), HeapInuse the spans holding them, HeapIdle the spans holding
	// none, of which HeapReleased were returned to the system (the rest is
	// still resident).
	HeapAllocBytes    int64 `json:"heap_alloc_bytes"`
	HeapInuseBytes    int64 `json:"heap_inuse_bytes"`
	HeapIdleBytes     int64 `json:"heap_idle_bytes"`
	HeapReleasedBytes int64 `json:"heap_released_bytes"`
	// CPUSeconds is the server's process_cpu_seconds_total;
	// MachineCPUSeconds the whole machine's busy time so far (/proc/stat,
	// every core; 0 where it cannot be read).
	CPUSeconds        float64 `json:"cpu_seconds"`
	MachineCPUSeconds float64 `json:"machine_cpu_seconds,omitempty"`
	// LiveP99NS is the p99 of the latencies the reading clients sampled
	// (one in four) over the progress interval before the sample.
	LiveP99NS int64 `json:"live_p99_ns"`
	// TCP is the kernel's TCP figures, when /proc/net/sockstat can be
	// read.
	TCP *TCPSample `json:"tcp,omitempty"`

	at time.Time
}

// TCPSample is /proc/net/sockstat's TCP line: the whole network namespace
// (both ends of every loopback connection, and whatever else runs on the
// machine), not the server's alone.
type TCPSample struct {
	// MemBytes is "mem": pages the kernel holds for TCP socket buffers,
	// in bytes.
	MemBytes int64 `json:"mem_bytes"`
	// InUse is "inuse": sockets open; Alloc "alloc": sockets allocated
	// (orphans included).
	InUse int64 `json:"inuse"`
	Alloc int64 `json:"alloc"`
	// Orphans is "orphan": sockets closed by their process whose data the
	// kernel still tries to send.
	Orphans int64 `json:"orphans"`
}

// readSockstat reads the TCP line of /proc/net/sockstat; nil where there
// is none.
func readSockstat() *TCPSample {
	f, err := os.Open("/proc/net/sockstat")
	if err != nil {
		return nil
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if t := parseSockstatTCP(sc.Text()); t != nil {
			return t
		}
	}
	return nil
}

// parseSockstatTCP parses "TCP: inuse 12 orphan 0 tw 40 alloc 15 mem 3";
// nil for another line.
func parseSockstatTCP(line string) *TCPSample {
	f := strings.Fields(line)
	if len(f) == 0 || f[0] != "TCP:" {
		return nil
	}
	t := &TCPSample{}
	for i := 1; i+1 < len(f); i += 2 {
		n, err := strconv.ParseInt(f[i+1], 10, 64)
		if err != nil {
			continue
		}
		switch f[i] {
		case "inuse":
			t.InUse = n
		case "orphan":
			t.Orphans = n
		case "alloc":
			t.Alloc = n
		case "mem":
			t.MemBytes = n * int64(os.Getpagesize())
		}
	}
	return t
}

// timeline collects a run's samples: the coordinator adds those it
// scrapes itself and asks for one at each progress line, which a
// goroutine of its own scrapes, so that a slow /metrics never holds up
// the coordinator.
type timeline struct {
	hc    *http.Client
	url   string
	start time.Time
	reqs  chan sampleReq
	done  chan struct{}

	mu      sync.Mutex
	samples []Sample
	stopped bool
}

// sampleReq asks for a sample, with what only the coordinator knows.
type sampleReq struct {
	phase string
	p99   int64
}

// startTimeline starts the sampling goroutine; stop ends it.
func startTimeline(ctx context.Context, hc *http.Client, url string, start time.Time) *timeline {
	t := &timeline{hc: hc, url: url, start: start, reqs: make(chan sampleReq, 1), done: make(chan struct{})}
	go func() {
		defer close(t.done)
		for r := range t.reqs {
			if s, err := scrape(ctx, t.hc, t.url); err == nil {
				t.add(s, readSockstat(), r.phase, r.p99)
			}
		}
	}()
	return t
}

// request asks for a sample; it is dropped while the last one is still
// being taken, or once the timeline has stopped.
func (t *timeline) request(phase string, p99 int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return
	}
	select {
	case t.reqs <- sampleReq{phase, p99}:
	default:
	}
}

// add records a sample of the server and of the kernel (tcp may be nil).
func (t *timeline) add(s serverSample, tcp *TCPSample, phase string, p99 int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.samples = append(t.samples, Sample{AtNS: int64(s.At.Sub(t.start)), Phase: phase, RSSBytes: int64(s.RSS),
		Goroutines: int64(s.Goroutines), WSConns: int64(s.WSConns), SSEViewers: int64(s.SSEViewers),
		SlowCutoffs: int64(s.SlowCutoffs), HeapAllocBytes: int64(s.HeapAlloc), HeapInuseBytes: int64(s.HeapInuse),
		HeapIdleBytes: int64(s.HeapIdle), HeapReleasedBytes: int64(s.HeapRelease), CPUSeconds: s.CPUSeconds,
		MachineCPUSeconds: machineBusy().Seconds(), LiveP99NS: p99, TCP: tcp, at: s.At})
}

// stop ends the sampling (once: it may be called again) and returns the
// samples in time order.
func (t *timeline) stop() []Sample {
	t.mu.Lock()
	if !t.stopped {
		t.stopped = true
		close(t.reqs)
	}
	t.mu.Unlock()
	<-t.done
	t.mu.Lock()
	defer t.mu.Unlock()
	slices.SortStableFunc(t.samples, func(a, b Sample) int { return a.at.Compare(b.at) })
	return t.samples
}

// KernelTCPReport is the kernel's TCP memory during a run, from
// /proc/net/sockstat: system-wide (the network namespace), so it holds
// both ends of every loopback connection of the run and the sockets of
// anything else on the machine.
type KernelTCPReport struct {
	// BeforeBytes is the TCP memory before the run's first connection,
	// PeakBytes the largest sample, EndBytes at the end of the window.
	BeforeBytes int64 `json:"before_bytes"`
	PeakBytes   int64 `json:"peak_bytes"`
	EndBytes    int64 `json:"end_bytes"`
	// PeakOrphans and EndOrphans count orphaned sockets (closed, data
	// still unsent): largest sample and at the end of the window.
	PeakOrphans int64 `json:"peak_orphans"`
	EndOrphans  int64 `json:"end_orphans"`
}

// kernelTCPOf summarizes the samples: before and end are the samples
// taken before the run and at the end of the window (nil: unreadable).
func kernelTCPOf(samples []Sample, before, end *TCPSample) *KernelTCPReport {
	if before == nil || end == nil {
		return nil
	}
	k := &KernelTCPReport{BeforeBytes: before.MemBytes, EndBytes: end.MemBytes, EndOrphans: end.Orphans,
		PeakBytes: max(before.MemBytes, end.MemBytes), PeakOrphans: max(before.Orphans, end.Orphans)}
	for _, s := range samples {
		if s.TCP != nil {
			k.PeakBytes = max(k.PeakBytes, s.TCP.MemBytes)
			k.PeakOrphans = max(k.PeakOrphans, s.TCP.Orphans)
		}
	}
	return k
}

// peakRSS is the largest server RSS of the samples.
func peakRSS(samples []Sample) int64 {
	var p int64
	for _, s := range samples {
		p = max(p, s.RSSBytes)
	}
	return p
}
