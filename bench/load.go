package bench

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// cpuSample is the CPU time used so far by the generator's processes and
// by the whole machine, read from /proc (zero where there is none).
type cpuSample struct {
	at        time.Time
	generator time.Duration // this process and the worker processes
	machine   time.Duration // every core's busy time
}

// clockTick is the unit of /proc's CPU times (USER_HZ, 100 on Linux).
const clockTick = 10 * time.Millisecond

// sampleCPU reads the CPU time of this process, of the processes pids
// (the workers) and of the machine.
func sampleCPU(pids []int) cpuSample {
	s := cpuSample{at: time.Now(), generator: processCPU("self"), machine: machineBusy()}
	for _, pid := range pids {
		s.generator += processCPU(strconv.Itoa(pid))
	}
	return s
}

// processCPU returns a process's user + system time from
// /proc/<pid>/stat, 0 if unknown.
func processCPU(pid string) time.Duration {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(b, ')') // the command may hold spaces
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64) // fields 14 and 15 of stat
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * clockTick
}

// machineBusy returns the busy time of every core from /proc/stat's cpu
// line: user, nice, system, irq and softirq (idle and iowait are not
// busy; steal is not this machine's; guest time is already in user).
func machineBusy() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	f := strings.Fields(string(line))
	if len(f) < 8 || f[0] != "cpu" {
		return 0
	}
	var busy int64
	for _, i := range []int{1, 2, 3, 6, 7} {
		n, _ := strconv.ParseInt(f[i], 10, 64)
		busy += n
	}
	return time.Duration(busy) * clockTick
}

// loadOf is the CPU use between two samples, with the server's own.
func loadOf(a, b cpuSample, serverPct float64) LoadReport {
	wall := b.at.Sub(a.at)
	if wall <= 0 {
		return LoadReport{}
	}
	pct := func(d time.Duration) float64 { return float64(d) / float64(wall) * 100 }
	l := LoadReport{GeneratorCPUPct: pct(b.generator - a.generator), MachineCPUPct: pct(b.machine - a.machine)}
	if l.MachineCPUPct > 0 {
		l.OthersCPUPct = max(0, l.MachineCPUPct-l.GeneratorCPUPct-serverPct)
	}
	return l
}

// String formats a load: "generator 31%, others 4% (machine 95%)".
func (l LoadReport) String() string {
	return fmt.Sprintf("generator %.0f%%, others %.0f%% (machine %.0f%%)", l.GeneratorCPUPct, l.OthersCPUPct, l.MachineCPUPct)
}
