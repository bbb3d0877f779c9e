package bench

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
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
			WS:  kindResult{Clients: 5, Delivered: 300, WindowNS: 1e9, Hist: enc, Disconnects: map[string]int64{"4008": 1}},
			SSE: kindResult{Clients: 2, Delivered: 300, WindowNS: 1e9, Hist: enc},
		}
		if orders {
			res.Orders = &ordersResult{Rate: 5, Sent: 10, Acked: 10, Filled: 9, Unfilled: 1, Ack: enc, Fill: enc, Trade: enc,
				Rejected: map[string]int64{"price_band": 1}}
		}
		if err := m.add(res); err != nil {
			t.Fatal(err)
		}
	}
	r := m.report()
	r.Server = ServerReport{CPUPct: 143.5, RSSBytes: 600 << 20, Goroutines: 20_015}
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
		top := []string{"config", "machine", "server", "sse", "ws"}
		if orders {
			top = []string{"config", "machine", "orders", "server", "sse", "ws"}
		}
		if got := jsonKeys(t, doc); !slices.Equal(got, top) {
			t.Errorf("orders=%v: top-level keys %v, want %v", orders, got, top)
		}
		kind := []string{"clients", "conflated", "delivered", "disconnects", "gaps", "latency_ns", "msgs_per_sec"}
		lat := []string{"max", "p50", "p90", "p99", "p999"}
		for _, k := range []string{"ws", "sse"} {
			if got := jsonKeys(t, doc[k]); !slices.Equal(got, kind) {
				t.Errorf("%s keys %v, want %v", k, got, kind)
			}
			sec := doc[k].(map[string]any)
			if got := jsonKeys(t, sec["latency_ns"]); !slices.Equal(got, lat) {
				t.Errorf("%s.latency_ns keys %v, want %v", k, got, lat)
			}
			if _, ok := sec["disconnects"].(map[string]any); !ok {
				t.Errorf("%s.disconnects is %v, want an object", k, sec["disconnects"])
			}
		}
		if got := jsonKeys(t, doc["server"]); !slices.Equal(got, []string{"cpu_pct", "goroutines", "rss_bytes"}) {
			t.Errorf("server keys %v", got)
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
	r.detail = serverDetail{BaselineRSS: 100 << 20, Conns: 14, SentPerSec: 1234}
	if err := r.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ws", "sse", "4008:2", "orders: 10/s", "public trade", "cpu 144%", "goroutines 20,015", "per connection"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, buf.String())
		}
	}
	if got := r.RSSPerConn(); got != float64(500<<20)/14 {
		t.Errorf("RSSPerConn = %v", got)
	}
}

func TestGroupDigits(t *testing.T) {
	for in, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -45000: "-45,000"} {
		if got := groupDigits(in); got != want {
			t.Errorf("groupDigits(%d) = %q, want %q", in, got, want)
		}
	}
}
