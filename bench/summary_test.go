package bench

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runReport is a run's report with the figures a summary reads.
func runReport(t *testing.T, p99 time.Duration, rss int64, clean int64) *Report {
	t.Helper()
	return &Report{
		SSE: KindReport{Clients: 100, LatencyNS: Latency{P50: int64(p99 / 4), P99: int64(p99)}, MsgsPerSec: 460,
			ConnectNS: Latency{P50: 2e6, P99: 9e6}, Disconnects: map[string]int64{"connect_failed": 1, "eof": 2}},
		Server: ServerReport{CPUPct: 50, CPUPerMsgNS: 11_900, RSSBytes: rss, BaselineRSSBytes: 10 << 20, Conns: 100,
			RSSPerConnBytes: float64(rss-10<<20) / 100},
		Load:     LoadReport{GeneratorCPUPct: 30, OthersCPUPct: 5},
		Shutdown: &ShutdownReport{How: "SIGTERM to pid 42, until it exited", StopNS: 4e8, SSE: StreamEnds{Open: 100, Clean: clean, Unclean: 100 - clean}},
		RampNS:   1e9,
		Config:   RunConfig{SSE: 100, DurationS: 60, WarmupS: 5, SSEChannels: []string{"ticker"}, Started: "2026-12-03T10:00:00Z", Command: "tickbench --sse 100"},
		Machine:  Machine{CPUs: 2, CPUModel: "Test CPU"},
	}
}

// TestSummary: each figure is the median of the runs, beside every run's
// value; runs made differently are refused; the Markdown goes between its
// own markers and leaves the fan-out table alone.
func TestSummary(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i, r := range []*Report{runReport(t, 300*time.Millisecond, 30<<20, 100), runReport(t, 100*time.Millisecond, 50<<20, 99),
		runReport(t, 200*time.Millisecond, 40<<20, 100)} {
		path := filepath.Join(dir, "run"+string(rune('1'+i))+".json")
		var b bytes.Buffer
		if err := r.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	var runs []*Report
	for _, p := range paths {
		r, err := ReadReport(p)
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r)
	}
	s, err := Summarize(runs)
	if err != nil {
		t.Fatal(err)
	}
	var table bytes.Buffer
	if err := s.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(table.String()), " ")
	for _, want := range []string{"100 SSE viewers (ticker on every symbol), 60 s window", "SIGTERM to the server's process (--stop-pid)",
		"sse latency p99 200.00ms 300.00ms / 100.00ms / 200.00ms", "sse connect failures 1 1 / 1 / 1",
		"sse streams ended early 2 2 / 2 / 2", "sse … ended cleanly 100 100 / 99 / 100", "server CPU per delivery 11.9µs",
		"server RSS per connection 307.2 KiB", "stop → server process gone 400.00ms"} {
		if !strings.Contains(text, want) {
			t.Errorf("table lacks %q:\n%s", want, table.String())
		}
	}
	md := s.Markdown()
	for _, want := range []string{"from 3 runs made 2026-12-03T10:00:00Z", "Test CPU, 2 CPUs", "tickbench --sse 100",
		"| sse latency p99 | 200.00ms | 300.00ms / 100.00ms / 200.00ms |"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	doc := filepath.Join(dir, "B.md")
	if err := UpdateMarkdown(doc, "FANOUT"); err != nil {
		t.Fatal(err)
	}
	for _, content := range []string{"SSE1", "SSE2"} {
		if err := UpdateMarkdownSection(doc, "sse", "SSE", content); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := os.ReadFile(doc)
	if got := string(b); !strings.Contains(got, "FANOUT") || strings.Contains(got, "SSE1") ||
		!strings.Contains(got, "<!-- tickbench:sse:begin -->\nSSE2\n<!-- tickbench:sse:end -->") {
		t.Errorf("two sections: %q", got)
	}

	other := runReport(t, time.Second, 1, 1)
	other.Config.SSE = 50
	if _, err := Summarize(append(runs, other)); err == nil {
		t.Error("a run made differently was summarized")
	}
	if _, err := ReadReport(doc); err == nil {
		t.Error("a Markdown file read as a report")
	}
}
