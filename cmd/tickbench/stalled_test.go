package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/internal/app"
)

// shortBudget makes the server give up on a non-reading WebSocket client
// within about 2 s (instead of 10 s): the backlog may be 2 s behind, and a
// writer may find its socket backed up for 2 s.
func shortBudget(c *app.Config) {
	c.Feed.WS.Backlog = hub.Limits{MaxBytes: 4 << 20, MaxDelay: 2 * time.Second}
	c.Feed.WS.WriteTimeout = 2 * time.Second
}

// TestSmokeStalled runs stalled clients (subscribed, never reading, a
// small receive buffer) beside reading ones against a busy server with a
// short budget, the way BENCHMARKS.md's "Clients that stop reading" is
// measured, split over two worker processes: every stalled client must be
// cut within the window (2 s of backlog and 2 s of write timeout, but 8 s
// under the race detector on a busy machine: the window is 12 s) and
// found, when read at the end, closed with 4008 after its data; the reading
// clients see no gap and no disconnect; the report has the server's RSS
// peak, the kernel's TCP memory and the timeline; and the summary pairs
// the runs with a baseline.
func TestSmokeStalled(t *testing.T) {
	url := startServer(t, 60, shortBudget)
	dir := t.TempDir()
	out := filepath.Join(dir, "stalled.json")
	const stalled, fast = 6, 3
	table := runTickbench(t, "--target", url, "--ws", "3", "--stalled", "6", "--channels", "trades,book,quote,ticker",
		"--symbols", "BTC-USD,ETH-USD,SOL-USD", "--duration", "12s", "--warmup", "300ms", "--source-ips", "127.0.0.2-127.0.0.3",
		"--workers", "2", "--quiet", "--out", out)
	for _, want := range []string{"+ 6 stalled clients", "stalled: 6 connected", "4008:6", "rss", "peak"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	r := readJSON(t, out)
	if got, want := keys(r), reportKeys("stalled"); !slices.Equal(got, want) {
		t.Fatalf("report keys = %v, want %v", got, want)
	}
	checkKind(t, "ws", sub(r, "ws"), fast)
	if d := sub(sub(r, "ws"), "disconnects"); len(d) != 0 {
		t.Errorf("the reading clients were disconnected: %v", d)
	}
	checkServer(t, sub(r, "server"), fast)
	samples := checkTimeline(t, r, 5)

	st := sub(r, "stalled")
	if got, want := keys(st), []string{"after_data", "clients", "connect_failed", "connect_ns", "cut", "drain_ns", "drained_bytes",
		"drained_msgs", "ends", "gone", "gone_max_ns", "gone_min_ns", "gone_p50_ns"}; !slices.Equal(got, want) {
		t.Errorf("stalled keys = %v, want %v", got, want)
	}
	for k, want := range map[string]float64{"clients": stalled, "connect_failed": 0, "cut": stalled, "after_data": stalled, "gone": stalled} {
		if got := num(st, k); got != want {
			t.Errorf("stalled.%s = %v, want %v (%v)", k, got, want, st)
		}
	}
	if ends := sub(st, "ends"); num(ends, "4008") != stalled || len(ends) != 1 {
		t.Errorf("stalled.ends = %v, want every one 4008", ends)
	}
	if num(st, "drained_msgs") < stalled || num(st, "drained_bytes") <= 0 {
		t.Errorf("nothing read before the close frames: %v", st)
	}
	checkLatency(t, "stalled.connect_ns", sub(st, "connect_ns"))
	lo, mid, hi := num(st, "gone_min_ns"), num(st, "gone_p50_ns"), num(st, "gone_max_ns")
	t.Logf("stalled gone after %v / %v / %v", time.Duration(lo), time.Duration(mid), time.Duration(hi))
	if lo < float64(2*time.Second) || lo > mid || mid > hi || hi > float64(12300*time.Millisecond) {
		t.Errorf("stalled gone after %v / %v / %v: want within the budget's reach and the window", lo, mid, hi)
	}
	if c := sub(r, "config"); num(c, "stalled") != stalled || num(c, "stalled_rcvbuf") != 4096 || num(c, "workers") != 2 {
		t.Errorf("config = %v", c)
	}
	// The server counted every client during the window, then no stalled one.
	var peak float64
	for _, s := range samples {
		peak = max(peak, num(s, "ws_conns"))
	}
	if last := samples[len(samples)-1]; peak != stalled+fast {
		t.Errorf("the server counted at most %v WebSocket sessions, want %v", peak, stalled+fast)
	} else if _, ok := last["tcp"]; !ok && fileExists("/proc/net/sockstat") {
		t.Errorf("a sample without the kernel's TCP figures: %v", last)
	}
	if k := sub(r, "kernel_tcp"); k != nil && (num(k, "peak_bytes") < num(k, "before_bytes") || num(k, "peak_bytes") <= 0) {
		t.Errorf("kernel_tcp = %v", k)
	}

	// The BENCHMARKS.md section pairs such runs with runs without the
	// stalled clients; the report itself stands in for its baseline here.
	md := filepath.Join(dir, "BENCHMARKS.md")
	summary := runTickbench(t, "--summarize", "--baseline", out, "--update-md", md, "--md-section", "stalled", out)
	b, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"stalled … found closed with 4008 (read at the end) | 6 |", "ws latency p99, ratio to the baseline | 1.00× |",
		"server RSS peak (1 s samples), baseline", "stalled subscribed → gone, median", "kernel TCP memory peak", "Baseline: ",
		"reading clients' p99 per second, median while stalled clients were held"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("Markdown lacks %q:\n%s", want, b)
		}
	}
	if !strings.Contains(summary, "baseline: ") {
		t.Errorf("summary table lacks the baseline:\n%s", summary)
	}
	svg := filepath.Join(dir, "timeline.svg")
	runTickbench(t, "--plot-timeline", svg, "six stalled="+out, out)
	checkSVG(t, svg)
	if b, _ := os.ReadFile(svg); !strings.Contains(string(b), "six stalled: 3 ws + 6 stalled") || !strings.Contains(string(b), ">stalled<") {
		t.Errorf("the chart does not name its lines after the arguments:\n%s", b)
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
