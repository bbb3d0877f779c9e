package bench

import (
	"fmt"
	"io"
	"math"
	"strings"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Latency goals the charts mark (the fan-out goals of BENCHMARKS.md).
const (
	goalWSP99  = 5e6  // ns
	goalSSEP99 = 20e6 // ns
	goalWSRate = 500_000
)

// PlotRun writes an SVG chart of a run's latency percentiles: the classic
// HdrHistogram percentile spectrum, latency (log) against percentile on a
// 1/(1−p) axis, one line per measured kind.
func PlotRun(w io.Writer, r *Report) error {
	type named struct {
		name string
		h    *hdr.Histogram
	}
	all := []named{{"ws", r.hists.WS}, {"sse", r.hists.SSE},
		{"order → ack", r.hists.Ack}, {"order → own fill", r.hists.Fill}, {"order → public trade", r.hists.Trade}}
	var hs []named
	var maxCount int64
	lo, hi := math.Inf(1), 0.0
	for _, n := range all {
		if n.h == nil || n.h.TotalCount() == 0 {
			continue
		}
		hs = append(hs, n)
		maxCount = max(maxCount, n.h.TotalCount())
		lo = math.Min(lo, float64(n.h.ValueAtPercentile(0)))
		hi = math.Max(hi, float64(n.h.Max()))
	}
	if len(hs) == 0 {
		return fmt.Errorf("bench: nothing to plot: no latency was recorded")
	}
	// The x axis ends where the data does: past 1/count there is only the max.
	xmax := math.Min(6, math.Max(2, math.Ceil(math.Log10(float64(maxCount)))))
	p := panel{title: "latency by percentile", xlabel: "percentile", ylabel: "latency (receive − ts)",
		x: scale{lo: 0, hi: xmax}}
	var refs []refLine
	if r.WS.Delivered > 0 {
		refs = append(refs, refLine{goalWSP99, "ws goal p99 5 ms"})
	}
	if r.SSE.Delivered > 0 {
		refs = append(refs, refLine{goalSSEP99, "sse goal p99 20 ms"})
	}
	for _, ref := range refs { // keep the goals in sight
		lo, hi = math.Min(lo, ref.y), math.Max(hi, ref.y)
	}
	p.refs = refs
	p.y, p.yticks = latencyScale(lo, hi)
	labels := []string{"0%", "90%", "99%", "99.9%", "99.99%", "99.999%", "99.9999%"}
	for i := 0; float64(i) <= xmax; i++ {
		p.xticks = append(p.xticks, tick{v: float64(i), label: labels[i]})
	}
	for _, n := range hs {
		s := series{name: n.name}
		for x := 0.0; x <= xmax+1e-9; x += xmax / 120 {
			pct := 100 * (1 - math.Pow(10, -x))
			s.pts = append(s.pts, [2]float64{x, float64(max(n.h.ValueAtPercentile(pct), 1))})
		}
		p.series = append(p.series, s)
	}
	c := &r.Config
	var kinds []string
	if c.WS > 0 {
		kinds = append(kinds, fmt.Sprintf("%d ws (%s on %s)", c.WS, strings.Join(orNone(c.Channels), ","), strings.Join(c.Symbols, ",")))
	}
	if c.SSE > 0 {
		kinds = append(kinds, fmt.Sprintf("%d sse (%s on %s)", c.SSE, strings.Join(c.SSEChannels, ","), strings.Join(allIfNone(c.SSESymbols), ",")))
	}
	sub := fmt.Sprintf("%s clients, %.0fs window, %s", strings.Join(kinds, " + "), c.DurationS, c.Started)
	if c.Orders > 0 {
		sub += fmt.Sprintf(", %.0f orders/s", c.Orders)
	}
	return writeSVG(w, "tickcast fan-out latency", sub, []panel{p})
}

// PlotSweep writes an SVG chart of a sweep: latency percentiles and
// deliveries per second against the client count.
func PlotSweep(w io.Writer, s *SweepReport) error {
	if len(s.Points) == 0 {
		return fmt.Errorf("bench: nothing to plot: the sweep has no points")
	}
	kind := func(r *Report) *KindReport {
		if s.Param == "sse" {
			return &r.SSE
		}
		return &r.WS
	}
	lat := panel{title: "latency (receive − ts)", xlabel: s.Param + " clients", ylabel: "latency"}
	thr := panel{title: "throughput", xlabel: s.Param + " clients", ylabel: "deliveries per second"}
	maxX, maxRate := 0.0, 0.0
	lo, hi := math.Inf(1), 0.0
	pcts := []struct {
		name string
		get  func(Latency) int64
	}{{"p50", func(l Latency) int64 { return l.P50 }}, {"p90", func(l Latency) int64 { return l.P90 }},
		{"p99", func(l Latency) int64 { return l.P99 }}, {"p99.9", func(l Latency) int64 { return l.P999 }}}
	lines := make([]series, len(pcts))
	for i, pc := range pcts {
		lines[i] = series{name: pc.name, markers: true}
	}
	rate := series{name: "msgs/s delivered", markers: true}
	for _, pt := range s.Points {
		k := kind(pt.Report)
		x := float64(pt.Clients)
		maxX = math.Max(maxX, x)
		for i, pc := range pcts {
			v := float64(max(pc.get(k.LatencyNS), 1))
			lines[i].pts = append(lines[i].pts, [2]float64{x, v})
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		rate.pts = append(rate.pts, [2]float64{x, k.MsgsPerSec})
		maxRate = math.Max(maxRate, k.MsgsPerSec)
	}
	lat.series, thr.series = lines, []series{rate}
	goal := refLine{goalWSP99, "goal p99 5 ms"}
	if s.Param == "sse" {
		goal = refLine{goalSSEP99, "goal p99 20 ms"}
	}
	lat.refs = []refLine{goal}
	lat.y, lat.yticks = latencyScale(math.Min(lo, goal.y), math.Max(hi, goal.y))
	lat.x, lat.xticks = linearTicks(maxX, 5, fmtCount)
	thr.x, thr.xticks = lat.x, lat.xticks
	if s.Param == "ws" {
		thr.refs = []refLine{{goalWSRate, "goal 500k/s at 10k"}}
		maxRate = math.Max(maxRate, goalWSRate)
	}
	thr.y, thr.yticks = linearTicks(maxRate, 5, fmtCount)
	first := &s.Points[0].Report.Config
	syms := first.Symbols
	if s.Param == "sse" {
		syms = allIfNone(first.SSESymbols)
	}
	sub := fmt.Sprintf("%s channels %s on %s, %.0fs window per point; %s",
		s.Param, strings.Join(orNone(kindChannels(first, s.Param)), ","), strings.Join(syms, ","), first.DurationS, first.Started)
	if s.Label != "" {
		sub += "; " + s.Label
	}
	return writeSVG(w, "tickcast fan-out against client count", sub, []panel{lat, thr})
}

func kindChannels(c *RunConfig, param string) []string {
	if param == "sse" {
		return c.SSEChannels
	}
	return c.Channels
}
