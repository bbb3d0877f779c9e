package market

// rateLimit is a token bucket in its GCRA form: integer nanoseconds, no
// floats, driven by the venue's clock so that it is deterministic.
type rateLimit struct {
	interval int64 // ns between tokens: 1e9 / rate
	slack    int64 // (burst-1) * interval: how far ahead tat may run
	tat      int64 // theoretical arrival time of the next request
}

func newRateLimit(perSecond float64, burst int) rateLimit {
	iv := int64(1e9 / perSecond)
	if iv < 1 {
		iv = 1
	}
	return rateLimit{interval: iv, slack: int64(burst-1) * iv}
}

// allow takes a token at time now, or reports false when none is left.
func (r *rateLimit) allow(now int64) bool {
	tat := max(r.tat, now)
	if tat-r.slack > now {
		return false
	}
	r.tat = tat + r.interval
	return true
}
