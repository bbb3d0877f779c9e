package bench

import (
	"math/rand/v2"
	"testing"
	"time"
)

// latencies returns n pseudo-random latencies, log-spread from 20 µs to
// about 2 s, with a fixed seed.
func latencies(seed uint64, n int) []int64 {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(20e3 * float64(uint64(1)<<r.IntN(17)) * (1 + r.Float64()))
	}
	return out
}

// TestMergeClientsEqualsOne: per-client sparse histograms merged into a
// dense one give exactly the distribution of one histogram of every value.
func TestMergeClientsEqualsOne(t *testing.T) {
	all := newHist()
	merged := newHist()
	for c := range 50 {
		p := newPacked()
		for _, v := range latencies(uint64(c), 200+c*7) {
			_ = p.RecordValue(v)
			_ = all.RecordValue(v)
		}
		if dropped := p.MergeInto(merged); dropped != 0 {
			t.Fatalf("client %d: %d values dropped", c, dropped)
		}
	}
	if merged.TotalCount() != all.TotalCount() {
		t.Fatalf("count %d, want %d", merged.TotalCount(), all.TotalCount())
	}
	if got, want := latencyOf(merged), latencyOf(all); got != want {
		t.Errorf("merged %+v, want %+v", got, want)
	}
	if !merged.Equals(all) {
		t.Error("merged histogram differs from the single one")
	}
}

// TestEncodeDecode: the snapshot a worker sends decodes to the same
// histogram; an empty snapshot is an empty histogram.
func TestEncodeDecode(t *testing.T) {
	h := newHist()
	for _, v := range latencies(7, 5000) {
		_ = h.RecordValue(v)
	}
	s, err := encodeHist(h)
	if err != nil {
		t.Fatal(err)
	}
	back, err := decodeHist(s)
	if err != nil {
		t.Fatal(err)
	}
	if !back.Equals(h) || latencyOf(back) != latencyOf(h) {
		t.Errorf("round trip: %+v, want %+v", latencyOf(back), latencyOf(h))
	}
	empty, err := decodeHist("")
	if err != nil || empty.TotalCount() != 0 || latencyOf(empty) != (Latency{}) {
		t.Errorf("empty: %v %+v", err, latencyOf(empty))
	}
	if _, err := decodeHist("not base64!"); err == nil {
		t.Error("garbage decoded")
	}
}

// TestMergeWorkers: the coordinator's merge of several workers' results
// sums the counts and rates, merges the disconnect codes, and computes the
// percentiles over every value of every worker.
func TestMergeWorkers(t *testing.T) {
	all := newHist()
	m := newMerged()
	win := int64(2 * time.Second)
	for w := range 3 {
		h := newHist()
		for _, v := range latencies(uint64(100+w), 1000*(w+1)) {
			_ = h.RecordValue(v)
			_ = all.RecordValue(v)
		}
		enc, err := encodeHist(h)
		if err != nil {
			t.Fatal(err)
		}
		res := &workerResult{WS: kindResult{Clients: 10, Delivered: h.TotalCount(), WindowNS: win, Hist: enc,
			Gaps: int64(w), Conflated: 5, Disconnects: map[string]int64{"4008": 1, "1006": int64(w)}}}
		if err := m.add(res); err != nil {
			t.Fatal(err)
		}
	}
	r := m.report(nil, time.Time{}, nil)
	if r.WS.Clients != 30 || r.WS.Delivered != 6000 || r.WS.Gaps != 3 || r.WS.Conflated != 15 {
		t.Errorf("sums: %+v", r.WS)
	}
	if r.WS.MsgsPerSec != 3000 {
		t.Errorf("msgs/s = %v, want 3000", r.WS.MsgsPerSec)
	}
	if r.WS.Disconnects["4008"] != 3 || r.WS.Disconnects["1006"] != 3 {
		t.Errorf("disconnects = %v", r.WS.Disconnects)
	}
	if r.WS.LatencyNS != latencyOf(all) {
		t.Errorf("latency %+v, want %+v", r.WS.LatencyNS, latencyOf(all))
	}
	if r.SSE.Delivered != 0 || r.SSE.LatencyNS != (Latency{}) || r.SSE.Disconnects == nil {
		t.Errorf("sse without clients: %+v", r.SSE)
	}
	if r.Orders != nil {
		t.Error("orders present without an orders result")
	}
}

func TestClampAndFormat(t *testing.T) {
	for _, tc := range []struct {
		in, want int64
	}{{-5, 0}, {0, 0}, {1234, 1234}, {histHighest + 1, histHighest}} {
		if got := clampNS(tc.in); got != tc.want {
			t.Errorf("clampNS(%d) = %d, want %d", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct {
		ns   int64
		want string
	}{{0, "0"}, {812_345, "812µs"}, {3_214_000, "3.21ms"}, {1_200_000_000, "1.20s"}} {
		if got := fmtNS(tc.ns); got != tc.want {
			t.Errorf("fmtNS(%d) = %q, want %q", tc.ns, got, tc.want)
		}
	}
}

// TestLiveHist: the live histogram hands out the interval's samples once.
func TestLiveHist(t *testing.T) {
	l := newLiveHist()
	for i := range 100 {
		l.record(i, int64(i+1)*1000)
	}
	if got := l.take().TotalCount(); got != 100 {
		t.Errorf("first take: %d samples, want 100", got)
	}
	if got := l.take().TotalCount(); got != 0 {
		t.Errorf("second take: %d samples, want 0", got)
	}
}
