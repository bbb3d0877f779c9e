package bench

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

func jsonKeys(t *testing.T, v any) []string {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%v is not an object", v)
	}
	return slices.Sorted(maps.Keys(m))
}

// sampleReport is a report as Run makes it, from two workers' results.
func sampleReport(t *testing.T, orders bool) *Report {
	t.Helper()
	m := newMerged()
	for w := range 2 {
		h := newHist()
		for _, v := range latencies(uint64(w), 300) {
			_ = h.RecordValue(v)
		}
		enc, _ := encodeHist(h)
		res := &workerResult{
			WS:     kindResult{Clients: 5, Delivered: 300, WindowNS: 1e9, Hist: enc, Connect: enc, Disconnects: map[string]int64{"4008": 1}},
			SSE:    kindResult{Clients: 2, Delivered: 300, WindowNS: 1e9, Hist: enc, Connect: enc, Malformed: 1},
			RampNS: int64(w+1) * 1e9,
		}
		if orders {
			res.Orders = &ordersResult{Rate: 5, Sent: 10, Acked: 10, Filled: 9, Unfilled: 1, Ack: enc, Fill: enc, Trade: enc, Wake: enc,
				Rejected: map[string]int64{"price_band": 1}}
		}
		if err := m.add(res); err != nil {
			t.Fatal(err)
		}
	}
	r := m.report(nil, time.Time{}, nil)
	if orders && r.Orders.WakeSeen != 600 {
		t.Fatalf("the wake-up probes of both workers merged to %d looks, want 600", r.Orders.WakeSeen)
	}
	r.Server = ServerReport{CPUPct: 143.5, RSSBytes: 600 << 20, BaselineRSSBytes: 100 << 20, Conns: 14,
		RSSPerConnBytes: float64(500<<20) / 14, MsgsPerSec: 1234, CPUPerMsgNS: 11_600, Goroutines: 20_015}
	r.Config = RunConfig{Target: "http://127.0.0.1:8080", WS: 10, SSE: 4, Symbols: []string{"BTC-USD"}}
	r.Machine = machineInfo()
	return r
}

// TestReportJSON: the JSON report has exactly the keys of the format,
// orders only in the active mode.
func TestReportJSON(t *testing.T) {
	for _, orders := range []bool{false, true} {
		var buf bytes.Buffer
		if err := sampleReport(t, orders).WriteJSON(&buf); err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		top := []string{"config", "load", "machine", "ramp_ns", "server", "sse", "ws"}
		if orders {
			top = []string{"config", "load", "machine", "orders", "ramp_ns", "server", "sse", "ws"}
		}
		if got := jsonKeys(t, doc); !slices.Equal(got, top) {
			t.Errorf("orders=%v: top-level keys %v, want %v", orders, got, top)
		}
		kind := []string{"clients", "conflated", "connect_ns", "delivered", "disconnects", "gaps", "latency_ns", "malformed", "msgs_per_sec"}
		lat := []string{"max", "p50", "p90", "p99", "p999"}
		for _, k := range []string{"ws", "sse"} {
			if got := jsonKeys(t, doc[k]); !slices.Equal(got, kind) {
				t.Errorf("%s keys %v, want %v", k, got, kind)
			}
			sec := doc[k].(map[string]any)
			for _, l := range []string{"latency_ns", "connect_ns"} {
				if got := jsonKeys(t, sec[l]); !slices.Equal(got, lat) {
					t.Errorf("%s.%s keys %v, want %v", k, l, got, lat)
				}
			}
			if _, ok := sec["disconnects"].(map[string]any); !ok {
				t.Errorf("%s.disconnects is %v, want an object", k, sec["disconnects"])
			}
		}
		if got, want := jsonKeys(t, doc["server"]), []string{"baseline_rss_bytes", "conflations", "conns", "cpu_pct", "cpu_per_msg_ns",
			"goroutines", "msgs_per_sec", "order_rtt", "rss_bytes", "rss_peak_bytes", "rss_per_conn_bytes", "slow_cutoffs"}; !slices.Equal(got, want) {
			t.Errorf("server keys %v, want %v", got, want)
		}
		if got, want := jsonKeys(t, doc["load"]), []string{"generator_cpu_pct", "machine_cpu_pct", "others_cpu_pct"}; !slices.Equal(got, want) {
			t.Errorf("load keys %v, want %v", got, want)
		}
		if doc["ramp_ns"] != 2e9 || doc["sse"].(map[string]any)["malformed"] != 2.0 {
			t.Errorf("ramp_ns %v (want the slowest worker's), sse.malformed %v", doc["ramp_ns"], doc["sse"].(map[string]any)["malformed"])
		}
		ws := doc["ws"].(map[string]any)
		if ws["clients"] != 10.0 || ws["delivered"] != 600.0 || ws["msgs_per_sec"] != 600.0 {
			t.Errorf("ws = %v", ws)
		}
		if d := ws["disconnects"].(map[string]any); d["4008"] != 2.0 {
			t.Errorf("ws.disconnects = %v", d)
		}
		if orders {
			o := doc["orders"].(map[string]any)
			for _, k := range []string{"ack_ns", "fill_ns", "trade_ns"} {
				if got := jsonKeys(t, o[k]); !slices.Equal(got, lat) {
					t.Errorf("orders.%s keys %v", k, got)
				}
			}
			if o["sent"] != 20.0 || o["trade_seen"] != 600.0 {
				t.Errorf("orders = %v", o)
			}
		}
	}
}

// TestReportTable: the table names every kind, the orders and the server.
func TestReportTable(t *testing.T) {
	var buf bytes.Buffer
	r := sampleReport(t, true)
	r.Shutdown = &ShutdownReport{How: "SIGTERM to pid 7", StopNS: 4e8, SSE: StreamEnds{Open: 4, Clean: 3, Unclean: 1,
		FirstNS: 1e8, EndNS: Latency{P50: 2e8, P99: 3e8, Max: 3.5e8}}}
	r.Orders.WakeNS, r.Orders.WakeSeen = Latency{P50: 9e4, P90: 1.8e5, P99: 3e6, P999: 5e6, Max: 9e6}, 3832
	if err := r.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ws", "sse", "4008:2", "orders: 10/s", "wakes late by (3,832 looks)", "3.00ms", "public trade", "cpu 144%", "11.6µs per delivery",
		"goroutines 20,015", "35.7 MiB per connection over 14", "ramp: 2.00s", "load in the window",
		"shutdown: SIGTERM to pid 7; it returned after 400.00ms", "350.00ms"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, buf.String())
		}
	}
}

// TestReportShutdown: the workers' stream ends merge into one report per
// kind, times from the stop; streams neither clean nor unclean were left
// open, and a stream that was not up at the stop does not count.
func TestReportShutdown(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	at := func(ms int64) int64 { return t0.UnixNano() + ms*1e6 }
	m := newMerged()
	for _, ends := range [][]streamEnd{
		{{true, at(100), true}, {true, at(300), true}, {true, 0, false}, {false, at(10), true}},
		{{true, at(50), false}, {true, at(200), true}},
	} {
		e, err := collectEnds(ends, t0.UnixNano())
		if err != nil {
			t.Fatal(err)
		}
		none, _ := collectEnds(nil, t0.UnixNano())
		if err := m.add(&workerResult{SSE: kindResult{Ends: e}, WS: kindResult{Ends: none}}); err != nil {
			t.Fatal(err)
		}
	}
	r := m.report(&ShutdownReport{How: "test"}, t0, nil)
	got := r.Shutdown.SSE
	if got.Open != 5 || got.Clean != 3 || got.Unclean != 1 || got.Left != 1 || got.FirstNS != 50e6 {
		t.Errorf("sse ends %+v", got)
	}
	if m := got.EndNS.Max; m < 299e6 || m > 301e6 {
		t.Errorf("last end %v, want 300 ms", time.Duration(m))
	}
	if r.Shutdown.WS != (StreamEnds{}) {
		t.Errorf("ws ends %+v, want none", r.Shutdown.WS)
	}
	if m.report(nil, t0, nil).Shutdown != nil {
		t.Error("a shutdown report without a stop")
	}
}

func TestGroupDigits(t *testing.T) {
	for in, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -45000: "-45,000"} {
		if got := groupDigits(in); got != want {
			t.Errorf("groupDigits(%d) = %q, want %q", in, got, want)
		}
	}
}
