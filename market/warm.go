package market

import (
	"context"
	"time"
)

// Live is closed once the venue serves its market as it is: from New
// without a warm start (Config.WarmStart), else when Run has finished it.
func (v *Venue) Live() <-chan struct{} { return v.goLive }

// warming reports whether Run starts with a warm start.
func (v *Venue) warming() bool { return v.cfg.WarmStart > 0 && len(v.actors) > 0 }

// warmChunk is how much simulated time the warm start runs between two
// looks at its context.
const warmChunk = int64(time.Minute)

// warmStart runs the actors on a simulated clock from d before the
// venue's clock reads up to what it reads when that is done (catching up
// with the time the warm start itself took), building no public event,
// then switches to the venue's clock and publishes the state reached. It
// returns false if ctx ended first.
func (v *Venue) warmStart(ctx context.Context, d time.Duration) bool {
	t0 := time.Now()
	live := v.clock
	end := live.Now()
	mc := NewManualClock(time.Unix(0, end-int64(d)))
	v.clock, v.silent = mc, true
	v.startActors()
	for {
		for t := mc.Now(); t < end; {
			t = min(t+warmChunk, end)
			v.simulateTo(mc, t)
			if ctx.Err() != nil {
				v.clock, v.silent = live, false
				return false
			}
		}
		// The warm start took time: catch up with the clock until it
		// is less than a millisecond ahead.
		if now := live.Now(); now-end >= int64(time.Millisecond) {
			end = now
			continue
		}
		break
	}
	v.clock, v.silent = live, false
	v.publishState()
	v.log.Info("market: warm start done", "simulated", d, "took", time.Since(t0).Round(time.Millisecond), "offset", v.off)
	return true
}

// publishState publishes, as one batch, what a consumer that saw nothing
// before needs to serve the market as it is: per symbol the full book as a
// KindBookSnapshot with the seq, off and ts of the last delta (the deltas
// that follow apply on top of it), then the quote, the ticker (once the
// symbol traded) and the current candle of each interval (the open one,
// or the last closed) as fresh events.
func (v *Venue) publishState() {
	v.now = max(v.clock.Now(), v.now)
	for _, bs := range v.books {
		snap := bs.snapshot()
		snap.Seq, snap.Off, snap.TS = bs.delta.seq, bs.delta.off, bs.delta.ts
		v.emit(snap)
		bs.emitQuote()
		if bs.tkr.seq > 0 {
			bs.publishTicker()
		}
		for i := range bs.candles {
			bs.candles[i].publishLatest(bs)
		}
	}
	v.flush()
}
