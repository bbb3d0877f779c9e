package main

import (
	"math"
	"sync/atomic"
	"time"
)

// hist is a concurrent latency histogram with about 1% relative precision
// from 1 µs to 100 s; values outside are clamped.
type hist struct {
	counts [histBuckets]atomic.Uint64
	n      atomic.Uint64
	max    atomic.Int64
}

const (
	histGrowth  = 1.01
	histBuckets = 1900 // 1.01^1900 µs ≈ 160 s
)

var logGrowth = math.Log(histGrowth)

func bucketOf(d time.Duration) int {
	us := float64(d) / 1e3
	if us <= 1 {
		return 0
	}
	return min(histBuckets-1, int(math.Log(us)/logGrowth)+1)
}

// upper is the largest duration of bucket i.
func upper(i int) time.Duration {
	return time.Duration(math.Pow(histGrowth, float64(i)) * 1e3)
}

func (h *hist) add(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.counts[bucketOf(d)].Add(1)
	h.n.Add(1)
	for {
		m := h.max.Load()
		if int64(d) <= m || h.max.CompareAndSwap(m, int64(d)) {
			return
		}
	}
}

// quantile returns the q-quantile (0 < q ≤ 1), within the bucket width.
func (h *hist) quantile(q float64) time.Duration {
	n := h.n.Load()
	if n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(n)))
	var seen uint64
	for i := range h.counts {
		if seen += h.counts[i].Load(); seen >= rank {
			return min(upper(i), time.Duration(h.max.Load()))
		}
	}
	return time.Duration(h.max.Load())
}

func (h *hist) maximum() time.Duration { return time.Duration(h.max.Load()) }
