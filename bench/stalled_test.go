package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"

	"github.com/tickcast/tickcast/feed/wire"
)

// tradeAt is a public message stamped ts.
func tradeAt(seq uint64, ts int64) []byte {
	return wire.Append(wire.MsgPack, nil, &wire.Trade{Meta: wire.Meta{Ch: wire.ChanTrades, S: "BTC-USD", Seq: seq, Ts: ts},
		ID: seq, Px: "1.00", Qty: "1", Side: "buy"})
}

// TestStalledDrain: the drain names how the server left a stalled
// client: the close frame found after the data, a bare end of the TCP
// connection, or live data (not cut).
func TestStalledDrain(t *testing.T) {
	since := time.Now().UnixNano()
	old := since - int64(5*time.Second)
	for _, tc := range []struct {
		name  string
		serve func(c net.Conn)
		how   string
		msgs  int64
	}{
		{"4008 after the data", func(c net.Conn) {
			for i := range 3 {
				_ = ws.WriteFrame(c, ws.NewBinaryFrame(tradeAt(uint64(i+1), old)))
			}
			_ = ws.WriteFrame(c, ws.NewPingFrame(nil))
			_ = ws.WriteFrame(c, ws.NewCloseFrame(ws.NewCloseFrameBody(4008, "slow consumer")))
		}, "4008", 3},
		{"a close frame without a code", func(c net.Conn) {
			_ = ws.WriteFrame(c, ws.NewCloseFrame(nil))
		}, "1005", 0},
		{"the connection ends without a close frame", func(c net.Conn) {
			_ = ws.WriteFrame(c, ws.NewBinaryFrame(tradeAt(1, old)))
			_ = c.Close()
		}, endEOF, 1},
		{"cut inside a frame", func(c net.Conn) {
			var b bytes.Buffer
			_ = ws.WriteFrame(&b, ws.NewBinaryFrame(tradeAt(1, old)))
			_, _ = c.Write(b.Bytes()[:b.Len()-3])
			_ = c.Close()
		}, endEOF, 0},
		{"still served: live data", func(c net.Conn) {
			_ = ws.WriteFrame(c, ws.NewBinaryFrame(tradeAt(1, old)))
			_ = ws.WriteFrame(c, ws.NewBinaryFrame(tradeAt(2, time.Now().UnixNano())))
			_ = ws.WriteFrame(c, ws.NewBinaryFrame(tradeAt(3, time.Now().UnixNano())))
		}, endOpen, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cli, srv := net.Pipe()
			go func() {
				tc.serve(srv)
				// Whatever is left is never read: a client that found its
				// end stops reading.
				go func() { _, _ = bufio.NewReader(srv).WriteTo(&bytes.Buffer{}) }()
			}()
			defer srv.Close()
			s := &stalledClient{nc: cli, br: bufio.NewReaderSize(cli, 64)}
			e := s.drain(since)
			if e.how != tc.how || e.msgs != tc.msgs || (e.msgs > 0) != (e.bytes > 0) {
				t.Errorf("drain = %+v, want %s after %d messages", e, tc.how, tc.msgs)
			}
		})
	}
}

// TestParseSockstat reads /proc/net/sockstat's TCP line, in bytes.
func TestParseSockstat(t *testing.T) {
	got := parseSockstatTCP("TCP: inuse 12 orphan 3 tw 40 alloc 15 mem 7")
	want := &TCPSample{InUse: 12, Orphans: 3, Alloc: 15, MemBytes: 7 * int64(os.Getpagesize())}
	if got == nil || *got != *want {
		t.Errorf("parse = %+v, want %+v", got, want)
	}
	if parseSockstatTCP("UDP: inuse 0 mem 0") != nil || parseSockstatTCP("") != nil {
		t.Error("another line parsed as TCP")
	}
}

// TestStalledReport: the workers' stalled clients merge, each connection
// the server stops counting in the window is matched with a stalled
// client in subscription order, and the kernel's and the server's peaks
// come from the samples.
func TestStalledReport(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	at := func(s float64) int64 { return t0.Add(time.Duration(s * float64(time.Second))).UnixNano() }
	conn := newHist()
	_ = conn.RecordValue(2e6)
	enc, _ := encodeHist(conn)
	m := newMerged()
	for _, res := range []*workerResult{
		{Stalled: &stalledResult{Clients: 2, Failed: 1, Connect: enc, Ends: map[string]int64{"4008": 2}, AfterData: 2, Msgs: 10, Bytes: 1000,
			DrainNS: 5e8, ConnectedAt: []int64{at(0), at(0.2)}}},
		{Stalled: &stalledResult{Clients: 2, Connect: enc, Ends: map[string]int64{"4008": 1, endOpen: 1}, AfterData: 1, Msgs: 7, Bytes: 700,
			DrainNS: 7e8, ConnectedAt: []int64{at(0.1), at(0.3)}}},
		{}, // a worker with no stalled client
	} {
		if err := m.add(res); err != nil {
			t.Fatal(err)
		}
	}
	sample := func(s float64, phase string, ws, rss, tcp int64) Sample {
		return Sample{at: t0.Add(time.Duration(s * float64(time.Second))), Phase: phase, WSConns: ws, RSSBytes: rss, TCP: &TCPSample{MemBytes: tcp}}
	}
	samples := []Sample{
		sample(-1, phaseBefore, 0, 10, 1),
		sample(1, phaseRamp, 5, 20, 5), // 1 fast + 4 stalled
		sample(5, phaseMeasure, 5, 90, 50),
		sample(11, phaseMeasure, 3, 80, 40), // two gone
		sample(12, phaseMeasure, 2, 70, 30), // three gone
		sample(13, phaseStop, 0, 60, 20),    // the bench's own closes: not counted
	}
	r := m.report(nil, time.Time{}, samples)
	st := r.Stalled
	if st == nil {
		t.Fatal("no stalled report")
	}
	if st.Clients != 4 || st.ConnectFailed != 1 || st.Cut != 3 || st.AfterData != 3 || st.DrainedMsgs != 17 ||
		st.DrainedBytes != 1700 || st.DrainNS != 7e8 || st.Ends["4008"] != 3 || st.Ends[endOpen] != 1 {
		t.Errorf("stalled = %+v", st)
	}
	// Gone: the 1st and 2nd subscribed (at 0 and 0.1 s) by 11 s, the 3rd
	// (at 0.2 s) by 12 s.
	if st.Gone != 3 || st.GoneMinNS != int64(10.9*1e9) || st.GoneP50NS != int64(11*1e9) || st.GoneMaxNS != int64(11.8*1e9) {
		t.Errorf("gone %d, after %v / %v / %v", st.Gone, time.Duration(st.GoneMinNS), time.Duration(st.GoneP50NS), time.Duration(st.GoneMaxNS))
	}
	if st.ConnectNS.P50 == 0 {
		t.Errorf("connect = %+v", st.ConnectNS)
	}
	if p := peakRSS(samples); p != 90 {
		t.Errorf("peak RSS %d, want 90", p)
	}
	k := kernelTCPOf(samples, samples[0].TCP, samples[4].TCP)
	if k == nil || k.BeforeBytes != 1 || k.PeakBytes != 50 || k.EndBytes != 30 {
		t.Errorf("kernel TCP = %+v", k)
	}
	if kernelTCPOf(samples, nil, samples[4].TCP) != nil {
		t.Error("a kernel TCP report without the first reading")
	}
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if got, want := jsonKeys(t, doc["stalled"]), []string{"after_data", "clients", "connect_failed", "connect_ns", "cut", "drain_ns",
		"drained_bytes", "drained_msgs", "ends", "gone", "gone_max_ns", "gone_min_ns", "gone_p50_ns"}; !slices.Equal(got, want) {
		t.Errorf("stalled keys %v, want %v", got, want)
	}
	if newMerged().report(nil, time.Time{}, samples).Stalled != nil {
		t.Error("a stalled report without stalled clients")
	}
}

// TestSummaryBaseline: with a baseline, the rows both sets have are
// followed by the baseline's and by the median of the pairs' ratios;
// the stalled rows come from the runs alone; a baseline of another
// count, or of other clients, is refused.
func TestSummaryBaseline(t *testing.T) {
	mk := func(p99 time.Duration, stalled bool) *Report {
		r := runReport(t, p99, 40<<20, 100)
		r.Server.RSSPeakBytes = 60 << 20
		r.KernelTCP = &KernelTCPReport{BeforeBytes: 1 << 20, PeakBytes: 100 << 20, EndBytes: 50 << 20}
		if stalled {
			r.Config.Stalled, r.Config.StalledRcvBuf = 1000, 4096
			r.Stalled = &StalledReport{Clients: 1000, Ends: map[string]int64{"4008": 998, endEOF: 1, "1001": 1}, Cut: 1000, AfterData: 999,
				Gone: 1000, GoneMinNS: 11e9, GoneP50NS: 14e9, GoneMaxNS: 15e9}
		}
		return r
	}
	runs := []*Report{mk(300*time.Millisecond, true), mk(100*time.Millisecond, true), mk(200*time.Millisecond, true)}
	base := []*Report{mk(100*time.Millisecond, false), mk(100*time.Millisecond, false), mk(50*time.Millisecond, false)}
	s, err := Summarize(runs)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WithBaseline(base[:2]); err == nil {
		t.Error("a baseline of 2 runs for 3 accepted")
	}
	other := mk(100*time.Millisecond, false)
	other.Config.SSE = 7
	if err := s.WithBaseline([]*Report{base[0], other, base[2]}); err == nil {
		t.Error("a baseline of other clients accepted")
	}
	if err := s.WithBaseline(base); err != nil {
		t.Fatal(err)
	}
	md := s.Markdown()
	for _, want := range []string{
		"| sse latency p99 | 200.00ms | 300.00ms / 100.00ms / 200.00ms |",
		"| sse latency p99, baseline | 100.00ms | 100.00ms / 100.00ms / 50.00ms |",
		"| sse latency p99, ratio to the baseline | 3.00× | 3.00× / 1.00× / 4.00× |",
		"| stalled … found closed with 4008 (read at the end) | 998 |",
		"| stalled … with another close code | 1 |",
		"| stalled … ended without a close frame (FIN) | 1 |",
		"| stalled subscribed → gone, median | 14.00s |",
		"| server RSS peak (1 s samples), ratio to the baseline | 1.00× |",
		"| kernel TCP memory peak, baseline | 100.0 MiB |",
		"1,000 stalled clients (the same subscription, never read, SO_RCVBUF 4096)",
		"Baseline: the rows",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "stalled clients connected, baseline") {
		t.Error("stalled rows repeated for a baseline that has none")
	}
}

// TestRatioOverZero: a pair whose baseline figure is 0 has no ratio, and
// the median is taken over the others.
func TestRatioOverZero(t *testing.T) {
	rows := []figure{{name: "kernel TCP memory peak", values: []float64{4, 6, 9}, format: fmtBytesF}}
	base := []figure{{name: "kernel TCP memory peak", values: []float64{2, 0, 3}, format: fmtBytesF}}
	out := withBaseline(rows, base)
	if len(out) != 3 {
		t.Fatalf("rows %v", out)
	}
	r := out[2]
	if got := r.format(r.median()); got != "2.50×" || r.each() != "2.00× / n/a / 3.00×" {
		t.Errorf("ratio %s (%s), want 2.50× (2.00× / n/a / 3.00×)", got, r.each())
	}
}

// TestLiveP99Split: the reading clients' per-second p99 is split where
// the server stopped counting the last stalled client; samples without a
// p99 (the coordinator's own) and outside the window are left out.
func TestLiveP99Split(t *testing.T) {
	s := func(phase string, ws, p99 int64) Sample { return Sample{Phase: phase, WSConns: ws, LiveP99NS: p99} }
	r := &Report{Stalled: &StalledReport{Clients: 10}, Timeline: []Sample{
		s(phaseRamp, 12, 99), s(phaseMeasure, 12, 0), s(phaseMeasure, 12, 30), s(phaseMeasure, 12, 50), s(phaseMeasure, 5, 40),
		s(phaseMeasure, 2, 3), s(phaseMeasure, 2, 5), s(phaseMeasure, 2, 4), s(phaseStop, 0, 1000),
	}}
	held, after := liveP99Split(r)
	if held != 40 || after != 4 {
		t.Errorf("held %v, after %v; want 40 and 4", held, after)
	}
	if w := liveP99Window(r); w != 17.5 {
		t.Errorf("window %v, want 17.5 (the median of 3 4 5 30 40 50)", w)
	}
	if _, a := liveP99Split(&Report{Stalled: &StalledReport{Clients: 10}, Timeline: r.Timeline[:4]}); !math.IsNaN(a) {
		t.Errorf("after = %v with no sample after the last stalled client went: want NaN", a)
	}
}

// TestHeldCPU: the server's CPU, and the rest of the machine's, while
// stalled clients were held and once all were gone, from the samples'
// counters.
func TestHeldCPU(t *testing.T) {
	s := func(at float64, ws int64, cpu, machine float64) Sample {
		return Sample{AtNS: int64(at * 1e9), Phase: phaseMeasure, WSConns: ws, CPUSeconds: cpu, MachineCPUSeconds: machine}
	}
	r := &Report{Stalled: &StalledReport{Clients: 10}, Timeline: []Sample{
		{Phase: phaseBefore}, s(2, 12, 1, 10), s(4, 12, 2, 12), s(6, 5, 3, 14), // held: 2 → 6 s
		s(7, 2, 3.5, 15), s(9, 2, 3.9, 15.6), // after: 7 → 9 s
	}}
	held, after := heldSplit(r)
	if len(held) != 3 || len(after) != 2 {
		t.Fatalf("held %d samples, after %d; want 3 and 2", len(held), len(after))
	}
	for _, tc := range []struct {
		name string
		got  float64
		want float64
	}{
		{"server held", cpuPct(held, false), 50}, {"others held", cpuPct(held, true), 50},
		{"server after", cpuPct(after, false), 20}, {"others after", cpuPct(after, true), 10},
	} {
		if math.Abs(tc.got-tc.want) > 1e-9 {
			t.Errorf("%s: %v%%, want %v%%", tc.name, tc.got, tc.want)
		}
	}
	if !math.IsNaN(cpuPct(after[:1], false)) {
		t.Error("a CPU figure from one sample")
	}
}
