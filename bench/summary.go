package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
)

// Summary is several runs of the same configuration, each against a fresh
// server, summarized figure by figure: each figure's median over the runs,
// beside every run's value. It is how BENCHMARKS.md quotes a noisy, shared
// machine.
type Summary struct {
	// Runs are the reports, in the order given.
	Runs []*Report
	// Baseline, when set (WithBaseline), are runs made like Runs but for
	// the stalled clients, back to back with them: run i of Runs beside
	// run i of Baseline. The summary then adds, for the figures they
	// share, the baseline's and the ratio of each pair.
	Baseline []*Report
}

// ReadReport reads a report written by --out (WriteJSON).
func ReadReport(path string) (*Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("bench: %s: %w", path, err)
	}
	if r.Config.Started == "" {
		return nil, fmt.Errorf("bench: %s: not a tickbench run report", path)
	}
	return &r, nil
}

// Summarize checks that the runs were made alike (the same clients,
// channels, window and stop) and summarizes them.
func Summarize(runs []*Report) (*Summary, error) {
	if len(runs) == 0 {
		return nil, fmt.Errorf("%w: no run to summarize", ErrConfig)
	}
	a := runs[0]
	for i, r := range runs[1:] {
		b := &r.Config
		if b.WS != a.Config.WS || b.SSE != a.Config.SSE || b.Stalled != a.Config.Stalled || b.DurationS != a.Config.DurationS ||
			!slices.Equal(b.Channels, a.Config.Channels) || !slices.Equal(b.SSEChannels, a.Config.SSEChannels) ||
			!slices.Equal(b.Symbols, a.Config.Symbols) || !slices.Equal(b.SSESymbols, a.Config.SSESymbols) ||
			(r.Shutdown == nil) != (a.Shutdown == nil) || !samePlacement(b, &a.Config) {
			return nil, fmt.Errorf("%w: run %d was not made like run 1 (clients, channels, symbols, window, stop or the generator's CPUs and trader RT differ)", ErrConfig, i+2)
		}
	}
	return &Summary{Runs: runs}, nil
}

// figure is one row of a summary: a name and each run's value, formatted.
type figure struct {
	name   string
	values []float64
	format func(float64) string
}

// median is the median of the values that are numbers (a ratio over
// zero is NaN); NaN when none is.
func (f figure) median() float64 {
	v := slices.DeleteFunc(slices.Clone(f.values), math.IsNaN)
	slices.Sort(v)
	if len(v) == 0 {
		return math.NaN()
	}
	if n := len(v); n%2 == 0 {
		return (v[n/2-1] + v[n/2]) / 2
	}
	return v[len(v)/2]
}

func (f figure) each() string {
	parts := make([]string, len(f.values))
	for i, v := range f.values {
		parts[i] = f.format(v)
	}
	return strings.Join(parts, " / ")
}

// figures lists the summary's rows: for each kind of client it has, then
// the server's, the machine's and the shutdown's; with a baseline, the
// rows it shares are followed by the baseline's and the ratios.
func (s *Summary) figures() []figure {
	perRead := s.Runs[0].Config.Stalled > 0
	out := figuresOf(s.Runs, perRead)
	if len(s.Baseline) == 0 {
		return out
	}
	return withBaseline(out, figuresOf(s.Baseline, perRead))
}

// figuresOf lists the rows of runs (their first run says which); perRead
// adds the server's CPU per message its reading clients received.
func figuresOf(runs []*Report, perRead bool) []figure {
	var out []figure
	add := func(name string, format func(float64) string, of func(*Report) float64) {
		f := figure{name: name, format: format}
		for _, r := range runs {
			f.values = append(f.values, of(r))
		}
		out = append(out, f)
	}
	ns := func(v float64) string { return fmtNS(int64(v)) }
	count := func(v float64) string { return groupDigits(int64(v)) }
	pct := func(v float64) string { return fmt.Sprintf("%.0f%%", v) }
	bytes := func(v float64) string { return fmtBytes(v) }
	first := runs[0]
	for _, k := range []struct {
		name string
		of   func(*Report) *KindReport
		ends func(*ShutdownReport) *StreamEnds
	}{
		{"ws", func(r *Report) *KindReport { return &r.WS }, func(sd *ShutdownReport) *StreamEnds { return &sd.WS }},
		{"sse", func(r *Report) *KindReport { return &r.SSE }, func(sd *ShutdownReport) *StreamEnds { return &sd.SSE }},
	} {
		if k.of(first).Clients == 0 {
			continue
		}
		kr := func(f func(*KindReport) float64) func(*Report) float64 {
			return func(r *Report) float64 { return f(k.of(r)) }
		}
		add(k.name+" clients connected", count, kr(func(k *KindReport) float64 { return float64(k.Clients) }))
		add(k.name+" connect failures", count, kr(func(k *KindReport) float64 { return float64(k.Disconnects["connect_failed"]) }))
		add(k.name+" connect time p50", ns, kr(func(k *KindReport) float64 { return float64(k.ConnectNS.P50) }))
		add(k.name+" connect time p99", ns, kr(func(k *KindReport) float64 { return float64(k.ConnectNS.P99) }))
		add(k.name+" connect time max", ns, kr(func(k *KindReport) float64 { return float64(k.ConnectNS.Max) }))
		add(k.name+" latency p50", ns, kr(func(k *KindReport) float64 { return float64(k.LatencyNS.P50) }))
		add(k.name+" latency p90", ns, kr(func(k *KindReport) float64 { return float64(k.LatencyNS.P90) }))
		add(k.name+" latency p99", ns, kr(func(k *KindReport) float64 { return float64(k.LatencyNS.P99) }))
		add(k.name+" latency p99.9", ns, kr(func(k *KindReport) float64 { return float64(k.LatencyNS.P999) }))
		add(k.name+" latency max", ns, kr(func(k *KindReport) float64 { return float64(k.LatencyNS.Max) }))
		add(k.name+" messages received /s", count, kr(func(k *KindReport) float64 { return k.MsgsPerSec }))
		add(k.name+" gaps", count, kr(func(k *KindReport) float64 { return float64(k.Gaps) }))
		add(k.name+" malformed", count, kr(func(k *KindReport) float64 { return float64(k.Malformed) }))
		add(k.name+" streams ended early", count, kr(func(k *KindReport) float64 {
			return float64(sumCounts(k.Disconnects) - k.Disconnects["connect_failed"])
		}))
		if first.Shutdown != nil {
			se := func(f func(*StreamEnds) float64) func(*Report) float64 {
				return func(r *Report) float64 { return f(k.ends(r.Shutdown)) }
			}
			add(k.name+" streams open at the stop", count, se(func(e *StreamEnds) float64 { return float64(e.Open) }))
			add(k.name+" … ended cleanly", count, se(func(e *StreamEnds) float64 { return float64(e.Clean) }))
			add(k.name+" … ended otherwise", count, se(func(e *StreamEnds) float64 { return float64(e.Unclean) }))
			add(k.name+" … still open at the timeout", count, se(func(e *StreamEnds) float64 { return float64(e.Left) }))
			add(k.name+" stop → first stream end", ns, se(func(e *StreamEnds) float64 { return float64(e.FirstNS) }))
			add(k.name+" stop → stream ends p50", ns, se(func(e *StreamEnds) float64 { return float64(e.EndNS.P50) }))
			add(k.name+" stop → stream ends p99", ns, se(func(e *StreamEnds) float64 { return float64(e.EndNS.P99) }))
			add(k.name+" stop → last stream end", ns, se(func(e *StreamEnds) float64 { return float64(e.EndNS.Max) }))
		}
	}
	if perRead {
		add("reading clients' p99 per second, median over the window", ns, liveP99Window)
	}
	if first.Stalled != nil {
		out = append(out, stalledFigures(runs)...)
	}
	add("ramp (every connection up)", ns, func(r *Report) float64 { return float64(r.RampNS) })
	add("server messages sent /s", count, func(r *Report) float64 { return r.Server.MsgsPerSec })
	add("server CPU", pct, func(r *Report) float64 { return r.Server.CPUPct })
	add("server CPU per delivery", fmtMicros, func(r *Report) float64 { return r.Server.CPUPerMsgNS })
	if perRead {
		add("server CPU per message the reading clients received", fmtMicros, cpuPerReadNS)
	}
	add("server RSS before the run", bytes, func(r *Report) float64 { return float64(r.Server.BaselineRSSBytes) })
	add("server RSS with the clients", bytes, func(r *Report) float64 { return float64(r.Server.RSSBytes) })
	if first.Server.RSSPeakBytes > 0 {
		add("server RSS peak (1 s samples)", bytes, func(r *Report) float64 { return float64(r.Server.RSSPeakBytes) })
	}
	add("server RSS per connection", bytes, func(r *Report) float64 { return r.Server.RSSPerConnBytes })
	add("server goroutines", count, func(r *Report) float64 { return float64(r.Server.Goroutines) })
	add("generator CPU (tickbench)", pct, func(r *Report) float64 { return r.Load.GeneratorCPUPct })
	add("others' CPU on the machine", pct, func(r *Report) float64 { return r.Load.OthersCPUPct })
	if first.KernelTCP != nil {
		kt := func(f func(*KernelTCPReport) int64) func(*Report) float64 {
			return func(r *Report) float64 {
				if r.KernelTCP == nil {
					return 0
				}
				return float64(f(r.KernelTCP))
			}
		}
		add("kernel TCP memory before the run", bytes, kt(func(k *KernelTCPReport) int64 { return k.BeforeBytes }))
		add("kernel TCP memory peak", bytes, kt(func(k *KernelTCPReport) int64 { return k.PeakBytes }))
		add("kernel TCP memory at the end of the window", bytes, kt(func(k *KernelTCPReport) int64 { return k.EndBytes }))
		add("kernel orphaned TCP sockets peak", count, kt(func(k *KernelTCPReport) int64 { return k.PeakOrphans }))
	}
	if first.Shutdown != nil {
		add("stop → "+stopDone(first.Shutdown), ns, func(r *Report) float64 { return float64(r.Shutdown.StopNS) })
	}
	return out
}

// stopDone names what the stop's return means.
func stopDone(sd *ShutdownReport) string {
	if strings.HasPrefix(sd.How, "SIGTERM to pid") {
		return "server process gone"
	}
	return "Config.Stop returned"
}

// fmtMicros formats a small duration in ns as µs with a decimal: 11.9µs.
func fmtMicros(ns float64) string { return fmt.Sprintf("%.1fµs", ns/1e3) }

func sumCounts(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// WriteTable writes the summary as a table: figure, median, each run.
func (s *Summary) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "%d runs: %s\n", len(s.Runs), s.describe())
	if len(s.Baseline) > 0 {
		fmt.Fprintf(w, "baseline: %s\n", s.baselineNote())
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "figure\tmedian of %d\teach run\t\n", len(s.Runs))
	for _, f := range s.figures() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t\n", f.name, f.format(f.median()), f.each())
	}
	return tw.Flush()
}

// describe says what the runs were.
func (s *Summary) describe() string { return describeRuns(s.Runs) }

// describeRuns says what runs were made alike.
func describeRuns(runs []*Report) string {
	c := &runs[0].Config
	var kinds []string
	if c.WS > 0 {
		kinds = append(kinds, fmt.Sprintf("%s WebSocket clients (%s on %s)", groupDigits(int64(c.WS)),
			strings.Join(orNone(c.Channels), ","), strings.Join(c.Symbols, ",")))
	}
	if c.SSE > 0 {
		kinds = append(kinds, fmt.Sprintf("%s SSE viewers (%s on %s)", groupDigits(int64(c.SSE)),
			strings.Join(c.SSEChannels, ","), strings.Join(allIfNone(c.SSESymbols), ",")))
	}
	if c.Stalled > 0 {
		kinds = append(kinds, fmt.Sprintf("%s stalled clients (the same subscription, never read, SO_RCVBUF %d)",
			groupDigits(int64(c.Stalled)), c.StalledRcvBuf))
	}
	d := fmt.Sprintf("%s, %.0f s window after %.0f s of warm-up", strings.Join(kinds, " and "), c.DurationS, c.WarmupS)
	if p := placement(c); p != "" {
		d += " (" + p + ")"
	}
	if sd := runs[0].Shutdown; sd != nil {
		d += "; then " + stopHow(sd)
	}
	return d
}

// stopHow says what stopped the servers of the runs (the pid differs from
// run to run).
func stopHow(sd *ShutdownReport) string {
	if strings.HasPrefix(sd.How, "SIGTERM to pid") {
		return "SIGTERM to the server's process (--stop-pid)"
	}
	return sd.How
}

// Markdown returns the summary as a Markdown table, with the runs'
// machine, dates and command, for BENCHMARKS.md.
func (s *Summary) Markdown() string {
	var b strings.Builder
	first, last := s.Runs[0], s.Runs[len(s.Runs)-1]
	m := &first.Machine
	fmt.Fprintf(&b, "Generated by `tickbench --summarize` from %d runs made %s to %s (%s, %d CPUs, %s, Linux %s, %s).\n\n",
		len(s.Runs), first.Config.Started, last.Config.Started, m.CPUModel, m.CPUs, fmtBytes(float64(m.MemBytes)), m.Kernel, m.Go)
	if first.Config.Label != "" {
		fmt.Fprintf(&b, "Server: %s\n\n", first.Config.Label)
	}
	if first.Config.Command != "" {
		fmt.Fprintf(&b, "First run:\n\n```\n%s\n```\n\n", first.Config.Command)
	}
	fmt.Fprintf(&b, "%s. Each figure is the median of the runs, figure by figure; latency is receive time − `ts` over every delivery in the window; connect time is from the dial to the stream started; memory per connection is the server's RSS with the clients less its RSS before the run, over the connections it counted; %s.\n\n",
		upperFirst(s.describe()), stopMeaning(first.Shutdown))
	if len(s.Baseline) > 0 {
		fmt.Fprintf(&b, "Baseline: %s.\n\n", s.baselineNote())
	}
	fmt.Fprintf(&b, "| | median of %d | each run |\n|---|---:|---|\n", len(s.Runs))
	for _, f := range s.figures() {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", f.name, f.format(f.median()), f.each())
	}
	return b.String()
}

// stopMeaning says what the stop's figures measure from.
func stopMeaning(sd *ShutdownReport) string {
	if sd == nil {
		return "the shutdown was not measured (no --stop-pid)"
	}
	return "the stop is the moment tickbench told the server to stop, and a stream's end is when its client saw the stream end: cleanly (SSE: the end of the chunked body after a complete event; WebSocket: a 1001 close frame) or otherwise"
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
