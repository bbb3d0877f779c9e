package bench

import (
	"sync"
	"sync/atomic"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/tickcast/tickcast/feed/wire"
)

// window is a worker's measurement switch, read on every message.
type window struct {
	on atomic.Bool
}

// recorder is one client's measurements. Its owner (the client's
// goroutine) is the only writer; the collector reads it after the owner
// has stopped, except for received and gaps, which progress reads live.
type recorder struct {
	seq       seqTracker
	hist      *hdr.PackedHistogram // latency in the window
	delivered int64                // public messages in the window
	conflated uint64               // messages replaced, seen as seq skips, in the window
	received  atomic.Int64         // every message, for progress
	gaps      atomic.Int64         // whole life
	live      *liveHist
	shard     int
	sampled   uint32
	win       *window
	fan       *fanoutTracker // active mode, trades subscribers only
}

func newRecorder(win *window, live *liveHist, shard int) *recorder {
	return &recorder{hist: newPacked(), win: win, live: live, shard: shard}
}

// liveSample is one in how many recorded latencies also goes to the live
// histogram behind the progress line's p99.
const liveSample = 4

// observe records one message received at now (ns since the epoch).
func (r *recorder) observe(h *wire.Header, now int64) {
	r.received.Add(1)
	switch {
	case h.Kind == wire.KindReset:
		r.seq.forget(h.Ch, h.S)
		return
	case !h.Kind.Public():
		return
	}
	c := r.seq.observe(h.Kind, h.Ch, h.S, h.Seq)
	if c.gap {
		r.gaps.Add(1)
	}
	if c.duplicate {
		return
	}
	if r.fan != nil && h.Kind == wire.KindTrade {
		r.fan.trade(h, now) // also after the window: orders sent in it may still trade
	}
	if h.Kind == wire.KindBookSnapshot {
		return // its ts is the book's last change, not when it was sent
	}
	lat := clampNS(now - h.Ts)
	if r.sampled++; r.sampled%liveSample == 0 {
		r.live.record(r.shard, lat) // progress shows latency in every phase
	}
	if !r.win.on.Load() {
		return
	}
	r.conflated += c.conflated
	r.delivered++
	_ = r.hist.RecordValue(lat)
}

// liveHist collects a sample of the latencies of the last progress
// interval, in a few mutex-guarded shards so that clients on different
// cores rarely meet.
type liveHist struct {
	shards [liveShards]liveShard
}

const liveShards = 8

type liveShard struct {
	mu sync.Mutex
	h  *hdr.Histogram
	_  [40]byte // keep shards on separate cache lines
}

func newLiveHist() *liveHist {
	l := &liveHist{}
	for i := range l.shards {
		l.shards[i].h = newHist()
	}
	return l
}

func (l *liveHist) record(shard int, v int64) {
	s := &l.shards[shard%liveShards]
	s.mu.Lock()
	_ = s.h.RecordValue(v)
	s.mu.Unlock()
}

// take returns the interval's samples merged and starts a new interval.
func (l *liveHist) take() *hdr.Histogram {
	out := newHist()
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		out.Merge(s.h)
		s.h.Reset()
		s.mu.Unlock()
	}
	return out
}

// nowNS is the receive timestamp, comparable with the server's ts.
func nowNS() int64 { return time.Now().UnixNano() }
