package hub

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// SlowReason says why a transport cut a subscriber off as a slow consumer.
type SlowReason uint8

// Reasons for cutting a slow consumer.
const (
	// SlowBacklog: its lossless backlog passed the Limits (WebSocket close
	// 4008 after what was queued; SSE: the stream ends).
	SlowBacklog SlowReason = iota + 1
	// SlowWrite: one write to it stayed blocked for the write timeout (the
	// client stopped reading; the connection is cut, WebSocket 1006).
	SlowWrite
)

// String is the reason's metric label.
func (r SlowReason) String() string {
	switch r {
	case SlowBacklog:
		return "backlog"
	case SlowWrite:
		return "write_timeout"
	}
	return "other"
}

// Backlog is what waits in a subscriber's queue: its lossless messages,
// their bytes and the age of the oldest.
type Backlog struct {
	Messages int
	Bytes    int
	Age      time.Duration
}

// slowLog rate-limits the slow-consumer log lines of one hub: a burst of
// cut-offs (a stalled network, a herd of dead clients) writes one line a
// second, with the count of those not logged.
type slowLog struct {
	mu         sync.Mutex
	last       time.Time
	suppressed int
}

const slowLogEvery = time.Second

// SlowConsumer records that sub was cut off as a slow consumer: it counts
// it by reason (Stats.SlowConsumers) and logs a warning naming the remote
// address, the backlog and its age, at most once a second per hub. The hub
// reports SlowBacklog itself when it drops an overflowed subscriber; a
// transport reports SlowWrite. A subscriber is counted and logged once,
// by the first reason reported: a writer that stalls and a queue that then
// overflows (or the other way round) are one slow consumer. Safe for
// concurrent use.
func (h *Hub) SlowConsumer(sub *Sub, why SlowReason, b Backlog) {
	if !sub.slow.CompareAndSwap(false, true) {
		return
	}
	if why == SlowWrite {
		h.stats.slowWrites.Add(1)
	} else {
		h.stats.slowBacklogs.Add(1)
	}
	l := &h.slow
	now := time.Now()
	l.mu.Lock()
	if now.Sub(l.last) < slowLogEvery {
		l.suppressed++
		l.mu.Unlock()
		return
	}
	l.last = now
	n := l.suppressed
	l.suppressed = 0
	l.mu.Unlock()
	h.cfg.Logger.LogAttrs(context.Background(), slog.LevelWarn, "slow consumer cut off",
		slog.String("remote", sub.Remote), slog.String("reason", why.String()), slog.String("transport", sub.Transport.String()),
		slog.Int("backlog_bytes", b.Bytes), slog.Int("backlog_messages", b.Messages), slog.Duration("backlog_age", b.Age.Round(time.Millisecond)),
		slog.Int("others_since_last_line", n))
}
