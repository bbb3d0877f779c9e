//go:build !linux

package bench

import "time"

// sleepLate sleeps d and returns how late it woke (the runtime's timer:
// coarser than a thread's own sleep).
func sleepLate(d time.Duration) time.Duration { return sleepLateTimer(d) }
