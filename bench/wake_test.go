package bench

import (
	"testing"
	"time"
)

// TestSleepLate: the wake-up probe sleeps at least what it is asked and
// reports a lateness that is no negative and not the whole sleep again.
func TestSleepLate(t *testing.T) {
	for range 5 {
		start := time.Now()
		late := sleepLate(2 * time.Millisecond)
		took := time.Since(start)
		if late < 0 || late > took {
			t.Fatalf("late by %v after a sleep of %v", late, took)
		}
		if took < 2*time.Millisecond {
			t.Fatalf("slept %v, want at least 2ms", took)
		}
	}
}

// TestProbeWakeRecordsUntilStop: the desk's probe records looks while the
// desk runs and ends with its stop.
func TestProbeWakeRecordsUntilStop(t *testing.T) {
	d := &orderDesk{wake: newHist(), stop: make(chan struct{})}
	done := make(chan struct{})
	go func() { d.probeWake(); close(done) }()
	time.Sleep(60 * time.Millisecond)
	close(d.stop)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the probe did not stop")
	}
	d.mu.Lock()
	n := d.wake.TotalCount()
	d.mu.Unlock()
	if n == 0 {
		t.Fatal("the probe recorded nothing in 60 ms")
	}
}
