package sim

import "github.com/tickcast/tickcast/market"

// Kinds of an instrument's timers.
const (
	timerNoise    = iota // a noise taker arrives
	timerMomentum        // a momentum taker arrives
	timerIdle            // nobody took for max_idle_s: the idle taker comes
	timerRefresh         // maker i requotes exactly with new sizes
	timerRevise          // maker i revises one order's size
	timerBlock           // a block order arrives
	timerExpiry          // a block order's lifetime ends
)

// timer names one of an instrument's timers: its kind and, for the
// makers' timers, the maker.
type timer struct {
	kind int
	i    int
}

// reschedule finds the instrument's earliest timer; it runs whenever one
// of them changed (after a step and after a timer fired), so that the
// market's wake loop reads one time per instrument.
func (s *instSim) reschedule() {
	at, t := s.noise.at, timer{kind: timerNoise}
	if s.momentum.at < at {
		at, t = s.momentum.at, timer{kind: timerMomentum}
	}
	if s.idleAt < at {
		at, t = s.idleAt, timer{kind: timerIdle}
	}
	for i := range s.makers {
		mk := &s.makers[i]
		if mk.refresh < at {
			at, t = mk.refresh, timer{timerRefresh, i}
		}
		if mk.revise < at {
			at, t = mk.revise, timer{timerRevise, i}
		}
	}
	if s.block.next < at {
		at, t = s.block.next, timer{kind: timerBlock}
	}
	if s.block.expires < at {
		at, t = s.block.expires, timer{kind: timerExpiry}
	}
	s.nextAt, s.next = at, t
}

// fire runs the instrument's earliest timer, due at s.nextAt, when the
// venue's time is now.
func (s *instSim) fire(x *market.Exchange, now int64) {
	at, t := s.nextAt, s.next
	from := at
	if now-at > maxLag {
		from = now // the venue stalled: do not replay the backlog
	}
	switch t.kind {
	case timerNoise:
		s.take(x, takeNoise)
		s.noise.fired(s.rngA, from)
		s.idleAt = now + s.idleGap
	case timerMomentum:
		s.take(x, takeMomentum)
		s.momentum.fired(s.rngA, from)
		s.idleAt = now + s.idleGap
	case timerIdle:
		s.take(x, takeIdle)
		s.idleAt = now + s.idleGap
	case timerRefresh:
		s.refreshMaker(x, t.i, from)
	case timerRevise:
		s.reviseMaker(x, t.i, from)
	case timerBlock:
		s.placeBlock(x, now)
		s.block.next = from + s.expGap(1/s.p.BlockRate)
	case timerExpiry:
		s.expireBlocks(x, now)
	}
	s.reschedule()
}

// maxLag is how late a timer may fire before its successor is counted
// from the venue's time instead of its own (live venues under load).
const maxLag = int64(1e9)
