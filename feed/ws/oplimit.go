package ws

import (
	"time"

	"github.com/tickcast/tickcast/feed/hub"
	"github.com/tickcast/tickcast/feed/wire"
)

// hubAnswerThrottled counts a refusal the way the venue's rate-limit
// refusals are counted.
var hubAnswerThrottled = hub.Answer{Throttled: true}

// opBucket is a session's token bucket for operations: rate a second, up
// to burst. It belongs to the reader goroutine.
type opBucket struct {
	tokens float64
	last   time.Time
}

func (b *opBucket) refill(rate float64, burst int, now time.Time) {
	if b.last.IsZero() {
		b.tokens, b.last = float64(burst), now
	}
	b.tokens = min(float64(burst), b.tokens+now.Sub(b.last).Seconds()*rate)
	b.last = now
}

// take takes a token, or reports false when the bucket is empty.
func (b *opBucket) take(rate float64, burst int, now time.Time) bool {
	b.refill(rate, burst, now)
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// wait returns how long until the bucket holds a token again (0: it
// does).
func (b *opBucket) wait(rate float64, burst int, now time.Time) time.Duration {
	b.refill(rate, burst, now)
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) / rate * float64(time.Second))
}

// pace holds the reader back while the session's operation bucket is
// empty: a client sending faster than OpRate is read at OpRate, so that
// flooding costs the server no more than that (its TCP window fills and
// its own writes block), whatever it sends.
func (s *session) pace() {
	if d := s.ops.wait(s.cfg.OpRate, s.cfg.OpBurst, time.Now()); d > 0 {
		time.Sleep(d)
	}
}

// admit decides whether the session may carry out an operation that costs
// the server real work (everything but ping): within the session's
// operation rate, and, for one that goes to the venue, with fewer than
// MaxInflight of its operations still waiting for the venue's answer (the
// caps of its account and address are charged's, inflight.go). A
// refusal is answered rate_limited at once and counts against the
// rate-limit budget, like the venue's refusals: a client that keeps
// ignoring them is closed with 1008.
func (s *session) admit(id wire.ID, venue bool) bool {
	msg := ""
	switch {
	case !s.ops.take(s.cfg.OpRate, s.cfg.OpBurst, time.Now()):
		msg = "too many operations: slow down"
	case venue && s.inflight.Load() >= int32(s.cfg.MaxInflight):
		msg = msgInflight
		s.srv.refused("session")
	default:
		return true
	}
	s.reply(&wire.Error{ID: id, Code: wire.CodeRateLimited, Msg: msg})
	s.answered(hubAnswerThrottled)
	return false
}
