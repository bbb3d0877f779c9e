package market

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/tickcast/tickcast/market/journal"
	"github.com/tickcast/tickcast/orders"
)

// durable is the part of a venue that keeps it on disk (Config.DataDir):
// the journal, and what waits for its next group commit.
type durable struct {
	j        *journal.Journal
	pub      Publisher       // the real publisher: batches reach it once durable
	held     [][]*Event      // batches published since the last commit
	waiters  []chan struct{} // queries and account creations to answer after it
	rc       recClock
	tape     tapeClock
	rec      []byte
	err      error  // the first journal error: the venue stops on it
	steps    uint64 // steps replayed at recovery
	replayed bool   // replay ran

	canSnap       bool      // every actor saves its state (StateSaver)
	base          uint64    // the first record after the snapshot restored
	restored      bool      // a snapshot was restored
	lastSnap      time.Time // when the last snapshot was written (or the journal opened)
	lastSnapIndex uint64
	ro            bool
}

func (d *durable) readOnly() bool { return d.ro }

// holdPublisher keeps a durable venue's batches until the records of the
// steps that made them are durable.
type holdPublisher struct{ d *durable }

// Publish holds batch for the next commit.
func (h holdPublisher) Publish(batch []*Event) { h.d.held = append(h.d.held, batch) }

// recClock reads its base clock and remembers every reading: the clock of
// a step being journaled.
type recClock struct {
	base  Clock
	reads []int64
}

// Now reads the base clock and records the reading.
func (c *recClock) Now() int64 {
	t := c.base.Now()
	c.reads = append(c.reads, t)
	return t
}

// tapeClock gives back a journaled step's readings in order: the clock of
// a step being replayed.
type tapeClock struct {
	reads []int64
	i     int
	over  bool // read more often than when journaled: the replay diverged
}

// Now returns the next reading.
func (c *tapeClock) Now() int64 {
	if c.i >= len(c.reads) {
		c.over = true
		if len(c.reads) == 0 {
			return 0
		}
		return c.reads[len(c.reads)-1]
	}
	t := c.reads[c.i]
	c.i++
	return t
}

// openDurable opens (and checks) the data directory; Run replays its
// journal.
func (v *Venue) openDurable() error {
	j, err := journal.Open(v.cfg.DataDir, journal.Options{Logger: v.log, ReadOnly: v.cfg.readOnly})
	if err != nil {
		return err
	}
	d := &durable{j: j, pub: v.pub, ro: v.cfg.readOnly, lastSnap: time.Now()}
	d.canSnap = v.snapshots()
	v.dur = d
	v.pub = holdPublisher{d}
	if d.base, err = v.restore(); err != nil {
		j.Close()
		return err
	}
	return nil
}

// whenDurable closes done once the current step is durable (at once
// without a journal).
func (v *Venue) whenDurable(done chan struct{}) {
	if v.dur == nil {
		close(done)
		return
	}
	v.dur.waiters = append(v.dur.waiters, done)
}

// step runs one step of the sequencer and journals it.
func (v *Venue) step(kind stepKind, c *command) {
	d := v.dur
	if d == nil {
		v.runStep(kind, c)
		return
	}
	base := v.clock
	d.rc.base, d.rc.reads = base, d.rc.reads[:0]
	v.clock = &d.rc
	v.runStep(kind, c)
	v.clock = base
	v.journal(kind, d.rc.reads, c)
}

func (v *Venue) journal(kind stepKind, reads []int64, c *command) {
	d := v.dur
	d.rec = appendStep(d.rec[:0], kind, reads, c)
	if err := d.j.Append(d.rec); err != nil && d.err == nil {
		d.err = err
	}
}

func (v *Venue) runStep(kind stepKind, c *command) {
	switch kind {
	case stepCommand:
		v.apply(*c)
	case stepAdvance:
		v.advance()
	case stepStart:
		v.startActors()
	case stepRestart:
		v.restart()
	}
}

// warmStep runs the warm start and journals it: its record holds the
// duration and then the readings of the live clock.
func (v *Venue) warmStep(ctx context.Context) bool {
	d := v.dur
	if d == nil {
		return v.warmStart(ctx, v.cfg.WarmStart)
	}
	base := v.clock
	d.rc.base, d.rc.reads = base, append(d.rc.reads[:0], int64(v.cfg.WarmStart))
	v.clock = &d.rc
	ok := v.warmStart(ctx, v.cfg.WarmStart)
	v.clock = base
	if ok {
		v.journal(stepWarm, d.rc.reads, nil)
	}
	return ok
}

// restart is the first step after a recovery: every session of the last
// run is gone, so the accounts forget them (as a detach of each would),
// the orders of those that asked for cancel-on-disconnect are canceled,
// and accounts left without session or open order become idle.
func (v *Venue) restart() {
	v.now = max(v.clock.Now(), v.now)
	v.closeDueCandles()
	v.expireIdle()
	v.op = opContext{}
	for _, a := range v.owners[1:] {
		if a == nil || len(a.cod) == 0 && len(a.sessions) == 0 {
			continue
		}
		clear(a.sessions)
		if len(a.cod) > 0 {
			clear(a.cod)
			for _, bs := range v.books {
				bs.book.CancelAll(a.owner, orders.DoneDisconnect)
			}
		}
		v.updateIdle(a)
	}
	v.flush()
}

// commit makes the steps journaled since the last commit durable with one
// fsync, then publishes their batches and answers their waiters. Without
// a journal it does nothing.
func (v *Venue) commit() error {
	d := v.dur
	if d == nil {
		return nil
	}
	if d.err == nil {
		d.err = d.j.Commit()
	}
	if d.err != nil {
		return fmt.Errorf("market: journal: %w", d.err)
	}
	for i, b := range d.held {
		d.pub.Publish(b)
		d.held[i] = nil
	}
	d.held = d.held[:0]
	for i, w := range d.waiters {
		close(w)
		d.waiters[i] = nil
	}
	d.waiters = d.waiters[:0]
	return v.maybeSnapshot()
}

// replay applies the journal, publishing its events as they come (they
// are durable already). It reports whether the venue has state.
func (v *Venue) replay() (bool, error) {
	d := v.dur
	d.replayed = true
	t0 := time.Now()
	base := v.clock
	defer func() { v.clock = base }()
	// What is older than ReplayWindow before the journal's end is
	// replayed silently (no public event built, every counter advancing
	// the same, as in the warm start) and published to nobody: only the
	// rest refills the hub's history, and building events is most of a
	// replay's cost. The books are published where the rest begins.
	silentUntil := int64(math.MinInt64)
	if last, err := decodeStep(d.j.Last()); err == nil && last.kind != stepInit && len(last.reads) > 0 && !d.readOnly() {
		silentUntil = last.reads[len(last.reads)-1] - int64(v.cfg.ReplayWindow)
	}
	quietFrom := func(st *step) bool {
		return st.kind == stepInit || len(st.reads) > 0 && st.reads[len(st.reads)-1] < silentUntil
	}
	needBooks := d.restored // the hub has not seen the books as they are
	err := d.j.Records(d.base, func(i uint64, p []byte) error {
		st, err := decodeStep(p)
		if err != nil {
			return fmt.Errorf("%s: record %d: %w", d.j.Dir(), i, err)
		}
		quiet := quietFrom(&st)
		if !quiet && needBooks && st.kind != stepWarm {
			v.silent = false
			v.publishBooks()
			needBooks = false
		}
		if st.kind != stepWarm {
			v.silent = quiet
		}
		d.tape = tapeClock{reads: st.reads}
		v.clock = &d.tape
		if st.kind == stepInit {
			if len(st.reads) != 1 {
				return fmt.Errorf("%s: record %d: %w: init without the account nonce", d.j.Dir(), i, errBadStep)
			}
			v.cfg.AccountNonce, d.tape.i = uint64(st.reads[0]), 1
		} else if st.kind == stepWarm {
			if len(st.reads) == 0 {
				return fmt.Errorf("%s: record %d: %w: warm start without its duration", d.j.Dir(), i, errBadStep)
			}
			d.tape.i = 1
			v.warmStart(context.Background(), time.Duration(st.reads[0]))
		} else {
			v.runStep(st.kind, &st.cmd)
		}
		if d.tape.over || d.tape.i != len(d.tape.reads) {
			return fmt.Errorf("%s: record %d: the replay diverged from the journal (%d clock readings journaled, %d made)", d.j.Dir(), i, len(d.tape.reads), d.tape.i)
		}
		d.steps++
		switch {
		case quiet && st.kind != stepInit:
			v.silent, needBooks = true, true
			clear(d.held) // built before silence (a warm start's state): seen by nobody
		case st.kind == stepWarm:
			needBooks = false // the warm start published its state
		}
		for _, b := range d.held {
			if b != nil {
				d.pub.Publish(b)
			}
		}
		clear(d.held)
		d.held = d.held[:0]
		return nil
	})
	v.silent = false
	if needBooks && err == nil {
		v.publishBooks()
	}
	if err != nil {
		return false, err
	}
	has := v.actorsStarted // a journal with its init record alone holds no state
	if has {
		v.log.Info("market: recovered", "dir", d.j.Dir(), "snapshot", d.base, "replayed", d.steps,
			"took", time.Since(t0).Round(time.Millisecond), "offset", v.off)
	}
	return has, nil
}

// begin brings a venue to the point where Run applies commands: a
// durable venue with state recovers it, a fresh one warm starts (or just
// starts its actors). It returns false if ctx ended first.
func (v *Venue) begin(ctx context.Context) (bool, error) {
	if v.dur != nil {
		has, err := v.replay()
		if err != nil {
			return false, err
		}
		close(v.recovered)
		if has {
			if !v.actorsStarted {
				v.actorsStarted = true
			}
			v.step(stepRestart, nil)
			return true, v.commit()
		}
	}
	if v.dur != nil {
		// The first record: account ids mix in this nonce, which a
		// replay must use again (Config.AccountNonce).
		v.journal(stepInit, []int64{int64(v.cfg.AccountNonce)}, nil)
	}
	if v.warming() {
		if !v.warmStep(ctx) {
			return false, nil
		}
	} else {
		v.step(stepStart, nil)
	}
	return true, v.commit()
}

// closeDurable commits what is left and closes the journal.
func (v *Venue) closeDurable() error {
	d := v.dur
	if d == nil {
		return nil
	}
	err := v.commit()
	// A snapshot at a clean stop, unless the last one is more recent than
	// ReplayWindow: recovery would have to replay from the one before.
	if err == nil && v.actorsStarted && time.Since(d.lastSnap) >= v.cfg.ReplayWindow {
		err = v.snapshot()
	}
	if cerr := d.j.Close(); err == nil {
		err = cerr
	}
	return err
}

// Close releases the data directory of a venue whose Run was never
// called (Run releases it when it returns). It does nothing otherwise.
func (v *Venue) Close() error {
	if v.dur == nil || v.ran.Swap(true) {
		return nil
	}
	return v.dur.j.Close()
}

// Recovered is closed once the venue has replayed its journal and
// published what the replay published (at once for a venue in memory);
// the warm start, if any, comes after.
func (v *Venue) Recovered() <-chan struct{} { return v.recovered }

// markLive closes Live, once.
func (v *Venue) markLive() { v.liveOnce.Do(func() { close(v.goLive) }) }

// simulateDurable is Simulate for a durable venue: every wake is a
// journaled step, as Run would journal it, committed a few thousand at a
// time (a journal made offline, to replay or to recover from later).
func (v *Venue) simulateDurable(mc *ManualClock, until int64) error {
	if !v.dur.replayed {
		if _, err := v.replay(); err != nil {
			return err
		}
	}
	if !v.actorsStarted {
		v.journal(stepInit, []int64{int64(v.cfg.AccountNonce)}, nil)
		v.step(stepStart, nil)
	}
	for n := 1; ; n++ {
		next := v.nextWake()
		last := next > until
		if last {
			mc.Set(until)
		} else if next > mc.Now() {
			mc.Set(next)
		}
		v.step(stepAdvance, nil)
		if last || n%4096 == 0 {
			if err := v.commit(); err != nil {
				return err
			}
		}
		if last {
			return nil
		}
	}
}

// Replay rebuilds the venue of the data directory cfg.DataDir from its
// journal and publishes to cfg.Publisher every event the venue published
// (of cfg.Channels), in order: what the feed sent, for debugging and
// backtests. cfg must be the configuration the directory was made with
// (seed, epoch, instruments, limits, actors). The directory is only read:
// a server may be running on it (its last records may then be missing).
// It returns how many steps were replayed.
func Replay(cfg Config) (uint64, error) {
	if cfg.DataDir == "" {
		return 0, errors.New("market: Replay needs Config.DataDir")
	}
	cfg.readOnly = true
	v, err := New(cfg)
	if err != nil {
		return 0, err
	}
	defer v.dur.j.Close()
	_, err = v.replay()
	return v.dur.steps, err
}
