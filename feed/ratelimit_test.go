package feed

import (
	"net"
	"testing"
)

func TestNetKey(t *testing.T) {
	cases := []struct {
		ip   string
		bits int
		want string
	}{
		{"203.0.113.7", 32, "203.0.113.7/32"},
		{"203.0.113.7", 24, "203.0.113.0/24"},
		{"203.0.113.250", 24, "203.0.113.0/24"},
		{"2001:db8:1:2:3:4:5:6", 24, "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff::1", 32, "2001:db8:1:2::/64"},
		{"::ffff:198.51.100.9", 24, "198.51.100.0/24"},
	}
	for _, c := range cases {
		if got := netKey(net.ParseIP(c.ip), c.bits); got != c.want {
			t.Errorf("netKey(%s, %d) = %s, want %s", c.ip, c.bits, got, c.want)
		}
	}
}

func TestKeyLimiter(t *testing.T) {
	l := newKeyLimiter(0.001, 3) // no refill to speak of within the test
	for i := range 3 {
		if !l.allow("a") {
			t.Fatalf("token %d refused", i)
		}
	}
	if l.allow("a") {
		t.Fatal("fourth token granted past the burst")
	}
	if !l.allow("b") {
		t.Fatal("another key shares the bucket")
	}
	// The map stays bounded: idle keys are forgotten first.
	l2 := newKeyLimiter(1e9, 1)
	for i := range maxBuckets + 10 {
		l2.allow(string(rune(i)))
	}
	if n := len(l2.buckets); n > maxBuckets {
		t.Fatalf("%d buckets kept, over %d", n, maxBuckets)
	}
}
