package bench

import (
	"errors"
	"net/netip"
	"slices"
	"testing"
	"time"
)

func TestParseIPRange(t *testing.T) {
	addrs := func(ss ...string) []netip.Addr {
		var out []netip.Addr
		for _, s := range ss {
			out = append(out, netip.MustParseAddr(s))
		}
		return out
	}
	for _, tc := range []struct {
		in   string
		want []netip.Addr
		bad  bool
	}{
		{"127.0.0.2-127.0.0.5", addrs("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"), false},
		{"127.0.0.2", addrs("127.0.0.2"), false},
		{"127.0.0.2, 127.0.0.7-127.0.0.8", addrs("127.0.0.2", "127.0.0.7", "127.0.0.8"), false},
		{"127.0.0.255-127.0.1.0", addrs("127.0.0.255", "127.0.1.0"), false},
		{"", nil, false},
		{"127.0.0.9-127.0.0.2", nil, true},
		{"127.0.0.1-::1", nil, true},
		{"localhost", nil, true},
		{"10.0.0.0-10.0.255.255", nil, true}, // too many
	} {
		got, err := ParseIPRange(tc.in)
		if (err != nil) != tc.bad || !slices.Equal(got, tc.want) {
			t.Errorf("ParseIPRange(%q) = %v, %v", tc.in, got, err)
		}
		if err != nil && !errors.Is(err, ErrConfig) {
			t.Errorf("ParseIPRange(%q): %v is not ErrConfig", tc.in, err)
		}
	}
}

func TestParseTarget(t *testing.T) {
	for _, tc := range []struct {
		in       string
		http, ws string
		bad      bool
	}{
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080", "ws://127.0.0.1:8080/ws", false},
		{"ws://127.0.0.1:8080/ws", "http://127.0.0.1:8080", "ws://127.0.0.1:8080/ws", false},
		{"127.0.0.1:9000", "http://127.0.0.1:9000", "ws://127.0.0.1:9000/ws", false},
		{"https://feed.example:443/", "https://feed.example:443", "wss://feed.example:443/ws", false},
		{"", "", "", true},
		{"ftp://x:1", "", "", true},
	} {
		ep, err := parseTarget(tc.in)
		if (err != nil) != tc.bad || ep.HTTP != tc.http || ep.WS != tc.ws {
			t.Errorf("parseTarget(%q) = %+v, %v", tc.in, ep, err)
		}
	}
}

// TestShares: connections and addresses split over workers without loss.
func TestShares(t *testing.T) {
	for _, n := range []int{0, 1, 7, 10_000, 18_001} {
		for k := 1; k <= 5; k++ {
			sum := 0
			for i := range k {
				s := share(n, i, k)
				if s < n/k || s > n/k+1 {
					t.Errorf("share(%d,%d,%d) = %d", n, i, k, s)
				}
				sum += s
			}
			if sum != n {
				t.Errorf("shares of %d over %d sum to %d", n, k, sum)
			}
		}
	}
	ips, _ := ParseIPRange("127.0.0.2-127.0.0.9")
	var seen []netip.Addr
	for i := range 3 {
		seen = append(seen, ipsFor(ips, i, 3)...)
	}
	slices.SortFunc(seen, netip.Addr.Compare)
	if !slices.Equal(seen, ips) {
		t.Errorf("addresses over 3 workers: %v", seen)
	}
	if got := ipsFor(ips[:2], 4, 5); len(got) != 1 {
		t.Errorf("fewer addresses than workers: %v", got)
	}
	if ipsFor(nil, 0, 2) != nil {
		t.Error("no addresses: want nil")
	}
}

func TestWorkerCount(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want int
	}{
		{Config{WS: 10_000}, 1},
		{Config{WS: 15_000}, 1},
		{Config{WS: 15_001}, 2},
		{Config{WS: 10_000, SSE: 10_000}, 2},
		{Config{WS: 50_000}, 4},
		{Config{WS: 100, Workers: 3}, 3},
		{Config{WS: 30_000, ConnsPerWorker: 5_000}, 6},
	} {
		c, err := tc.cfg.withTarget().withDefaults()
		if err != nil {
			t.Fatal(err)
		}
		if got := c.workerCount(); got != tc.want {
			t.Errorf("%+v: %d workers, want %d", tc.cfg, got, tc.want)
		}
	}
}

func (c Config) withTarget() Config { c.Target = "127.0.0.1:1"; return c }

func TestDefaults(t *testing.T) {
	c, err := Config{WS: 4000}.withTarget().withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if c.Duration != DefaultDuration || c.Ramp != DefaultRamp || !slices.Equal(c.Channels, DefaultChannels) ||
		!slices.Equal(c.Symbols, []string{DefaultSymbol}) || c.ReadBufferSize != DefaultReadBufferSize {
		t.Errorf("defaults: %+v", c)
	}
	if want := 2*time.Second + 60*time.Second; c.RampTimeout != want {
		t.Errorf("ramp timeout %v, want %v", c.RampTimeout, want)
	}
	idle, _ := Config{WS: 1, Channels: []string{"none"}}.withTarget().withDefaults()
	if len(idle.Channels) != 0 {
		t.Errorf(`channels "none": %v`, idle.Channels)
	}
	for _, bad := range []Config{{}, {Target: "x:1", WS: -1}, {Target: "x:1", Orders: -1}, {Target: "x:1", Duration: -time.Second}} {
		if _, err := bad.withDefaults(); !errors.Is(err, ErrConfig) {
			t.Errorf("%+v: err %v, want ErrConfig", bad, err)
		}
	}
}

func TestParseSweep(t *testing.T) {
	s, err := ParseSweep("ws=1000, 5000,10000")
	if err != nil || s.Param != "ws" || !slices.Equal(s.Values, []int{1000, 5000, 10000}) {
		t.Errorf("ParseSweep = %+v, %v", s, err)
	}
	for _, bad := range []string{"ws", "orders=1,2", "ws=1,x", "sse=0", "ws="} {
		if _, err := ParseSweep(bad); !errors.Is(err, ErrConfig) {
			t.Errorf("ParseSweep(%q): %v", bad, err)
		}
	}
}
