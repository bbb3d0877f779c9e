package market

import (
	"testing"
	"time"
)

// TestSilentReplayIsTheSame: replaying a journal silently (the part older
// than ReplayWindow: no public event built) reaches the same state as
// building every event, with the simulated trader alone and with users.
func TestSilentReplayIsTheSame(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cfg := durableConfig(dir, &capture{})
	cfg.Clock, cfg.SnapshotInterval, cfg.ReplayWindow = NewManualClock(start), time.Hour, time.Nanosecond
	v, _ := New(cfg)
	if err := v.Simulate(start.Add(20 * time.Second).UnixNano()); err != nil {
		t.Fatal(err)
	}
	want := stateDigest(v)
	v.Close()
	for _, win := range []time.Duration{time.Nanosecond, 1000 * time.Hour} {
		cfg := durableConfig(dir, &capture{})
		cfg.ReplayWindow = win
		cfg.ignoreSnapshots = true
		r, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		r.replay()
		r.dur.j.Close()
		if got := stateDigest(r); got != want {
			t.Fatalf("window %v: %s", win, diffLines(want, got))
		}
	}
}

func TestSilentReplayIsTheSameWithUsers(t *testing.T) {
	dir := t.TempDir()
	cfg := durableConfig(dir, &syncCapture{})
	cfg.ReplayWindow = 1000 * time.Hour
	v, _ := New(cfg)
	stop := running(t, v)
	userFlow(t, v, 300)
	time.Sleep(200 * time.Millisecond)
	stop()
	var digests []string
	for _, win := range []time.Duration{time.Nanosecond, 1000 * time.Hour} {
		cfg := durableConfig(dir, &capture{})
		cfg.ReplayWindow = win
		cfg.ignoreSnapshots = true
		r, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		r.replay()
		r.dur.j.Close()
		digests = append(digests, stateDigest(r))
	}
	if digests[0] != digests[1] {
		t.Fatal(diffLines(digests[0], digests[1]))
	}
}

// TestRestartCyclesFromSnapshots: a venue stopped and recovered from its
// snapshots four times, taking orders between, ends in the state a clean
// replay of its whole journal reaches (account ids included: the
// snapshot keeps the run's account nonce).
func TestRestartCyclesFromSnapshots(t *testing.T) {
	dir := t.TempDir()
	mk := func(win time.Duration, ignore bool) Config {
		cfg := durableConfig(dir, &syncCapture{})
		cfg.SnapshotInterval, cfg.ReplayWindow, cfg.keepJournal, cfg.ignoreSnapshots = 50*time.Millisecond, win, true, ignore
		return cfg
	}
	var last string
	for i := range 4 {
		v, err := New(mk(50*time.Millisecond, false))
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 && !v.dur.restored {
			t.Fatalf("cycle %d: no snapshot restored", i)
		}
		stop := running(t, v)
		userFlow(t, v, 100)
		time.Sleep(300 * time.Millisecond)
		stop()
		last = stateDigest(v)
	}
	r, _ := New(mk(1000*time.Hour, true))
	r.replay()
	r.dur.j.Close()
	if got := stateDigest(r); got != last {
		t.Fatal(diffLines(last, got))
	}
}
