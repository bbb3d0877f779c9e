package bench

import (
	"runtime"
	"time"
)

// wakeEvery is how long the wake-up probe sleeps between two looks.
const wakeEvery = 5 * time.Millisecond

// probeWake measures, until stop, how late a sleeping thread of the order
// worker's process wakes: a thread of its own sleeps wakeEvery at a time,
// to an absolute time where the system allows it, with no goroutine
// scheduling in between, and records how late it woke. That is the floor
// under every latency the traders measure (an ack needs their process to
// wake for it, and the server's to wake for the order): on an idle machine
// a few hundred microseconds, with a load generator on the same cores
// milliseconds at p99. It is reported beside the ack, from the same window.
func (d *orderDesk) probeWake() {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for {
		select {
		case <-d.stop:
			return
		default:
		}
		late := sleepLate(wakeEvery)
		d.mu.Lock()
		_ = d.wake.RecordValue(clampNS(int64(late)))
		d.mu.Unlock()
	}
}

// sleepLateTimer is sleepLate on the runtime's timer.
func sleepLateTimer(d time.Duration) time.Duration {
	start := time.Now()
	time.Sleep(d)
	return max(time.Since(start)-d, 0)
}
