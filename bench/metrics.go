package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// serverSample is one scrape of the server's /metrics.
type serverSample struct {
	At          time.Time
	CPUSeconds  float64 // process_cpu_seconds_total
	RSS         float64 // process_resident_memory_bytes
	Goroutines  float64 // go_goroutines
	WSConns     float64 // tickcast_ws_connections
	SSEViewers  float64 // tickcast_sse_viewers
	Sent        float64 // tickcast_messages_sent_total, every format
	Conflations float64 // tickcast_conflations_total
	SlowCutoffs float64 // tickcast_slow_consumer_disconnects_total
	HeapAlloc   float64 // go_memstats_heap_alloc_bytes
	HeapInuse   float64 // go_memstats_heap_inuse_bytes
	HeapIdle    float64 // go_memstats_heap_idle_bytes
	HeapRelease float64 // go_memstats_heap_released_bytes
	// RTT is tickcast_order_roundtrip_seconds's cumulative buckets, by
	// upper bound in seconds (+Inf included), nil when the server has none.
	RTT map[float64]float64
}

// scrape fetches and parses url (the server's /metrics).
func scrape(ctx context.Context, hc *http.Client, url string) (serverSample, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return serverSample{}, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return serverSample{}, fmt.Errorf("bench: scrape %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return serverSample{}, fmt.Errorf("bench: scrape %s: HTTP %d", url, resp.StatusCode)
	}
	m, err := parseMetrics(resp.Body)
	if err != nil {
		return serverSample{}, fmt.Errorf("bench: scrape %s: %w", url, err)
	}
	return serverSample{
		At:          time.Now(),
		CPUSeconds:  m["process_cpu_seconds_total"],
		RSS:         m["process_resident_memory_bytes"],
		Goroutines:  m["go_goroutines"],
		WSConns:     m["tickcast_ws_connections"],
		SSEViewers:  m["tickcast_sse_viewers"],
		Sent:        m["tickcast_messages_sent_total"],
		Conflations: m["tickcast_conflations_total"],
		SlowCutoffs: m["tickcast_slow_consumer_disconnects_total"],
		HeapAlloc:   m["go_memstats_heap_alloc_bytes"],
		HeapInuse:   m["go_memstats_heap_inuse_bytes"],
		HeapIdle:    m["go_memstats_heap_idle_bytes"],
		HeapRelease: m["go_memstats_heap_released_bytes"],
		RTT:         bucketsOf(m, rttMetric),
	}, nil
}

// rttMetric is the server's histogram of an order's round trip inside it:
// from reading the order operation to queuing its first reply.
const rttMetric = "tickcast_order_roundtrip_seconds"

// bucketsOf returns histogram name's cumulative buckets from m (as
// parseMetrics keeps them), by upper bound, or nil.
func bucketsOf(m map[string]float64, name string) map[float64]float64 {
	prefix := name + `_bucket{le="`
	var out map[float64]float64
	for k, v := range m {
		le, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		bound, err := strconv.ParseFloat(strings.TrimSuffix(le, `"}`), 64)
		if err != nil {
			continue
		}
		if out == nil {
			out = map[float64]float64{}
		}
		out[bound] = v
	}
	return out
}

// parseMetrics reads the Prometheus text format and returns each metric's
// value summed over its label sets (tickcast_messages_sent_total over its
// formats), and each histogram bucket's under its series, name{le="…"}
// (bucketsOf). Comments and malformed lines are skipped.
func parseMetrics(r io.Reader) (map[string]float64, error) {
	out := map[string]float64{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		name, rest, bucket := line, "", ""
		if i := strings.IndexAny(line, "{ "); i >= 0 {
			name, rest = line[:i], line[i:]
		}
		if strings.HasPrefix(rest, "{") {
			j := strings.LastIndexByte(rest, '}')
			if j < 0 {
				continue
			}
			if strings.HasSuffix(name, "_bucket") && strings.HasPrefix(rest, `{le="`) {
				bucket = name + rest[:j+1]
			}
			rest = rest[j+1:]
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			continue
		}
		v, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			continue
		}
		out[name] += v
		if bucket != "" {
			out[bucket] += v
		}
	}
	return out, sc.Err()
}

// serverReport is the server's side of a run: base was scraped before
// the run's first connection, m0 and m1 at both ends of the window.
func serverReport(base, m0, m1 serverSample) ServerReport {
	r := ServerReport{RSSBytes: int64(m1.RSS), BaselineRSSBytes: int64(base.RSS), Goroutines: int64(m1.Goroutines),
		Conns: int64(m1.WSConns + m1.SSEViewers), Conflations: int64(m1.Conflations - m0.Conflations),
		SlowCutoffs: int64(m1.SlowCutoffs - m0.SlowCutoffs)}
	if wall := m1.At.Sub(m0.At).Seconds(); wall > 0 {
		r.CPUPct = (m1.CPUSeconds - m0.CPUSeconds) / wall * 100
		r.MsgsPerSec = (m1.Sent - m0.Sent) / wall
	}
	if sent := m1.Sent - m0.Sent; sent > 0 {
		r.CPUPerMsgNS = (m1.CPUSeconds - m0.CPUSeconds) / sent * 1e9
	}
	if r.Conns > 0 {
		r.RSSPerConnBytes = (m1.RSS - base.RSS) / float64(r.Conns)
	}
	r.OrderRTT = rttOf(m0.RTT, m1.RTT)
	return r
}

// rttOf returns the round trips of the window from the histogram's
// buckets at both ends: how many, and the upper bound of the bucket each
// quantile falls in.
func rttOf(b0, b1 map[float64]float64) ServerRTT {
	bounds := make([]float64, 0, len(b1))
	for le := range b1 {
		bounds = append(bounds, le)
	}
	slices.Sort(bounds)
	var r ServerRTT
	if len(bounds) == 0 {
		return r
	}
	total := b1[bounds[len(bounds)-1]] - b0[bounds[len(bounds)-1]] // +Inf
	r.Count = int64(total)
	if total <= 0 {
		return r
	}
	at := func(q float64) int64 {
		for _, le := range bounds {
			if b1[le]-b0[le] >= q*total {
				if math.IsInf(le, 1) {
					return -1
				}
				return int64(math.Round(le * 1e9))
			}
		}
		return -1
	}
	r.P50LeNS, r.P90LeNS, r.P99LeNS = at(0.5), at(0.9), at(0.99)
	return r
}
