//go:build linux

package bench

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// schedSupported reports whether Config.CPUs and Config.TraderRT can be
// applied here.
const schedSupported = true

// setAffinity confines every thread of this process to cpus. On Linux
// sched_setaffinity sets one thread's mask, not the process's, so it is
// applied to each thread in turn (threads started later inherit their
// creator's). A CPU that is not online, or not allowed to this process
// (its cpuset), is an error, and leaves the process where it was: the
// kernel would take the CPUs it can and drop the others without a word.
func setAffinity(cpus []int) error {
	var want unix.CPUSet
	for _, c := range cpus {
		want.Set(c)
	}
	list := FormatCPUList(cpus)
	return eachThread(func(tid int) error {
		var old unix.CPUSet
		if err := unix.SchedGetaffinity(tid, &old); err != nil {
			return fmt.Errorf("bench: CPU affinity %s: thread %d: %w", list, tid, err)
		}
		err := unix.SchedSetaffinity(tid, &want)
		if errors.Is(err, unix.EINVAL) {
			return fmt.Errorf("bench: CPU affinity %s: none of these CPUs is online and allowed to this process (online: %s): %w",
				list, onlineCPUs(), err)
		}
		if err != nil {
			return fmt.Errorf("bench: CPU affinity %s: thread %d: %w", list, tid, err)
		}
		// The kernel reports the CPUs it took: the asked ones that are
		// online and in the process's cpuset.
		var got unix.CPUSet
		if err := unix.SchedGetaffinity(tid, &got); err != nil {
			return fmt.Errorf("bench: CPU affinity %s: thread %d: %w", list, tid, err)
		}
		if got != want {
			_ = unix.SchedSetaffinity(tid, &old)
			var missing []int
			for _, c := range cpus {
				if !got.IsSet(c) {
					missing = append(missing, c)
				}
			}
			return fmt.Errorf("bench: CPU affinity %s: CPU %s not online or not allowed to this process (online: %s)",
				list, FormatCPUList(missing), onlineCPUs())
		}
		return nil
	})
}

// setTraderRT makes every thread of this process SCHED_FIFO at
// traderRTPriority (threads started later inherit it): the order worker's
// threads then run as soon as they wake instead of waiting for a core
// behind the subscribers' workers. The traders sleep almost all the time
// (they are the measuring instrument, not the load), and the kernel's RT
// throttling (/proc/sys/kernel/sched_rt_runtime_us) bounds them anyway.
// Without the privilege it fails: a silent fallback would report a floor
// measured otherwise than the run says.
func setTraderRT() error {
	return eachThread(func(tid int) error {
		attr := unix.SchedAttr{Policy: unix.SCHED_FIFO, Priority: traderRTPriority}
		err := unix.SchedSetAttr(tid, &attr, 0)
		if errors.Is(err, unix.EPERM) {
			return fmt.Errorf("bench: trader RT (--trader-rt): SCHED_FIFO needs CAP_SYS_NICE (root), or an RLIMIT_RTPRIO of at least %d: %w",
				traderRTPriority, err)
		}
		if err != nil {
			return fmt.Errorf("bench: trader RT (--trader-rt): SCHED_FIFO on thread %d: %w", tid, err)
		}
		return nil
	})
}

// eachThread calls set on every thread of this process, by TID, looking
// at /proc/self/task again until a look finds no thread it has not set: a
// thread started before set reached its creator took the creator's old
// setting, and is caught by the next look. A thread that has exited since
// it was listed (ESRCH) is skipped.
func eachThread(set func(tid int) error) error {
	done := map[int]bool{}
	for {
		ents, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return fmt.Errorf("bench: listing this process's threads: %w", err)
		}
		fresh := 0
		for _, e := range ents {
			tid, err := strconv.Atoi(e.Name())
			if err != nil || done[tid] {
				continue
			}
			fresh++
			done[tid] = true
			if err := set(tid); err != nil && !errors.Is(err, unix.ESRCH) {
				return err
			}
		}
		if fresh == 0 {
			return nil
		}
	}
}

// onlineCPUs returns the machine's online CPUs, as the kernel lists them,
// for an error message.
func onlineCPUs() string {
	b, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(b))
}
