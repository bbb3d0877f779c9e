package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// machineCPU returns the busy and total CPU time of the whole machine so
// far (first line of /proc/stat; idle and iowait count as not busy).
func machineCPU() (busy, total time.Duration) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	var sum, idle int64
	// user nice system idle iowait irq softirq; steal is not ours, guest
	// time is already in user.
	for i, s := range f[1:min(len(f), 8)] {
		n, _ := strconv.ParseInt(s, 10, 64)
		sum += n
		if i == 3 || i == 4 {
			idle += n
		}
	}
	tick := 10 * time.Millisecond // USER_HZ 100
	return time.Duration(sum-idle) * tick, time.Duration(sum) * tick
}

// busyCores measures the machine's busy cores over d.
func busyCores(d time.Duration) float64 {
	b0, _ := machineCPU()
	time.Sleep(d)
	b1, _ := machineCPU()
	return float64(b1-b0) / float64(d)
}

// waitQuiet waits until the machine uses less than limit cores over 3 s
// (other benchmarks share it), or until timeout; it reports the last
// figure and whether it was quiet.
func waitQuiet(limit float64, timeout time.Duration) (float64, bool) {
	deadline := time.Now().Add(timeout)
	for {
		busy := busyCores(3 * time.Second)
		if busy < limit {
			return busy, true
		}
		if time.Now().After(deadline) {
			return busy, false
		}
		fmt.Fprintf(os.Stderr, "loadtest: the machine is busy (%.2f cores): waiting\n", busy)
	}
}
