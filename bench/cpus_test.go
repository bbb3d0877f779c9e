package bench

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseCPUList(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int
		bad  string // a part of the error, for a bad list
	}{
		{"1", []int{1}, ""},
		{"0-1", []int{0, 1}, ""},
		{"0,2-3", []int{0, 2, 3}, ""},
		{"3,0-1,1", []int{0, 1, 3}, ""}, // a set: order and repeats do not matter
		{"5-5", []int{5}, ""},
		{"007", []int{7}, ""},
		{"1023", []int{1023}, ""},
		{"0-1023", nil, ""}, // checked for its length below
		{"", nil, "empty"},
		{"1024", nil, "out of range"},
		{"0-1024", nil, "out of range"},
		{"99999999999999999999", nil, "out of range"},
		{"3-1", nil, "reversed"},
		{"-1", nil, "not a CPU number"},
		{"1-", nil, "not a CPU number"},
		{"1,", nil, "not a CPU number"},
		{",1", nil, "not a CPU number"},
		{"1,,2", nil, "not a CPU number"},
		{" 1", nil, "not a CPU number"},
		{"1 ,2", nil, "not a CPU number"},
		{"+1", nil, "not a CPU number"},
		{"a", nil, "not a CPU number"},
		{"0x1", nil, "not a CPU number"},
		{"1-2-3", nil, "not a CPU number"},
		{"0-7:2", nil, "not a CPU number"}, // taskset's strides: not in Cpus_allowed_list
	} {
		got, err := ParseCPUList(tc.in)
		if tc.bad != "" {
			if err == nil || !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.bad) {
				t.Errorf("ParseCPUList(%q) = %v, %v; want an ErrConfig saying %q", tc.in, got, err, tc.bad)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseCPUList(%q): %v", tc.in, err)
			continue
		}
		if tc.in == "0-1023" {
			if len(got) != MaxCPU || got[0] != 0 || got[MaxCPU-1] != MaxCPU-1 {
				t.Errorf("ParseCPUList(%q): %d CPUs, want %d", tc.in, len(got), MaxCPU)
			}
			continue
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("ParseCPUList(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestFormatCPUList: runs become ranges, and the result parses back.
func TestFormatCPUList(t *testing.T) {
	for _, tc := range []struct {
		in   []int
		want string
	}{
		{[]int{1}, "1"},
		{[]int{0, 1}, "0-1"},
		{[]int{0, 2, 3}, "0,2-3"},
		{[]int{0, 1, 2, 5, 7, 8}, "0-2,5,7-8"},
		{nil, ""},
	} {
		got := FormatCPUList(tc.in)
		if got != tc.want {
			t.Errorf("FormatCPUList(%v) = %q, want %q", tc.in, got, tc.want)
		}
		if back, err := ParseCPUList(got); len(tc.in) > 0 && (err != nil || !slices.Equal(back, tc.in)) {
			t.Errorf("ParseCPUList(%q) = %v, %v; want %v back", got, back, err, tc.in)
		}
	}
}

// TestConfigPlacement: trader RT needs orders, CPUs must be CPU numbers
// (and are put in order in a copy), and off Linux either is refused as
// unsupported.
func TestConfigPlacement(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		bad  string
	}{
		{"trader RT without orders", Config{WS: 1, TraderRT: true}, "needs an order rate"},
		{"a negative CPU", Config{WS: 1, CPUs: []int{-1}}, "out of range"},
		{"a CPU past MaxCPU", Config{WS: 1, CPUs: []int{0, MaxCPU}}, "out of range"},
	} {
		if _, err := tc.cfg.withTarget().withDefaults(); err == nil || !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.bad) {
			t.Errorf("%s: err %v, want an ErrConfig saying %q", tc.name, err, tc.bad)
		}
	}
	cpus := []int{3, 1, 3}
	c, err := Config{WS: 1, Orders: 5, TraderRT: true, CPUs: cpus}.withTarget().withDefaults()
	if !schedSupported {
		if err == nil || !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "not supported on this system") {
			t.Errorf("CPUs and trader RT off Linux: err %v, want not supported", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.CPUs, []int{1, 3}) || !c.TraderRT {
		t.Errorf("CPUs %v, trader RT %v; want [1 3], true", c.CPUs, c.TraderRT)
	}
	if !slices.Equal(cpus, []int{3, 1, 3}) {
		t.Errorf("the caller's CPUs changed to %v", cpus)
	}
}

// TestPlacementSpecs: every worker gets the CPUs, only the order worker
// trader RT; the report records both.
func TestPlacementSpecs(t *testing.T) {
	cfg, err := Config{WS: 10, Orders: 5, Workers: 2, TraderRT: true, CPUs: []int{1}}.withTarget().withDefaults()
	if err != nil {
		if !schedSupported {
			t.Skip("CPUs and trader RT are Linux only:", err)
		}
		t.Fatal(err)
	}
	c := &coordinator{cfg: cfg, start: time.Now()}
	k := cfg.workerCount()
	if n := c.peerCount(k); n != 3 {
		t.Fatalf("%d workers, want 2 subscribers' and the order worker", n)
	}
	for i := range 3 {
		s := c.spec(i, k)
		if !slices.Equal(s.CPUs, []int{1}) || s.TraderRT != (i == k) {
			t.Errorf("worker %d: CPUs %v, trader RT %v", i, s.CPUs, s.TraderRT)
		}
	}
	if rc := c.runConfig(3); rc.CPUs != "1" || !rc.TraderRT {
		t.Errorf("run config: CPUs %q, trader RT %v", rc.CPUs, rc.TraderRT)
	}
}

// TestPlacementReported: the header line of the table, the summary and
// the sweep's Markdown say where the generator ran, and only when the run
// said; runs placed differently are not summarized together.
func TestPlacementReported(t *testing.T) {
	r := sampleReport(t, true)
	var buf bytes.Buffer
	if err := r.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "generator on") || strings.Contains(buf.String(), "SCHED_FIFO") {
		t.Errorf("a run without placement reports one:\n%s", buf.String())
	}
	r.Config.CPUs, r.Config.TraderRT = "1", true
	buf.Reset()
	if err := r.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	header := strings.SplitN(strings.TrimLeft(buf.String(), "\n"), "\n", 2)[0]
	if !strings.HasPrefix(header, "tickbench: 10 ws + 4 sse clients") || !strings.HasSuffix(header, "; generator on CPU 1, traders SCHED_FIFO 1") {
		t.Errorf("header line: %q", header)
	}
	r.Config.CPUs, r.Config.TraderRT = "0,2-3", false
	if got := placement(&r.Config); got != "generator on CPUs 0,2-3" {
		t.Errorf("placement = %q", got)
	}

	a, b := runReport(t, time.Second, 20<<20, 100), runReport(t, time.Second, 20<<20, 100)
	a.Config.CPUs, b.Config.CPUs = "1", "1"
	a.Config.Orders, b.Config.Orders = 5, 5
	a.Config.TraderRT, b.Config.TraderRT = true, true
	s, err := Summarize([]*Report{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if md := s.Markdown(); !strings.Contains(md, "(generator on CPU 1, traders SCHED_FIFO 1)") {
		t.Errorf("summary Markdown lacks the placement:\n%s", md)
	}
	b.Config.TraderRT = false
	if _, err := Summarize([]*Report{a, b}); err == nil || !strings.Contains(err.Error(), "trader RT") {
		t.Errorf("runs with and without trader RT summarized together: %v", err)
	}
	b.Config.TraderRT, b.Config.CPUs = true, "0"
	if _, err := Summarize([]*Report{a, b}); err == nil {
		t.Error("runs on different CPUs summarized together")
	}

	sr := &SweepReport{Param: "ws", Points: []SweepPoint{{Clients: 10, Report: a}}}
	if md := sr.Markdown(); !strings.Contains(md, "source addresses (generator on CPU 1, traders SCHED_FIFO 1).") {
		t.Errorf("sweep Markdown lacks the placement:\n%s", md)
	}
}
