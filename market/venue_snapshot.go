package market

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"time"

	"github.com/tickcast/tickcast/internal/deepstate"
)

// StateSaver is an Actor whose state a durable venue's snapshots keep
// (the simulated market is one). A durable venue with an actor that is not
// one takes no snapshots: it always recovers from the whole journal.
type StateSaver interface {
	// MarshalState returns the actor's state. It is called on the
	// sequencer, between steps.
	MarshalState() ([]byte, error)
	// UnmarshalState restores what MarshalState returned, into an actor
	// built from the same configuration and never started.
	UnmarshalState([]byte) error
}

// errInconsistent says that a data directory's snapshots and journal do
// not fit together.
var errInconsistent = errors.New("market: data directory inconsistent")

// snapVersion is the first value of a snapshot.
const snapVersion = 1

// venueState says what of a Venue a snapshot keeps: everything the
// sequencer owns, but not its configuration (nor what New derives from
// it: the channels built), its channels and goroutine plumbing, its
// actors (their own state is kept apart) and the idle list (kept as
// account ids, rebuilt).
var venueState = deepstate.Options{
	Keep: func(t reflect.Type, f reflect.StructField) bool {
		if f.Type == reflect.TypeFor[*slog.Logger]() {
			return true
		}
		switch t {
		case reflect.TypeFor[Venue]():
			switch f.Name {
			case "cfg", "clock", "pub", "log", "in", "done", "goLive", "recovered", "x", "liveOnce", "ran", "dur", "idleAccts", "expired", "omit", "silent", "balZero", "ended", "freeOrders":
				return true
			}
		case reflect.TypeFor[actorSlot]():
			return f.Name == "actor"
		case reflect.TypeFor[account]():
			return f.Name == "onIdle" || f.Name == "idlePrev" || f.Name == "idleNext"
		}
		return false
	},
	Interfaces: []reflect.Type{reflect.TypeFor[*bookState]()},
}

// snapshots reports whether the venue can take snapshots: every actor
// saves its state.
func (v *Venue) snapshots() bool {
	for _, s := range v.actors {
		if _, ok := s.actor.(StateSaver); !ok {
			return false
		}
	}
	return true
}

// encodeState returns the venue's state as a snapshot's payload, for the
// journal's records before index.
func (v *Venue) encodeState(index uint64) ([]byte, error) {
	b := binary.AppendUvarint(nil, snapVersion)
	b = binary.AppendUvarint(b, index)
	b = binary.AppendVarint(b, v.now)
	b = binary.AppendUvarint(b, v.cfg.AccountNonce) // a configuration the venue must keep (Config.AccountNonce)
	state, err := deepstate.Encode(nil, v, venueState)
	if err != nil {
		return nil, err
	}
	b = binary.AppendUvarint(b, uint64(len(state)))
	b = append(b, state...)
	b = binary.AppendUvarint(b, uint64(len(v.actors)))
	for _, s := range v.actors {
		st, err := s.actor.(StateSaver).MarshalState()
		if err != nil {
			return nil, err
		}
		b = binary.AppendUvarint(b, uint64(len(st)))
		b = append(b, st...)
	}
	b = binary.AppendUvarint(b, uint64(v.idleAccts.n))
	for a := v.idleAccts.front; a != nil; a = a.idleNext {
		b = appendString(b, a.id)
	}
	return b, nil
}

// snapHeader reads a snapshot's index and venue time.
func snapHeader(p []byte) (index uint64, now int64, err error) {
	r := stepReader{b: p}
	if ver := r.uvarint(); r.err == nil && ver != snapVersion {
		return 0, 0, fmt.Errorf("%w: snapshot version %d, want %d", errBadStep, ver, snapVersion)
	}
	index, now = r.uvarint(), r.varint()
	return index, now, r.err
}

// decodeState restores a snapshot's payload into a venue just built by
// New (its actors never started).
func (v *Venue) decodeState(p []byte) error {
	r := stepReader{b: p}
	r.uvarint()
	r.uvarint()
	r.varint()
	nonce := r.uvarint()
	blob := func() []byte {
		n := r.uvarint()
		if r.err == nil && n > uint64(len(r.b)) {
			r.fail("length past the end")
		}
		if r.err != nil {
			return nil
		}
		b := r.b[:n]
		r.b = r.b[n:]
		return b
	}
	state := blob()
	if r.err != nil {
		return r.err
	}
	actors := v.actors
	if err := deepstate.Decode(state, v, venueState); err != nil {
		return err
	}
	v.cfg.AccountNonce = nonce
	if len(v.actors) != len(actors) {
		return fmt.Errorf("%w: snapshot of %d actors, the venue has %d", errBadStep, len(v.actors), len(actors))
	}
	for i := range actors {
		v.actors[i].actor = actors[i].actor
	}
	if n := r.uvarint(); r.err == nil && n != uint64(len(v.actors)) {
		r.fail("actor count")
	}
	for _, s := range v.actors {
		st := blob()
		if r.err != nil {
			return r.err
		}
		if err := s.actor.(StateSaver).UnmarshalState(st); err != nil {
			return err
		}
	}
	n := r.uvarint()
	if r.err == nil && n > uint64(len(r.b)) {
		r.fail("idle count")
	}
	v.idleAccts.front, v.idleAccts.back, v.idleAccts.n = nil, nil, 0 // the accounts are the snapshot's
	for range n {
		a := v.accounts[r.string()]
		if r.err != nil {
			return r.err
		}
		if a == nil || a.onIdle {
			return fmt.Errorf("%w: idle account unknown or repeated", errBadStep)
		}
		v.idleAccts.pushBack(a)
	}
	if r.err == nil && len(r.b) != 0 {
		r.fail("bytes after the snapshot")
	}
	return r.err
}

// snapshot writes a snapshot of the state reached by every committed
// step, and removes what recovery will no longer need: snapshots and
// segments older than the one before it.
func (v *Venue) snapshot() error {
	d := v.dur
	if d.readOnly() || !d.canSnap {
		return nil
	}
	t0 := time.Now()
	index := d.j.Next()
	if index == d.lastSnapIndex {
		return nil
	}
	p, err := v.encodeState(index)
	if err != nil {
		return fmt.Errorf("market: snapshot: %w", err)
	}
	enc := time.Since(t0)
	if err := d.j.WriteSnapshot(index, p); err != nil {
		return err
	}
	d.lastSnap, d.lastSnapIndex = time.Now(), index
	if !v.cfg.keepJournal {
		if snaps, err := d.j.Snapshots(); err == nil && len(snaps) > 2 {
			if err := d.j.RemoveBefore(snaps[len(snaps)-2]); err != nil {
				return err
			}
		}
	}
	v.log.Info("market: snapshot", "index", index, "bytes", len(p), "encoding", enc.Round(time.Millisecond), "took", time.Since(t0).Round(time.Millisecond))
	return nil
}

// maybeSnapshot takes a snapshot when SnapshotInterval has passed since the
// last one.
func (v *Venue) maybeSnapshot() error {
	d := v.dur
	if !d.canSnap || time.Since(d.lastSnap) < v.cfg.SnapshotInterval {
		return nil
	}
	return v.snapshot()
}

// restore picks the snapshot to recover from, restores it and returns the
// index of the first journal record after it (0 without one): the newest
// snapshot at least ReplayWindow (in venue time) before the journal's
// end, so that the replay of the journal after it refills the hub's
// history; if none is, the whole journal when its first record is still
// there, else the oldest snapshot. A damaged snapshot refuses the start, like any damage.
func (v *Venue) restore() (uint64, error) {
	d := v.dur
	if !d.canSnap || v.cfg.ignoreSnapshots {
		return 0, nil
	}
	snaps, err := d.j.Snapshots()
	if err != nil || len(snaps) == 0 {
		return 0, err
	}
	if d.readOnly() {
		// tickcast replay: from the journal's start, or the oldest
		// snapshot when records before it were removed.
		if d.j.First() == 0 {
			return 0, nil
		}
		i := 0
		for i < len(snaps) && snaps[i] < d.j.First() {
			i++
		}
		if i == len(snaps) {
			return 0, fmt.Errorf("%w: %s: no snapshot at or after record %d", errInconsistent, d.j.Dir(), d.j.First())
		}
		snaps = snaps[i : i+1]
	}
	pick := len(snaps) - 1
	p, err := d.j.ReadSnapshot(snaps[pick])
	if err != nil {
		return 0, err
	}
	_, newestAt, err := snapHeader(p)
	if err != nil {
		return 0, fmt.Errorf("%s: snapshot %d: %w", d.j.Dir(), snaps[pick], err)
	}
	// The journal's end: its last record's time, or the newest snapshot's.
	end := newestAt
	if last, err := decodeStep(d.j.Last()); err == nil && last.kind != stepInit && len(last.reads) > 0 {
		end = max(end, last.reads[len(last.reads)-1])
	}
	at := newestAt
	for ; pick > 0 && end-at < int64(v.cfg.ReplayWindow) && snaps[pick-1] >= d.j.First(); pick-- {
		q, err := d.j.ReadSnapshot(snaps[pick-1])
		if err != nil {
			return 0, err
		}
		if _, at, err = snapHeader(q); err != nil {
			return 0, fmt.Errorf("%s: snapshot %d: %w", d.j.Dir(), snaps[pick-1], err)
		}
		p = q
	}
	if end-at < int64(v.cfg.ReplayWindow) && d.j.First() == 0 && !d.readOnly() {
		return 0, nil // no snapshot old enough, the whole journal is there: replay it all
	}
	index := snaps[pick]
	if index < d.j.First() || index > d.j.Next() {
		return 0, fmt.Errorf("%w: %s: snapshot %d outside the journal's records %d to %d", errInconsistent, d.j.Dir(), index, d.j.First(), d.j.Next())
	}
	t0 := time.Now()
	if err := v.decodeState(p); err != nil {
		return 0, fmt.Errorf("%s: snapshot %d: %w", d.j.Dir(), index, err)
	}
	d.restored = true
	d.lastSnapIndex = index
	v.log.Info("market: snapshot restored", "index", index, "bytes", len(p), "took", time.Since(t0).Round(time.Millisecond))
	return index, nil
}

// publishBooks publishes, after a restore, what the hub needs to serve the
// books from there on: per symbol a KindBookSnapshot stamped with its last
// delta's seq, off and ts. No counter moves: the journal's replay must go
// on numbering as the run that wrote it did.
func (v *Venue) publishBooks() {
	batch := make([]*Event, 0, len(v.books))
	for _, bs := range v.books {
		snap := bs.snapshot()
		snap.Seq, snap.Off, snap.TS = bs.delta.seq, bs.delta.off, bs.delta.ts
		batch = append(batch, snap)
	}
	v.dur.pub.Publish(batch)
}
