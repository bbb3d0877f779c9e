package feed

import (
	"net"
	"strconv"
	"sync"
	"time"
)

// keyLimiter is a token bucket per key (a client address or network):
// rate tokens a second, up to burst.
type keyLimiter struct {
	mu      sync.Mutex
	rate    float64
	burst   float64
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// maxBuckets bounds a limiter's memory: past it, idle buckets (full again)
// are forgotten, and if that is not enough, all of them.
const maxBuckets = 100_000

func newKeyLimiter(rate float64, burst int) *keyLimiter {
	return &keyLimiter{rate: rate, burst: float64(max(burst, 1)), buckets: map[string]*bucket{}}
}

// allow takes a token for key, or reports false if its bucket is empty.
func (l *keyLimiter) allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= maxBuckets {
			l.sweepLocked(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

func (l *keyLimiter) sweepLocked(now time.Time) {
	full := time.Duration(l.burst / l.rate * float64(time.Second))
	for k, b := range l.buckets {
		if now.Sub(b.last) >= full {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= maxBuckets {
		clear(l.buckets)
	}
}

// netKey names the network a client address belongs to for a limit: the
// address's first v4bits bits for IPv4 (32: the address itself) and its
// /64 for IPv6 (one host usually holds a whole /64, so counting single
// IPv6 addresses would count nothing).
func netKey(ip net.IP, v4bits int) string {
	if ip4 := ip.To4(); ip4 != nil {
		return ip4.Mask(net.CIDRMask(v4bits, 32)).String() + "/" + strconv.Itoa(v4bits)
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}
