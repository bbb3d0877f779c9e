//go:build linux

package bench

import (
	"time"

	"golang.org/x/sys/unix"
)

// sleepLate sleeps d on the calling thread, to an absolute time of the
// monotonic clock, and returns how late it woke.
func sleepLate(d time.Duration) time.Duration {
	var now unix.Timespec
	if unix.ClockGettime(unix.CLOCK_MONOTONIC, &now) != nil {
		return sleepLateTimer(d)
	}
	at := unix.TimespecToNsec(now) + int64(d)
	ts := unix.NsecToTimespec(at)
	for {
		err := unix.ClockNanosleep(unix.CLOCK_MONOTONIC, unix.TIMER_ABSTIME, &ts, nil)
		if err != unix.EINTR {
			break
		}
	}
	if unix.ClockGettime(unix.CLOCK_MONOTONIC, &now) != nil {
		return 0
	}
	return time.Duration(max(unix.TimespecToNsec(now)-at, 0))
}
