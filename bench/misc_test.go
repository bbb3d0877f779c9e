package bench

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/wire"
)

func TestParseMetrics(t *testing.T) {
	const text = `# HELP go_goroutines Number of goroutines.
# TYPE go_goroutines gauge
go_goroutines 20015
process_cpu_seconds_total 12.5
process_resident_memory_bytes 6.1e+08
tickcast_messages_sent_total{format="json"} 10
tickcast_messages_sent_total{format="msgpack"} 1.5e+06
tickcast_messages_sent_total{format="sse"} 200
tickcast_order_roundtrip_seconds_bucket{le="0.00016"} 2
tickcast_order_roundtrip_seconds_bucket{le="+Inf"} 3
weird line without value
`
	m, err := parseMetrics(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]float64{"go_goroutines": 20015, "process_cpu_seconds_total": 12.5,
		"process_resident_memory_bytes": 6.1e8, "tickcast_messages_sent_total": 1_500_210,
		"tickcast_order_roundtrip_seconds_bucket": 5} {
		if m[k] != want {
			t.Errorf("%s = %v, want %v", k, m[k], want)
		}
	}
	if b := bucketsOf(m, rttMetric); len(b) != 2 || b[0.00016] != 2 || b[math.Inf(1)] != 3 {
		t.Errorf("buckets = %v, want 0.00016: 2, +Inf: 3", b)
	}
}

// TestRTTOf: the window's round trips from the buckets at both ends, each
// quantile as the bound of the bucket it falls in.
func TestRTTOf(t *testing.T) {
	inf := math.Inf(1)
	b0 := map[float64]float64{0.00008: 5, 0.00016: 10, 0.00032: 10, 0.00064: 10, inf: 10}
	// The window: 100 orders, 60 ≤ 80 µs, 30 more ≤ 160 µs, 9 more ≤ 640 µs, 1 over.
	b1 := map[float64]float64{0.00008: 65, 0.00016: 100, 0.00032: 100, 0.00064: 109, inf: 110}
	got := rttOf(b0, b1)
	if want := (ServerRTT{Count: 100, P50LeNS: 80_000, P90LeNS: 160_000, P99LeNS: 640_000}); got != want {
		t.Errorf("rttOf = %+v, want %+v", got, want)
	}
	b1[inf] = 120 // 10 over the last bucket: p99 is above it
	if got := rttOf(b0, b1); got.P99LeNS != -1 || got.Count != 110 {
		t.Errorf("rttOf with the tail over the last bucket = %+v, want p99 -1 of 110", got)
	}
	if got := rttOf(nil, nil); got != (ServerRTT{}) {
		t.Errorf("rttOf with no histogram = %+v", got)
	}
}

// TestServerReport: CPU over the window, per message sent, memory per
// connection over the baseline.
func TestServerReport(t *testing.T) {
	base := serverSample{RSS: 10 << 20}
	a := serverSample{At: time.Unix(100, 0), CPUSeconds: 10, Sent: 1000, Conflations: 5}
	b := serverSample{At: time.Unix(110, 0), CPUSeconds: 25, Sent: 1_501_000, Conflations: 8, RSS: 30 << 20,
		WSConns: 1000, SSEViewers: 1000, Goroutines: 2050}
	got := serverReport(base, a, b)
	want := ServerReport{CPUPct: 150, MsgsPerSec: 150_000, CPUPerMsgNS: 10_000, RSSBytes: 30 << 20, BaselineRSSBytes: 10 << 20,
		Conns: 2000, RSSPerConnBytes: 10485.76, Goroutines: 2050, Conflations: 3}
	if got != want {
		t.Errorf("serverReport =\n %+v, want\n %+v", got, want)
	}
	if l := loadOf(cpuSample{at: time.Unix(100, 0), generator: time.Second, machine: 5 * time.Second},
		cpuSample{at: time.Unix(110, 0), generator: 6 * time.Second, machine: 25 * time.Second}, 150); l != (LoadReport{GeneratorCPUPct: 50, MachineCPUPct: 200}) {
		t.Errorf("loadOf = %+v", l)
	}
}

func TestScrape(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, "go_goroutines 7\ntickcast_ws_connections 3\ntickcast_sse_viewers 2\n")
	}))
	defer srv.Close()
	s, err := scrape(t.Context(), srv.Client(), srv.URL+"/metrics")
	if err != nil || s.Goroutines != 7 || s.WSConns != 3 || s.SSEViewers != 2 {
		t.Errorf("scrape = %+v, %v", s, err)
	}
	if _, err := scrape(t.Context(), srv.Client(), srv.URL+"/nope"); err == nil {
		t.Error("404 scraped")
	}
}

func TestDecimal(t *testing.T) {
	for _, tc := range []struct {
		s   string
		dec int
		v   int64
		bad bool
	}{{"64250.50", 2, 6425050, false}, {"64250.5", 2, 6425050, false}, {"64250", 2, 6425000, false},
		{"0.15000", 5, 15000, false}, {"1.234", 2, 0, true}, {"", 2, 0, true}, {"-1.00", 2, 0, true}} {
		v, err := toUnits(tc.s, tc.dec)
		if (err != nil) != tc.bad || v != tc.v {
			t.Errorf("toUnits(%q, %d) = %d, %v", tc.s, tc.dec, v, err)
		}
	}
	for _, tc := range []struct {
		v    int64
		dec  int
		want string
	}{{6425050, 2, "64250.50"}, {5, 2, "0.05"}, {15000, 5, "0.15000"}, {7, 0, "7"}} {
		if got := fromUnits(tc.v, tc.dec); got != tc.want {
			t.Errorf("fromUnits(%d, %d) = %q, want %q", tc.v, tc.dec, got, tc.want)
		}
	}
	if fracDigits("0.00001") != 5 || fracDigits("1") != 0 {
		t.Error("fracDigits")
	}
	// 0.5% through the book, on the tick: above the ask for a buy, below
	// the bid for a sell.
	if got := crossingPrice(6000000, 1, true, 50); got != 6030000 {
		t.Errorf("buy: %d", got)
	}
	if got := crossingPrice(6000000, 1, false, 50); got != 5970000 {
		t.Errorf("sell: %d", got)
	}
	if got := crossingPrice(1003, 10, true, 50); got != 1010 {
		t.Errorf("buy rounds up to the tick: %d", got)
	}
	if got := crossingPrice(1003, 10, false, 50); got != 990 {
		t.Errorf("sell rounds down to the tick: %d", got)
	}
}

func TestReplaceBetween(t *testing.T) {
	got, err := replaceBetween(nil, "fanout", "Fan-out", "| table |")
	if err != nil || !strings.HasPrefix(string(got), "# Benchmarks\n\n## Fan-out\n\n"+MarkdownBegin+"\n| table |\n"+MarkdownEnd) {
		t.Errorf("new file: %q %v", got, err)
	}
	doc := "# Benchmarks\n\n## Matching\n\nx\n"
	got, _ = replaceBetween([]byte(doc), "fanout", "Fan-out", "A")
	if !strings.HasPrefix(string(got), doc) || !strings.Contains(string(got), MarkdownBegin+"\nA\n"+MarkdownEnd) {
		t.Errorf("appended: %q", got)
	}
	doc = "intro\n" + MarkdownBegin + "\nold\n" + MarkdownEnd + "\nafter\n## Other\nkept\n"
	got, _ = replaceBetween([]byte(doc), "fanout", "Fan-out", "new\n")
	if want := "intro\n" + MarkdownBegin + "\nnew\n" + MarkdownEnd + "\nafter\n## Other\nkept\n"; string(got) != want {
		t.Errorf("replaced: %q, want %q", got, want)
	}
	if _, err := replaceBetween([]byte(MarkdownEnd+"\n"+MarkdownBegin), "fanout", "Fan-out", "x"); err == nil {
		t.Error("markers out of order accepted")
	}
	path := filepath.Join(t.TempDir(), "B.md")
	if err := UpdateMarkdown(path, "T1"); err != nil {
		t.Fatal(err)
	}
	if err := UpdateMarkdown(path, "T2"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if strings.Contains(string(b), "T1") || strings.Count(string(b), MarkdownBegin) != 1 {
		t.Errorf("updated twice: %q", b)
	}
}

// TestPlots: both charts are well-formed SVG with lines; nothing to plot
// is an error.
func TestPlots(t *testing.T) {
	r := sampleReport(t, true)
	var buf bytes.Buffer
	if err := PlotRun(&buf, r); err != nil {
		t.Fatal(err)
	}
	checkXML(t, buf.Bytes(), 5)
	sr := &SweepReport{Param: "ws"}
	for i, n := range []int{1000, 5000, 10000} {
		rep := sampleReport(t, false)
		rep.WS.MsgsPerSec = float64(100_000 * (i + 1))
		sr.Points = append(sr.Points, SweepPoint{Clients: n, Report: rep})
	}
	buf.Reset()
	if err := PlotSweep(&buf, sr); err != nil {
		t.Fatal(err)
	}
	checkXML(t, buf.Bytes(), 5)
	if md := sr.Markdown(); strings.Count(md, "\n| ") != 4 || !strings.Contains(md, "| 10,000 |") {
		t.Errorf("markdown:\n%s", md)
	}
	if err := PlotRun(io.Discard, &Report{}); err == nil {
		t.Error("empty report plotted")
	}
	if err := PlotSweep(io.Discard, &SweepReport{}); err == nil {
		t.Error("empty sweep plotted")
	}
}

func checkXML(t *testing.T, b []byte, lines int) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG: %v", err)
		}
	}
	if n := bytes.Count(b, []byte("<polyline")); n < lines {
		t.Errorf("SVG has %d lines, want at least %d", n, lines)
	}
}

// TestFanoutTracker: order → public trade is measured whether the trade
// reaches the subscriber before or after the trader registers it, and a
// registered trade that goes by unseen is counted missed.
func TestFanoutTracker(t *testing.T) {
	reg := &tradeRegistry{}
	f := newFanoutTracker(reg, "BTC-USD")
	tradeAt := func(id uint64, at int64) {
		h := wire.Header{Kind: wire.KindTrade, S: "BTC-USD", ID: wire.SomeID(id)}
		f.trade(&h, at)
	}
	other := wire.Header{Kind: wire.KindTrade, S: "ETH-USD", ID: wire.SomeID(1)}
	f.trade(&other, 1)      // another symbol: ignored
	tradeAt(10, 5_000_000)  // seen first …
	reg.add(10, 1_000_000)  // … registered after
	reg.add(12, 2_000_000)  // registered first …
	tradeAt(11, 6_000_000)  // (someone else's trade; catches up 10 and 12)
	tradeAt(12, 9_000_000)  // … seen after
	reg.add(13, 3_000_000)  // never seen
	tradeAt(14, 10_000_000) // passes 13
	reg.add(100, 4_000_000) // registered, not yet seen at the end
	f.finish()
	if got := f.hist.TotalCount(); got != 2 {
		t.Fatalf("recorded %d, want 2", got)
	}
	if mn, mx := f.hist.Min(), f.hist.Max(); mn < 3_990_000 || mn > 4_010_000 || mx < 6_990_000 || mx > 7_010_000 {
		t.Errorf("latencies %d..%d, want 4ms and 7ms", mn, mx)
	}
	if f.missed != 2 {
		t.Errorf("missed %d, want 2", f.missed)
	}
	// A subscriber far behind loses what the ring overwrote.
	var big tradeRegistry
	for i := range regSize + 10 {
		big.add(uint64(i), 0)
	}
	out, next, lost := big.since(0, nil)
	if len(out) != regSize || next != regSize+10 || lost != 10 {
		t.Errorf("since: %d entries, next %d, lost %d", len(out), next, lost)
	}
}
