package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runTickbench runs the command in-process and fails the test on a
// non-zero exit.
func runTickbench(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	if code := run(ctx, args, &stdout, &stderr); code != 0 {
		t.Fatalf("tickbench %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, stdout.String(), stderr.String())
	}
	return stdout.String()
}

func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

func keys(m any) []string {
	mm, _ := m.(map[string]any)
	return slices.Sorted(maps.Keys(mm))
}

func sub(m map[string]any, k string) map[string]any {
	v, _ := m[k].(map[string]any)
	return v
}

func num(m map[string]any, k string) float64 {
	v, _ := m[k].(float64)
	return v
}

var kindKeys = []string{"clients", "conflated", "connect_ns", "delivered", "disconnects", "gaps", "latency_ns", "malformed", "msgs_per_sec"}

// checkKind checks one kind's section: the exact keys, clients up,
// deliveries, no gap, nothing malformed, ordered percentiles of latency
// and of connect time.
func checkKind(t *testing.T, name string, k map[string]any, clients float64) {
	t.Helper()
	if got := keys(k); !slices.Equal(got, kindKeys) {
		t.Errorf("%s keys = %v, want %v", name, got, kindKeys)
	}
	if got := num(k, "clients"); got != clients {
		t.Errorf("%s.clients = %v, want %v", name, got, clients)
	}
	if num(k, "delivered") <= 0 || num(k, "msgs_per_sec") <= 0 {
		t.Errorf("%s: nothing delivered: %v", name, k)
	}
	if g, m := num(k, "gaps"), num(k, "malformed"); g != 0 || m != 0 {
		t.Errorf("%s: gaps %v, malformed %v", name, g, m)
	}
	checkLatency(t, name+".latency_ns", sub(k, "latency_ns"))
	checkLatency(t, name+".connect_ns", sub(k, "connect_ns"))
}

// checkLatency checks a distribution: its keys, positive, ordered.
func checkLatency(t *testing.T, name string, lat map[string]any) {
	t.Helper()
	if got, want := keys(lat), []string{"max", "p50", "p90", "p99", "p999"}; !slices.Equal(got, want) {
		t.Errorf("%s keys = %v, want %v", name, got, want)
	}
	p := []float64{num(lat, "p50"), num(lat, "p90"), num(lat, "p99"), num(lat, "p999"), num(lat, "max")}
	if p[0] <= 0 || !slices.IsSorted(p) {
		t.Errorf("%s percentiles not positive and ordered: %v", name, p)
	}
}

// TestSmoke runs tickbench against an in-process server for a couple of
// seconds, in the active mode, and checks the report, the table and the
// chart.
func TestSmoke(t *testing.T) {
	url := startServer(t, 5)
	dir := t.TempDir()
	out, plot := filepath.Join(dir, "run.json"), filepath.Join(dir, "run.svg")
	table := runTickbench(t, "--target", url, "--ws", "12", "--sse", "6", "--orders", "8",
		"--duration", "2s", "--warmup", "300ms", "--source-ips", "127.0.0.2-127.0.0.3",
		"--read-buffer", "512", "--quiet", "--out", out, "--plot", plot)
	for _, want := range []string{"ws", "sse", "orders:", "public trade", "server: cpu", "per delivery", "load in the window"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	r := readJSON(t, out)
	if got, want := keys(r), reportKeys("orders"); !slices.Equal(got, want) {
		t.Fatalf("report keys = %v, want %v", got, want)
	}
	checkKind(t, "ws", sub(r, "ws"), 12)
	checkKind(t, "sse", sub(r, "sse"), 6)
	checkServer(t, sub(r, "server"), 12+6)
	checkTimeline(t, r, 3)
	o := sub(r, "orders")
	if num(o, "sent") <= 0 || num(o, "acked") <= 0 || num(o, "filled") <= 0 {
		t.Errorf("orders: nothing sent, acked or filled: %v", o)
	}
	if num(sub(o, "trade_ns"), "p50") <= 0 || num(o, "trade_seen") <= 0 {
		t.Errorf("orders: no order → public trade latency: %v", o)
	}
	// The server's own measure of the window's orders, beside the ack.
	if rt := sub(sub(r, "server"), "order_rtt"); num(rt, "count") <= 0 || num(rt, "p99_le_ns") == 0 || !strings.Contains(table, "from reading an order to queuing its reply") {
		t.Errorf("server.order_rtt = %v, or the table lacks its line", rt)
	}
	// One worker for the 18 subscribers, one for the traders alone.
	if c := sub(r, "config"); num(c, "workers") != 2 || num(c, "ws") != 12 {
		t.Errorf("config = %v", c)
	}
	if num(sub(r, "machine"), "cpus") <= 0 {
		t.Errorf("machine = %v", sub(r, "machine"))
	}
	checkSVG(t, plot)
}

// checkServer checks the server's section: its keys, the connections it
// counted, and the figures every run has.
func checkServer(t *testing.T, srv map[string]any, conns float64) {
	t.Helper()
	if got, want := keys(srv), []string{"baseline_rss_bytes", "conflations", "conns", "cpu_pct", "cpu_per_msg_ns", "goroutines",
		"msgs_per_sec", "order_rtt", "rss_bytes", "rss_peak_bytes", "rss_per_conn_bytes", "slow_cutoffs"}; !slices.Equal(got, want) {
		t.Errorf("server keys = %v, want %v", got, want)
	}
	if num(srv, "conns") < conns {
		t.Errorf("the server counted %v connections, want at least %v", num(srv, "conns"), conns)
	}
	for _, k := range []string{"rss_bytes", "baseline_rss_bytes", "goroutines", "cpu_pct", "cpu_per_msg_ns", "msgs_per_sec"} {
		if num(srv, k) <= 0 {
			t.Errorf("server.%s = %v", k, num(srv, k))
		}
	}
	if num(srv, "rss_peak_bytes") < num(srv, "rss_bytes") {
		t.Errorf("server RSS peak %v below its RSS at the end of the window %v", num(srv, "rss_peak_bytes"), num(srv, "rss_bytes"))
	}
}

// reportKeys are the keys of a run report with the optional sections
// named: kernel_tcp where /proc/net/sockstat can be read.
func reportKeys(optional ...string) []string {
	k := append([]string{"config", "load", "machine", "ramp_ns", "server", "sse", "timeline", "ws"}, optional...)
	if _, err := os.Stat("/proc/net/sockstat"); err == nil {
		k = append(k, "kernel_tcp")
	}
	slices.Sort(k)
	return k
}

// checkTimeline checks a run's timeline: samples in time order, from
// before the first connection through the window, each with the server's
// RSS.
func checkTimeline(t *testing.T, r map[string]any, minSamples int) []map[string]any {
	t.Helper()
	raw, _ := r["timeline"].([]any)
	var out []map[string]any
	phases := map[string]bool{}
	last := -1.0
	for _, v := range raw {
		s, _ := v.(map[string]any)
		out = append(out, s)
		phases[s["phase"].(string)] = true
		if num(s, "at_ns") < last || num(s, "rss_bytes") <= 0 || num(s, "heap_inuse_bytes") <= 0 {
			t.Errorf("timeline sample out of order or without RSS or heap: %v", s)
		}
		last = num(s, "at_ns")
	}
	if len(out) < minSamples || !phases["before"] || !phases["measure"] {
		t.Errorf("timeline: %d samples, phases %v", len(out), phases)
	}
	return out
}

// TestSmokeSSEShutdown measures SSE viewers (and a few WebSocket
// clients) the way BENCHMARKS.md's SSE section is measured, in a small
// run against a server process of its own: connect time, latency, memory
// per connection, and, with --stop-pid, how every stream ends after
// SIGTERM.
func TestSmokeSSEShutdown(t *testing.T) {
	url, srv := startServerProcess(t, 5)
	out := filepath.Join(t.TempDir(), "run.json")
	table := runTickbench(t, "--target", url, "--sse", "8", "--ws", "3", "--duration", "1500ms", "--warmup", "300ms",
		"--source-ips", "127.0.0.2-127.0.0.4", "--stop-pid", strconv.Itoa(srv.Process.Pid), "--stop-timeout", "20s",
		"--quiet", "--out", out)
	if !strings.Contains(table, "shutdown: SIGTERM to pid") {
		t.Errorf("table lacks the shutdown:\n%s", table)
	}
	r := readJSON(t, out)
	if got, want := keys(r), reportKeys("shutdown"); !slices.Equal(got, want) {
		t.Fatalf("report keys = %v, want %v", got, want)
	}
	checkKind(t, "sse", sub(r, "sse"), 8)
	checkKind(t, "ws", sub(r, "ws"), 3)
	checkServer(t, sub(r, "server"), 11)
	if num(r, "ramp_ns") <= 0 {
		t.Errorf("ramp_ns = %v", r["ramp_ns"])
	}
	if l := sub(r, "load"); num(l, "generator_cpu_pct") <= 0 || num(l, "machine_cpu_pct") <= 0 {
		t.Errorf("load = %v", l)
	}
	sd := sub(r, "shutdown")
	if !strings.Contains(sd["how"].(string), strconv.Itoa(srv.Process.Pid)) || num(sd, "stop_ns") <= 0 || sd["stop_err"] != nil {
		t.Errorf("shutdown = %v", sd)
	}
	for name, want := range map[string]float64{"sse": 8, "ws": 3} {
		e := sub(sd, name)
		if num(e, "open") != want || num(e, "clean") != want || num(e, "unclean") != 0 || num(e, "left") != 0 {
			t.Errorf("shutdown.%s = %v, want %v streams open and ended cleanly", name, e, want)
		}
		if first, last := num(e, "first_ns"), num(sub(e, "end_ns"), "max"); first <= 0 || last < first || last > num(sd, "stop_ns")+1e9 {
			t.Errorf("shutdown.%s: first end %v, last %v, stop %v", name, first, last, num(sd, "stop_ns"))
		}
		if d := sub(sub(r, name), "disconnects"); len(d) != 0 {
			t.Errorf("%s.disconnects = %v: the stop counted as early ends", name, d)
		}
	}
	if err := srv.Process.Signal(syscall.Signal(0)); err == nil {
		t.Error("the server process is still running")
	}
	if c := sub(r, "config"); c["command"] == nil || !strings.Contains(c["command"].(string), "--stop-pid") {
		t.Errorf("config.command = %v", c["command"])
	}

	// The runs of BENCHMARKS.md's SSE section are summarized so.
	md := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	summary := runTickbench(t, "--summarize", "--update-md", md, "--md-section", "sse", out, out)
	b, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"sse latency p99", "sse … ended cleanly", "stop → server process gone"} {
		if !strings.Contains(summary, want) || !strings.Contains(string(b), want) {
			t.Errorf("summary or Markdown lacks %q:\n%s\n%s", want, summary, b)
		}
	}
	if !strings.Contains(string(b), "<!-- tickbench:sse:begin -->") {
		t.Errorf("no sse markers:\n%s", b)
	}
}

// TestSmokeWorkers splits a run over two worker processes (this test
// binary, run again as a worker by TestMain) and checks that the
// coordinator merged both.
func TestSmokeWorkers(t *testing.T) {
	url := startServer(t, 5)
	out := filepath.Join(t.TempDir(), "run.json")
	runTickbench(t, "--target", url, "--ws", "9", "--sse", "3", "--workers", "2",
		"--duration", "1500ms", "--warmup", "300ms", "--quiet", "--out", out)
	r := readJSON(t, out)
	if _, ok := r["orders"]; ok {
		t.Error("orders present in passive mode")
	}
	if num(sub(r, "config"), "workers") != 2 {
		t.Errorf("config.workers = %v, want 2", sub(r, "config")["workers"])
	}
	checkKind(t, "ws", sub(r, "ws"), 9)
	checkKind(t, "sse", sub(r, "sse"), 3)
}

// TestSmokeSweep runs a two-point sweep and checks its JSON, chart and the
// Markdown table it writes between the markers.
func TestSmokeSweep(t *testing.T) {
	url := startServer(t, 5)
	dir := t.TempDir()
	out, plot, md := filepath.Join(dir, "sweep.json"), filepath.Join(dir, "sweep.svg"), filepath.Join(dir, "BENCHMARKS.md")
	const other = "# Benchmarks\n\n## Matching\n\nsomeone else's section\n"
	if err := os.WriteFile(md, []byte(other), 0o644); err != nil {
		t.Fatal(err)
	}
	runTickbench(t, "--target", url, "--sweep", "ws=3,6", "--sweep-pause", "100ms",
		"--duration", "1s", "--warmup", "200ms", "--quiet", "--out", out, "--plot", plot, "--update-md", md)
	r := readJSON(t, out)
	pts, _ := r["points"].([]any)
	if len(pts) != 2 {
		t.Fatalf("sweep points = %d, want 2", len(pts))
	}
	for i, want := range []float64{3, 6} {
		p, _ := pts[i].(map[string]any)
		checkKind(t, "ws", sub(sub(p, "report"), "ws"), want)
	}
	checkSVG(t, plot)
	b, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if !strings.HasPrefix(s, other) || !strings.Contains(s, "| 3 |") || !strings.Contains(s, "| 6 |") {
		t.Errorf("BENCHMARKS.md:\n%s", s)
	}
}

// checkSVG checks that path holds well-formed XML with an svg root.
func checkSVG(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	root := ""
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" || !bytes.Contains(b, []byte("<polyline")) {
		t.Errorf("%s: root %q, or no line drawn", path, root)
	}
}

func TestCommandLine(t *testing.T) {
	got := commandLine([]string{"--ws", "10", "--label", "tickcast serve --sim-rate 1", "--x", "it's"})
	want := `tickbench --ws 10 --label 'tickcast serve --sim-rate 1' --x 'it'\''s'`
	if got != want {
		t.Errorf("commandLine = %s, want %s", got, want)
	}
}

// TestFlags checks the command line's errors and exit codes.
func TestFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"nothing to do", nil, 2},
		{"bad sweep", []string{"--sweep", "ws=0"}, 2},
		{"bad source range", []string{"--ws", "1", "--source-ips", "127.0.0.9-127.0.0.2"}, 2},
		{"update-md without sweep", []string{"--ws", "1", "--update-md", "x.md"}, 2},
		{"stray argument", []string{"--ws", "1", "extra"}, 2},
		{"help", []string{"-h"}, 0},
		{"stop-pid with a sweep", []string{"--sweep", "ws=1", "--stop-pid", "1"}, 2},
		{"summarize nothing", []string{"--summarize"}, 2},
		{"summarize a missing file", []string{"--summarize", "no-such-run.json"}, 1},
		{"stop-pid of no process", []string{"--ws", "1", "--stop-pid", "-5"}, 2},
		{"no server", []string{"--target", "127.0.0.1:1", "--ws", "1", "--quiet"}, 1},
		{"negative stalled", []string{"--stalled", "-1", "--ws", "1", "--target", "127.0.0.1:1", "--quiet"}, 1},
		{"baseline without summarize", []string{"--ws", "1", "--baseline", "x.json"}, 2},
		{"baseline of no file", []string{"--summarize", "--baseline", "no-such-run-*.json", "run.json"}, 2},
		{"plot-timeline without reports", []string{"--plot-timeline", "x.svg"}, 2},
		{"plot-timeline of a missing file", []string{"--plot-timeline", "x.svg", "no-such-run.json"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), tc.args, &stdout, &stderr); code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr.String())
			}
		})
	}
}
