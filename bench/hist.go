package bench

import (
	"fmt"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Geometry of every latency histogram: nanoseconds from 1 µs (values
// below are kept at 512 ns resolution) to 100 s, three significant
// digits. Values outside are clamped, so a stall shows as 100 s rather
// than disappearing.
const (
	histLowest  = 1_000
	histHighest = int64(100 * time.Second)
	histDigits  = 3
)

// newHist returns an empty dense latency histogram (about 150 KB: one per
// worker and kind, never one per client).
func newHist() *hdr.Histogram { return hdr.New(histLowest, histHighest, histDigits) }

// newPacked returns an empty sparse latency histogram: a client's own,
// whose size grows with the number of distinct latencies it saw.
func newPacked() *hdr.PackedHistogram { return hdr.NewPacked(histLowest, histHighest, histDigits) }

// clampNS brings a latency into the histograms' range.
func clampNS(v int64) int64 {
	if v < 0 {
		return 0 // clock steps; the server stamps with the same clock
	}
	return min(v, histHighest)
}

// Latency is a latency distribution summarized in nanoseconds.
type Latency struct {
	P50  int64 `json:"p50"`  // median
	P90  int64 `json:"p90"`  // 90th percentile
	P99  int64 `json:"p99"`  // 99th percentile
	P999 int64 `json:"p999"` // 99.9th percentile
	Max  int64 `json:"max"`  // largest value recorded
}

// latencyOf summarizes h; an empty or nil histogram gives zeros.
func latencyOf(h *hdr.Histogram) Latency {
	if h == nil || h.TotalCount() == 0 {
		return Latency{}
	}
	v := h.ValueAtPercentilesSlice([]float64{50, 90, 99, 99.9})
	return Latency{P50: v[0], P90: v[1], P99: v[2], P999: v[3], Max: h.Max()}
}

// mergeInto adds src to dst and reports values dst could not hold (none:
// both have the same geometry).
func mergeInto(dst, src *hdr.Histogram) int64 {
	if src == nil || src.TotalCount() == 0 {
		return 0
	}
	return dst.Merge(src)
}

// encodeHist returns h as a base64 HdrHistogram V2 compressed snapshot,
// the form in which workers send histograms to the coordinator.
func encodeHist(h *hdr.Histogram) (string, error) {
	if h == nil {
		return "", nil
	}
	b, err := h.Encode(hdr.V2CompressedEncodingCookieBase)
	if err != nil {
		return "", fmt.Errorf("bench: encode histogram: %w", err)
	}
	return string(b), nil
}

// decodeHist reverses encodeHist; an empty string is an empty histogram.
// The snapshot is rebuilt with this package's geometry, so histograms of
// several workers merge without loss.
func decodeHist(s string) (*hdr.Histogram, error) {
	h := newHist()
	if s == "" {
		return h, nil
	}
	d, err := hdr.Decode([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("bench: decode histogram: %w", err)
	}
	if dropped := h.Merge(d); dropped != 0 {
		return nil, fmt.Errorf("bench: decode histogram: %d values out of range", dropped)
	}
	return h, nil
}

// fmtNS formats a latency for tables: 812µs, 3.21ms, 1.20s.
func fmtNS(ns int64) string {
	d := time.Duration(ns)
	switch {
	case ns == 0:
		return "0"
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", ns/1000)
	case d < time.Second:
		return fmt.Sprintf("%.2fms", float64(ns)/1e6)
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}
