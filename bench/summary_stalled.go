package bench

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// stalledFigures are the summary's rows for the stalled clients.
func stalledFigures(runs []*Report) []figure {
	var out []figure
	add := func(name string, format func(float64) string, of func(*StalledReport) float64) {
		f := figure{name: name, format: format}
		for _, r := range runs {
			v := 0.0
			if r.Stalled != nil {
				v = of(r.Stalled)
			}
			f.values = append(f.values, v)
		}
		out = append(out, f)
	}
	count := func(v float64) string { return groupDigits(int64(v)) }
	ns := func(v float64) string { return fmtNS(int64(v)) }
	n := func(v int64) float64 { return float64(v) }
	add("stalled clients connected", count, func(s *StalledReport) float64 { return n(s.Clients) })
	add("stalled connect failures", count, func(s *StalledReport) float64 { return n(s.ConnectFailed) })
	add("stalled … found closed with 4008 (read at the end)", count, func(s *StalledReport) float64 { return n(s.Ends["4008"]) })
	add("stalled … with another close code", count, func(s *StalledReport) float64 { return n(otherCloses(s.Ends)) })
	add("stalled … ended without a close frame (FIN)", count, func(s *StalledReport) float64 { return n(s.Ends[endEOF]) })
	add("stalled … reset without a close frame", count, func(s *StalledReport) float64 { return n(s.Ends[endReset]) })
	add("stalled … not cut (still served)", count, func(s *StalledReport) float64 { return n(s.Ends[endOpen]) })
	add("stalled cut, their end after their data", count, func(s *StalledReport) float64 { return n(s.AfterData) })
	add("stalled data read at the end", fmtBytesF, func(s *StalledReport) float64 { return n(s.DrainedBytes) })
	add("stalled gone from the server's count", count, func(s *StalledReport) float64 { return n(s.Gone) })
	add("stalled subscribed → gone, first", ns, func(s *StalledReport) float64 { return n(s.GoneMinNS) })
	add("stalled subscribed → gone, median", ns, func(s *StalledReport) float64 { return n(s.GoneP50NS) })
	add("stalled subscribed → gone, last", ns, func(s *StalledReport) float64 { return n(s.GoneMaxNS) })
	held, after := figure{name: "reading clients' p99 per second, median while stalled clients were held", format: ns},
		figure{name: "reading clients' p99 per second, median once all were gone", format: ns}
	pct := func(v float64) string {
		if math.IsNaN(v) {
			return "n/a"
		}
		return fmt.Sprintf("%.0f%%", v)
	}
	cpuHeld, cpuAfter := figure{name: "server CPU while stalled clients were held", format: pct},
		figure{name: "server CPU once all were gone", format: pct}
	othersHeld, othersAfter := figure{name: "machine CPU less the server's, while stalled clients were held", format: pct},
		figure{name: "machine CPU less the server's, once all were gone", format: pct}
	for _, r := range runs {
		h, a := liveP99Split(r)
		held.values, after.values = append(held.values, h), append(after.values, a)
		hs, as := heldSplit(r)
		cpuHeld.values, cpuAfter.values = append(cpuHeld.values, cpuPct(hs, false)), append(cpuAfter.values, cpuPct(as, false))
		othersHeld.values, othersAfter.values = append(othersHeld.values, cpuPct(hs, true)), append(othersAfter.values, cpuPct(as, true))
	}
	return append(out, held, after, cpuHeld, cpuAfter, othersHeld, othersAfter)
}

// heldSplit splits the window's samples of a run with stalled clients at
// the moment the server counted none of them any more: the samples while
// it still held some, and those after.
func heldSplit(r *Report) (held, after []Sample) {
	var peak int64
	for _, s := range r.Timeline {
		if s.Phase == phaseMeasure {
			peak = max(peak, s.WSConns)
		}
	}
	for _, s := range r.Timeline {
		switch {
		case s.Phase != phaseMeasure:
		case r.Stalled != nil && s.WSConns > peak-r.Stalled.Clients:
			held = append(held, s)
		default:
			after = append(after, s)
		}
	}
	return held, after
}

// cpuPct is the server's CPU between the first and the last of samples,
// in percent of one core; others: the machine's less the server's. NaN
// with fewer than two samples or without the figures (older reports).
func cpuPct(samples []Sample, others bool) float64 {
	if len(samples) < 2 {
		return math.NaN()
	}
	a, b := samples[0], samples[len(samples)-1]
	wall := float64(b.AtNS-a.AtNS) / 1e9
	if wall <= 0 || b.CPUSeconds == 0 || (others && (a.MachineCPUSeconds == 0 || b.MachineCPUSeconds == 0)) {
		return math.NaN()
	}
	cpu := b.CPUSeconds - a.CPUSeconds
	if others {
		cpu = b.MachineCPUSeconds - a.MachineCPUSeconds - cpu
	}
	return cpu / wall * 100
}

// liveP99Split returns the median of the reading clients' per-interval
// p99 (Sample.LiveP99NS) while the server held stalled clients and once
// it held none (heldSplit); NaN for a part without samples.
func liveP99Split(r *Report) (held, after float64) {
	hs, as := heldSplit(r)
	return medianP99(hs), medianP99(as)
}

// medianP99 is the median of the samples' LiveP99NS, leaving out those
// without one (the coordinator's own scrapes).
func medianP99(samples []Sample) float64 {
	var v []float64
	for _, s := range samples {
		if s.LiveP99NS != 0 {
			v = append(v, float64(s.LiveP99NS))
		}
	}
	return figure{values: v}.median()
}

// liveP99Window is the median of the reading clients' per-interval p99
// over the window's samples.
func liveP99Window(r *Report) float64 {
	var in []Sample
	for _, s := range r.Timeline {
		if s.Phase == phaseMeasure {
			in = append(in, s)
		}
	}
	return medianP99(in)
}

func fmtBytesF(v float64) string { return fmtBytes(v) }

// cpuPerReadNS is the server's CPU over the window per message its
// reading clients (WebSocket and SSE) received in it: with stalled
// clients, the server counts as sent what it wrote into their socket
// buffers too, which no client read.
func cpuPerReadNS(r *Report) float64 {
	got := r.WS.Delivered + r.SSE.Delivered
	if got == 0 {
		return 0
	}
	return r.Server.CPUPct / 100 * r.Config.DurationS * 1e9 / float64(got)
}

// otherCloses counts the ends by a close frame other than 4008.
func otherCloses(ends map[string]int64) int64 {
	var n int64
	for how, v := range ends {
		if _, err := strconv.Atoi(how); err == nil && how != "4008" {
			n += v
		}
	}
	return n
}

// compared are the rows a baseline repeats, with the ratio of each pair;
// repeated are those it repeats without a ratio.
var (
	compared = []string{"latency p50", "latency p90", "latency p99", "latency p99.9", "latency max",
		"messages received /s", "server CPU", "server CPU per delivery", "server CPU per message the reading clients received",
		"server RSS with the clients", "server RSS peak (1 s samples)", "kernel TCP memory peak",
		"reading clients' p99 per second, median over the window"}
	repeated = []string{"others' CPU on the machine", "kernel TCP memory before the run"}
)

// isIn reports whether a row is one of names, or a kind's row of one.
func isIn(names []string, name string) bool {
	return slices.ContainsFunc(names, func(c string) bool { return name == c || strings.HasSuffix(name, " "+c) })
}

// withBaseline adds, after each compared row that the baseline has too,
// the baseline's row and the ratio of each pair of runs (run i over
// baseline run i; the median is the median of those ratios).
func withBaseline(rows, base []figure) []figure {
	var out []figure
	for _, f := range rows {
		out = append(out, f)
		if !isIn(compared, f.name) && !isIn(repeated, f.name) {
			continue
		}
		i := slices.IndexFunc(base, func(b figure) bool { return b.name == f.name })
		if i < 0 || len(base[i].values) != len(f.values) {
			continue
		}
		b := base[i]
		b.name = f.name + ", baseline"
		out = append(out, b)
		if !isIn(compared, f.name) {
			continue
		}
		ratio := figure{name: f.name + ", ratio to the baseline", format: fmtRatio}
		for j, v := range f.values {
			r := math.NaN() // no ratio over 0: left out of the median
			if b.values[j] != 0 {
				r = v / b.values[j]
			}
			ratio.values = append(ratio.values, r)
		}
		out = append(out, ratio)
	}
	return out
}

// fmtRatio formats a ratio: 1.23×, n/a when it has no denominator.
func fmtRatio(v float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	return fmt.Sprintf("%.2f×", v)
}

// WithBaseline sets the baseline runs: as many as the runs, made like
// them (the same fast clients, window and stop) except for the stalled
// clients.
func (s *Summary) WithBaseline(runs []*Report) error {
	if len(runs) != len(s.Runs) {
		return fmt.Errorf("%w: %d baseline runs for %d runs: they go in pairs", ErrConfig, len(runs), len(s.Runs))
	}
	a := &s.Runs[0].Config
	for i, r := range runs {
		b := &r.Config
		if b.WS != a.WS || b.SSE != a.SSE || b.DurationS != a.DurationS || !slices.Equal(b.Channels, a.Channels) ||
			!slices.Equal(b.SSEChannels, a.SSEChannels) || !slices.Equal(b.Symbols, a.Symbols) ||
			!slices.Equal(b.SSESymbols, a.SSESymbols) || (r.Shutdown == nil) != (s.Runs[0].Shutdown == nil) || !samePlacement(a, b) {
			return fmt.Errorf("%w: baseline run %d was not made like the runs (clients, channels, symbols, window, stop or the generator's CPUs and trader RT differ)", ErrConfig, i+1)
		}
	}
	s.Baseline = runs
	return nil
}

// baselineNote says what the baseline rows are.
func (s *Summary) baselineNote() string {
	first, last := s.Baseline[0], s.Baseline[len(s.Baseline)-1]
	return fmt.Sprintf("the rows \"…, baseline\" are %d runs of %s, made %s to %s, each right after (or before) the run of the same rank; "+
		"\"…, ratio to the baseline\" is each run's figure over its baseline run's, the median being the median of those ratios",
		len(s.Baseline), describeRuns(s.Baseline), first.Config.Started, last.Config.Started)
}
