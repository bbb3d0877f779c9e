package bench

import (
	"context"
	"slices"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// StalledReport measures the stalled clients (Config.Stalled): WebSocket
// subscribers that never read once subscribed. The bench cannot see when
// the server gives up on one without reading it, so it learns how each
// ended by reading it at the end of the run (Ends), and when from the
// server's own connection count, sampled over the run (Gone…).
type StalledReport struct {
	// Clients is the number connected and subscribed; ConnectFailed the
	// first connections that failed.
	Clients       int64 `json:"clients"`
	ConnectFailed int64 `json:"connect_failed"`
	// ConnectNS summarizes the connections, from the dial to the
	// subscription answered.
	ConnectNS Latency `json:"connect_ns"`
	// Ends counts how each connected client was found to have ended when
	// it was read at the end of the run: by the code of the close frame
	// found after its data ("4008": slow consumer), "eof" (the TCP
	// connection ended without a close frame), "reset" (reset, or another
	// read error, without one), or "open" (not cut: the server still sent
	// it live data, or sent nothing for 3 s).
	Ends map[string]int64 `json:"ends"`
	// Cut counts the clients not found open.
	Cut int64 `json:"cut"`
	// AfterData counts the cut clients that read at least one data
	// message before their end: the server's writer had stopped with
	// room left for the close frame behind what it had sent.
	AfterData int64 `json:"after_data"`
	// DrainedMsgs and DrainedBytes are the data messages (and their
	// payload bytes) read at the end, over every stalled client.
	DrainedMsgs  int64 `json:"drained_msgs"`
	DrainedBytes int64 `json:"drained_bytes"`
	// DrainNS is how long reading them took (the slowest worker).
	DrainNS int64 `json:"drain_ns"`
	// Gone is how many connections the server stopped counting during
	// the run (tickcast_ws_connections below its highest value, up to the
	// end of the window), at most Clients. The k-th connection gone is
	// matched with the k-th stalled client subscribed (they all stop
	// reading at once, so the server gives up on them in that order), and
	// GoneMinNS, GoneP50NS, GoneMaxNS summarize the times from each one's
	// subscription to the first sample that no longer counted it: an
	// estimate, late by up to a sampling interval (1 s) and, for a 4008,
	// by the close handshake's wait (1 s in tickcast).
	Gone      int64 `json:"gone"`
	GoneMinNS int64 `json:"gone_min_ns"`
	GoneP50NS int64 `json:"gone_p50_ns"`
	GoneMaxNS int64 `json:"gone_max_ns"`
}

// stalledResult is a worker's stalled clients.
type stalledResult struct {
	Clients     int64            `json:"clients"`
	Failed      int64            `json:"failed"`
	Connect     string           `json:"connect"`
	Ends        map[string]int64 `json:"ends"`
	AfterData   int64            `json:"after_data"`
	Msgs        int64            `json:"msgs"`
	Bytes       int64            `json:"bytes"`
	DrainNS     int64            `json:"drain_ns"`
	ConnectedAt []int64          `json:"connected_at"` // ns since the epoch, each subscription answered
}

// addStalled connects stalled client i.
func (w *worker) addStalled(ctx context.Context, i int) {
	cctx, cancel := context.WithTimeout(ctx, connTimeout)
	defer cancel()
	t0 := time.Now()
	sc, err := dialStalled(cctx, &w.stalledOpts, w.sourceIP(i))
	if err != nil {
		w.failed(ctx, &w.stalledCn, &w.stalledDisc, err)
		return
	}
	w.connectStalled.record(time.Since(t0))
	w.stalledCn.up.Add(1)
	w.mu.Lock()
	w.stalled = append(w.stalled, sc)
	w.mu.Unlock()
}

// drainParallel is how many stalled clients a worker reads at once at the
// end.
const drainParallel = 64

// finishStalled reads every stalled client (drain: false closes them
// unread, for a run that was called off) and returns their result; nil
// when the worker has none.
func (w *worker) finishStalled(drain bool) (*stalledResult, error) {
	if w.spec.Stalled == 0 {
		return nil, nil
	}
	w.mu.Lock()
	st := w.stalled
	w.mu.Unlock()
	res := &stalledResult{Clients: int64(len(st)), Failed: w.stalledCn.failed.Load(), Ends: map[string]int64{}}
	ends := make([]stalledEnd, len(st))
	t0 := time.Now()
	since := t0.UnixNano()
	parallel(len(st), drainParallel, func(i int) {
		if drain {
			ends[i] = st[i].drain(since)
		} else {
			st[i].close()
		}
	})
	w.stalledCn.up.Store(0)
	if !drain {
		return res, nil
	}
	res.DrainNS = int64(time.Since(t0))
	for i, e := range ends {
		res.Ends[e.how]++
		res.Msgs += e.msgs
		res.Bytes += e.bytes
		if e.how != endOpen && e.msgs > 0 {
			res.AfterData++
		}
		res.ConnectedAt = append(res.ConnectedAt, st[i].at)
	}
	var err error
	res.Connect, err = w.connectStalled.encode()
	return res, err
}

// stalledMerge accumulates the workers' stalled clients.
type stalledMerge struct {
	rep     *StalledReport
	connect *hdr.Histogram
	at      []int64
}

// add merges one worker's result (nil: it had none).
func (m *stalledMerge) add(src *stalledResult) error {
	if src == nil {
		return nil
	}
	if m.rep == nil {
		m.rep, m.connect = &StalledReport{Ends: map[string]int64{}}, newHist()
	}
	h, err := decodeHist(src.Connect)
	if err != nil {
		return err
	}
	mergeInto(m.connect, h)
	r := m.rep
	r.Clients += src.Clients
	r.ConnectFailed += src.Failed
	for how, n := range src.Ends {
		r.Ends[how] += n
	}
	r.AfterData += src.AfterData
	r.DrainedMsgs += src.Msgs
	r.DrainedBytes += src.Bytes
	r.DrainNS = max(r.DrainNS, src.DrainNS)
	m.at = append(m.at, src.ConnectedAt...)
	return nil
}

// report returns the merged report, with the times the server stopped
// counting them taken from the samples; nil without stalled clients.
func (m *stalledMerge) report(samples []Sample) *StalledReport {
	if m.rep == nil {
		return nil
	}
	r := m.rep
	r.ConnectNS = latencyOf(m.connect)
	r.Cut = r.Clients - r.Ends[endOpen]
	slices.Sort(m.at)
	after := goneAfter(samples, m.at)
	if n := len(after); n > 0 {
		r.Gone = int64(n)
		slices.Sort(after)
		r.GoneMinNS, r.GoneP50NS, r.GoneMaxNS = after[0], after[(n-1)/2], after[n-1]
	}
	return r
}

// goneAfter matches the connections the server stopped counting, in the
// samples up to the end of the window, with the stalled clients'
// subscription times (sorted), in order, and returns each one's time from
// its subscription to the first sample without it.
func goneAfter(samples []Sample, at []int64) []int64 {
	var peak int64
	var after []int64
	for _, s := range samples {
		if s.Phase != phaseRamp && s.Phase != phaseWarmup && s.Phase != phaseMeasure {
			continue
		}
		peak = max(peak, s.WSConns)
		for k := int64(len(after)); k < peak-s.WSConns && k < int64(len(at)); k++ {
			after = append(after, max(0, s.at.UnixNano()-at[k]))
		}
	}
	return after
}
