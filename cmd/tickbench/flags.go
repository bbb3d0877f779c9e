package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/tickcast/tickcast/bench"
)

// options are the parsed command line: a bench.Config and what to do with
// the result.
type options struct {
	cfg      bench.Config
	out      string // --out: the JSON report
	plot     string // --plot: the SVG chart
	sweep    *bench.SweepSpec
	updateMD string   // --update-md: BENCHMARKS.md whose fan-out table (or --md-section) to replace
	section  string   // --md-section: the section of --update-md
	label    string   // --label: the server under test, recorded in the report
	reports  []string // --summarize, --plot-timeline: the run reports
	timeline string   // --plot-timeline: the SVG chart of the reports' timelines
	baseline []string // --baseline: the run reports paired with them
	command  string   // the command line, recorded with a sweep
	cpuProf  string   // --cpuprofile: this process's CPU profile (in-process workers included)
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{command: commandLine(args)}
	c := &o.cfg
	fs := flag.NewFlagSet("tickbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: tickbench --target URL --ws N --sse M --duration D [flags]")
		fs.PrintDefaults()
	}
	var symbols, channels, sseChannels, sseSymbols, ips, sweep, baseline, cpus string
	var quiet, verbose, summarize bool
	var sweepPause time.Duration
	var stopPID int
	fs.StringVar(&c.Target, "target", "http://127.0.0.1:8080", "the server: http://host:port (ws:// also accepted)")
	fs.IntVar(&c.WS, "ws", 0, "WebSocket clients (msgpack)")
	fs.IntVar(&c.SSE, "sse", 0, "SSE clients")
	fs.IntVar(&c.Stalled, "stalled", 0, "stalled clients: WebSocket subscribers (--channels on --symbols) that never read once subscribed; read at the end to find how the server cut them")
	fs.IntVar(&c.StalledRcvBuf, "stalled-rcvbuf", bench.DefaultStalledRcvBuf, "SO_RCVBUF of the stalled clients, bytes (small: the server's writer backs up at once)")
	fs.DurationVar(&c.Duration, "duration", bench.DefaultDuration, "measurement window")
	fs.DurationVar(&c.Warmup, "warmup", bench.DefaultWarmup, "wait between the end of the ramp and the window")
	fs.StringVar(&symbols, "symbols", bench.DefaultSymbol, "comma list of symbols every client subscribes to (orders go to the first)")
	fs.StringVar(&channels, "channels", strings.Join(bench.DefaultChannels, ","), `WebSocket channels; "none": idle connections`)
	fs.StringVar(&sseChannels, "sse-channels", strings.Join(bench.DefaultSSEChannels, ","), "SSE channels")
	fs.StringVar(&sseSymbols, "sse-symbols", "", "comma list of SSE symbols (default: every symbol, a viewer's ticker board)")
	fs.Float64Var(&c.Ramp, "ramp", bench.DefaultRamp, "connections opened per second")
	fs.DurationVar(&c.RampTimeout, "ramp-timeout", 0, "give up connections still pending after this long (0: the planned ramp time + 60s)")
	fs.StringVar(&ips, "source-ips", "", "local addresses to spread connections over, e.g. 127.0.0.2-127.0.0.9 (~28k ports each)")
	fs.Float64Var(&c.Orders, "orders", 0, "active mode: crossing orders per second, latency from their scheduled time")
	fs.StringVar(&cpus, "cpus", "", "run tickbench and every worker process on these CPUs only, e.g. 1 or 0,2-3 (as taskset -c; Linux): keeps the generator off the server's cores")
	fs.BoolVar(&c.TraderRT, "trader-rt", false, "with --orders: run the traders' process SCHED_FIFO (priority 1; Linux, needs CAP_SYS_NICE), so that they wake at once for an ack or an order")
	fs.IntVar(&c.Workers, "workers", 0, "worker processes (0: as many as the connections need)")
	fs.IntVar(&c.ConnsPerWorker, "conns-per-worker", bench.DefaultConnsPerWorker, "most connections per worker process when --workers is 0")
	fs.IntVar(&c.ReadBufferSize, "read-buffer", bench.DefaultReadBufferSize, "read buffer per client, bytes")
	fs.BoolVar(&c.Books, "books", false, "rebuild and checksum order books on the WebSocket clients")
	fs.IntVar(&stopPID, "stop-pid", 0, "after the window, send SIGTERM to this process (the server at --target) and measure how every stream ends, from the signal")
	fs.DurationVar(&c.StopTimeout, "stop-timeout", bench.DefaultStopTimeout, "with --stop-pid: the longest wait for the process to exit and the streams to end")
	fs.StringVar(&o.out, "out", "", "write the JSON report to this file")
	fs.StringVar(&o.plot, "plot", "", "write an SVG chart of the latency percentiles (of the sweep with --sweep) to this file")
	fs.StringVar(&sweep, "sweep", "", "run once per value, e.g. ws=1000,5000,10000,20000")
	fs.DurationVar(&sweepPause, "sweep-pause", 3*time.Second, "with --sweep: pause between runs, once the server holds no connection")
	fs.StringVar(&o.label, "label", "", "describe the server under test (command line, version) in the JSON, chart and table")
	fs.StringVar(&o.updateMD, "update-md", "", "with --sweep or --summarize: replace the generated table of --md-section in this Markdown file (BENCHMARKS.md)")
	fs.StringVar(&o.section, "md-section", "", `with --update-md: the section, between <!-- tickbench:NAME:begin/end --> (default "fanout" for a sweep, "runs" for a summary)`)
	fs.BoolVar(&summarize, "summarize", false, "summarize the run reports (--out files) named as arguments: each figure's median and every run's value")
	fs.StringVar(&baseline, "baseline", "", "with --summarize: run reports (comma list; globs expanded) made like the others but without the stalled clients, back to back with them, in the same order: adds their figures and each pair's ratio")
	fs.StringVar(&o.timeline, "plot-timeline", "", "write an SVG chart of the server's RSS and the kernel's TCP memory over the runs whose reports (JSON files, or NAME=FILE to name the line) are named as arguments, one line each, to this file")
	fs.StringVar(&o.cpuProf, "cpuprofile", "", "write a CPU profile of this process (and of an in-process worker) to this file")
	fs.BoolVar(&quiet, "quiet", false, "no live progress")
	fs.BoolVar(&verbose, "v", false, "log diagnostics to stderr")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if o.timeline != "" {
		if summarize || fs.NArg() == 0 {
			return nil, fmt.Errorf("--plot-timeline needs run reports (JSON files) as arguments, and no --summarize")
		}
		o.reports = fs.Args()
		return o, nil
	}
	if summarize {
		if fs.NArg() == 0 {
			return nil, fmt.Errorf("--summarize needs run reports (JSON files) as arguments")
		}
		o.reports = fs.Args()
		for _, a := range o.reports {
			if strings.HasPrefix(a, "-") {
				return nil, fmt.Errorf("--summarize: flag %q after the reports: flags go first", a)
			}
		}
		if o.section == "" {
			o.section = "runs"
		}
		var err error
		if o.baseline, err = expandPaths(baseline); err != nil {
			return nil, err
		}
		return o, nil
	}
	if baseline != "" {
		return nil, fmt.Errorf("--baseline needs --summarize")
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	c.Symbols, c.Channels, c.SSEChannels = splitList(symbols), splitList(channels), splitList(sseChannels)
	c.SSESymbols = splitList(sseSymbols)
	if ips != "" {
		var err error
		if c.SourceIPs, err = bench.ParseIPRange(ips); err != nil {
			return nil, err
		}
	}
	if cpus != "" {
		var err error
		if c.CPUs, err = bench.ParseCPUList(cpus); err != nil {
			return nil, fmt.Errorf("--cpus: %w", err)
		}
	}
	if sweep != "" {
		s, err := bench.ParseSweep(sweep)
		if err != nil {
			return nil, err
		}
		s.Pause = sweepPause
		o.sweep = &s
		if o.section == "" {
			o.section = "fanout"
		}
	} else if o.updateMD != "" {
		return nil, fmt.Errorf("--update-md needs --sweep or --summarize")
	}
	if stopPID != 0 {
		if o.sweep != nil {
			return nil, fmt.Errorf("--stop-pid stops the server: not with --sweep")
		}
		stop, err := stopPid(stopPID)
		if err != nil {
			return nil, err
		}
		c.Stop, c.StopName = stop, fmt.Sprintf("SIGTERM to pid %d, until it exited", stopPID)
	}
	if c.WS == 0 && c.SSE == 0 && c.Stalled == 0 && o.sweep == nil {
		return nil, fmt.Errorf("nothing to do: set --ws, --sse, --stalled or --sweep")
	}
	if !quiet {
		c.Progress = stderr
	}
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelDebug
	}
	c.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	c.ProgressInterval = time.Second
	return o, nil
}

// commandLine returns the command as a shell would take it back: an
// argument with a space or a quote is single-quoted.
func commandLine(args []string) string {
	out := []string{"tickbench"}
	for _, a := range args {
		if a == "" || strings.ContainsAny(a, " \t'\"$`\\*?;&|<>()") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out = append(out, a)
	}
	return strings.Join(out, " ")
}

// expandPaths expands a comma list of paths and globs, in order (each
// glob's matches sorted); a glob that matches nothing is an error.
func expandPaths(list string) ([]string, error) {
	var out []string
	for _, p := range splitList(list) {
		m, err := filepath.Glob(p)
		if err != nil {
			return nil, fmt.Errorf("--baseline %q: %w", p, err)
		}
		if len(m) == 0 {
			return nil, fmt.Errorf("--baseline %q: no such file", p)
		}
		out = append(out, m...)
	}
	return out, nil
}

// splitList splits a comma list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
