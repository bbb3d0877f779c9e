package bench

import (
	"context"
	"fmt"
	"time"
)

// ShutdownReport measures how the streams ended once the server was told
// to stop (Config.Stop) after the window, with every client connected.
// The bench is a black box: the stop is the moment it called Config.Stop
// (tickbench --stop-pid: sent SIGTERM to the server's pid), and each end
// is when a client saw its stream end.
type ShutdownReport struct {
	// How says what told the server to stop (Config.StopName).
	How string `json:"how"`
	// StopNS is from the stop until Config.Stop returned: with
	// --stop-pid, until the server's process was gone.
	StopNS int64 `json:"stop_ns"`
	// StopErr is Config.Stop's error, if any.
	StopErr string `json:"stop_err,omitempty"`
	// WS and SSE are the ends of each kind's streams.
	WS  StreamEnds `json:"ws"`
	SSE StreamEnds `json:"sse"`
}

// StreamEnds counts how the streams open at the stop ended, and when.
type StreamEnds struct {
	// Open is the number of streams up when the server was told to stop.
	Open int64 `json:"open"`
	// Clean counts streams ended as the protocol says: for SSE the end of
	// the chunked body after a complete event, for WebSocket a close frame
	// with 1001 (going away).
	Clean int64 `json:"clean"`
	// Unclean counts the others: a reset, a body or an event cut short,
	// another close code, no close frame.
	Unclean int64 `json:"unclean"`
	// Left counts streams still open when the bench stopped waiting
	// (Config.StopTimeout).
	Left int64 `json:"left"`
	// FirstNS is from the stop to the first stream's end; EndNS
	// summarizes the ends of all (its max: the last).
	FirstNS int64   `json:"first_ns"`
	EndNS   Latency `json:"end_ns"`
}

// streamEnd is how one client's stream ended after the server was told
// to stop: open says it was up then, at is 0 while it has not ended.
type streamEnd struct {
	open  bool
	at    int64 // ns since the epoch
	clean bool
}

// endsResult is a worker's StreamEnds, its times absolute: the worker
// learns the stop's time only with the stop command.
type endsResult struct {
	Open    int64  `json:"open"`
	Clean   int64  `json:"clean"`
	Unclean int64  `json:"unclean"`
	First   int64  `json:"first"` // ns since the epoch; 0: none ended
	Hist    string `json:"hist"`  // from the stop to each end
}

// collectEnds summarizes the ends of the streams that were up at the stop
// (at t0, ns since the epoch).
func collectEnds(ends []streamEnd, t0 int64) (*endsResult, error) {
	r := &endsResult{}
	h := newHist()
	for _, e := range ends {
		if !e.open {
			continue
		}
		r.Open++
		if e.at == 0 {
			continue
		}
		if e.clean {
			r.Clean++
		} else {
			r.Unclean++
		}
		if r.First == 0 || e.at < r.First {
			r.First = e.at
		}
		_ = h.RecordValue(clampNS(e.at - t0))
	}
	var err error
	r.Hist, err = encodeHist(h)
	return r, err
}

// DefaultStopTimeout is Config.StopTimeout's default.
const DefaultStopTimeout = 30 * time.Second

// stopServer tells the server to stop once every worker has armed, and
// waits until every stream has ended and Config.Stop has returned, or
// until the stop timeout. It returns the stop's time.
func (c *coordinator) stopServer(ctx context.Context) (time.Time, error) {
	for _, p := range c.peers {
		p.send(command{Cmd: cmdArm})
	}
	k := len(c.peers)
	if err := c.until(ctx, "arm", time.Time{}, func() bool { return len(c.armed) == k }); err != nil {
		return time.Time{}, err
	}
	sr := &ShutdownReport{How: c.cfg.StopName}
	c.stopped = sr
	type result struct {
		err  error
		took time.Duration
	}
	returned := make(chan result, 1)
	wake := make(chan struct{}, 1)
	c.wake = wake
	defer func() { c.wake = nil }()
	t0 := time.Now()
	go func() {
		sctx, cancel := context.WithTimeout(ctx, c.cfg.StopTimeout)
		defer cancel()
		err := c.cfg.Stop(sctx)
		returned <- result{err, time.Since(t0)}
		wake <- struct{}{}
	}()
	stopped := false
	err := c.until(ctx, "shutdown", t0.Add(c.cfg.StopTimeout), func() bool {
		select {
		case res := <-returned:
			stopped = true
			sr.StopNS = int64(res.took)
			if res.err != nil {
				sr.StopErr = res.err.Error()
			}
		default:
		}
		return stopped && (sr.StopErr != "" || len(c.ended) == k) // a stop that failed ends nothing
	})
	if err != nil {
		return t0, err
	}
	if !stopped {
		sr.StopErr = fmt.Sprintf("still stopping after %v", c.cfg.StopTimeout)
	}
	return t0, nil
}

// mergeEnds adds a worker's ends to a kind's.
func mergeEnds(dst *StreamEnds, h *histMerge, src *endsResult) error {
	if src == nil {
		return nil
	}
	dst.Open += src.Open
	dst.Clean += src.Clean
	dst.Unclean += src.Unclean
	if src.First != 0 && (h.first == 0 || src.First < h.first) {
		h.first = src.First
	}
	d, err := decodeHist(src.Hist)
	if err != nil {
		return err
	}
	mergeInto(h.h, d)
	return nil
}
