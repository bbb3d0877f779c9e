package bench

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// MaxCPU bounds the CPU numbers of Config.CPUs: a CPU is numbered below it
// (the size of the kernel's default CPU set, and of unix.CPUSet).
const MaxCPU = 1024

// traderRTPriority is the traders' SCHED_FIFO priority (Config.TraderRT):
// the lowest, enough to run before every ordinary (SCHED_OTHER) thread as
// soon as they wake, and below every real-time thread of the kernel's own.
const traderRTPriority = 1

// errSchedUnsupported reports Config.CPUs or Config.TraderRT on a system
// where bench cannot apply them.
var errSchedUnsupported = errors.New("not supported on this system (Linux only)")

// ParseCPUList parses a list of CPUs in the format of taskset -c and of
// /proc's Cpus_allowed_list: comma-separated numbers and ranges, "1",
// "0-1", "0,2-3". It returns the CPUs in increasing order, each once. It
// is strict (no blanks, signs, empty items or reversed ranges; every CPU
// below MaxCPU), since a mistyped list would pin the generator somewhere
// the operator did not mean.
func ParseCPUList(s string) ([]int, error) {
	if s == "" {
		return nil, fmt.Errorf("%w: CPU list is empty", ErrConfig)
	}
	var seen [MaxCPU]bool
	for _, item := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(item, "-")
		a, err := parseCPU(s, item, lo)
		if err != nil {
			return nil, err
		}
		b := a
		if isRange {
			if b, err = parseCPU(s, item, hi); err != nil {
				return nil, err
			}
			if b < a {
				return nil, fmt.Errorf("%w: CPU list %q: range %q is reversed", ErrConfig, s, item)
			}
		}
		for c := a; c <= b; c++ {
			seen[c] = true
		}
	}
	var out []int
	for c, ok := range seen {
		if ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// parseCPU parses one CPU number of item in the list s: decimal digits
// only, below MaxCPU.
func parseCPU(s, item, num string) (int, error) {
	if num == "" || strings.TrimLeft(num, "0123456789") != "" {
		return 0, fmt.Errorf("%w: CPU list %q: %q is not a CPU number or a range of them (want e.g. 1, 0-1 or 0,2-3)", ErrConfig, s, item)
	}
	n, err := strconv.Atoi(num)
	if err != nil || n >= MaxCPU {
		return 0, fmt.Errorf("%w: CPU list %q: CPU %s is out of range (0 to %d)", ErrConfig, s, num, MaxCPU-1)
	}
	return n, nil
}

// FormatCPUList writes CPUs (in increasing order) back in the format of
// ParseCPUList, runs of consecutive CPUs as ranges: "0-1,3".
func FormatCPUList(cpus []int) string {
	var parts []string
	for i := 0; i < len(cpus); {
		j := i
		for j+1 < len(cpus) && cpus[j+1] == cpus[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(cpus[i]))
		} else {
			parts = append(parts, strconv.Itoa(cpus[i])+"-"+strconv.Itoa(cpus[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// checkPlacement validates Config.CPUs (and puts them in increasing
// order, each once, in a copy of its own) and Config.TraderRT.
func (c *Config) checkPlacement() error {
	for _, cpu := range c.CPUs {
		if cpu < 0 || cpu >= MaxCPU {
			return fmt.Errorf("%w: CPU %d is out of range (0 to %d)", ErrConfig, cpu, MaxCPU-1)
		}
	}
	if len(c.CPUs) > 0 {
		c.CPUs = slices.Compact(slices.Sorted(slices.Values(c.CPUs)))
	}
	if c.TraderRT && c.Orders <= 0 {
		return fmt.Errorf("%w: trader RT (--trader-rt) applies to the traders: it needs an order rate (--orders)", ErrConfig)
	}
	if !schedSupported {
		if len(c.CPUs) > 0 {
			return fmt.Errorf("%w: CPU affinity (--cpus): %w", ErrConfig, errSchedUnsupported)
		}
		if c.TraderRT {
			return fmt.Errorf("%w: trader RT (--trader-rt): %w", ErrConfig, errSchedUnsupported)
		}
	}
	return nil
}

// applyPlacement puts this process where spec says, at a worker's start,
// before it opens a connection: every thread on spec.CPUs (the coordinator
// did so before starting it, but a process inherits the mask of the one
// thread that forked it; here nothing depends on which), and, for the
// order worker with TraderRT, every thread SCHED_FIFO.
func applyPlacement(spec *workerSpec) error {
	if len(spec.CPUs) > 0 {
		if err := setAffinity(spec.CPUs); err != nil {
			return err
		}
	}
	if spec.TraderRT {
		return setTraderRT()
	}
	return nil
}

// placement says where the generator ran, when the run said (Config.CPUs,
// Config.TraderRT): "generator on CPU 1, traders SCHED_FIFO"; "" when it
// left that to the system.
func placement(c *RunConfig) string {
	var parts []string
	if c.CPUs != "" {
		cpu := "CPU "
		if strings.ContainsAny(c.CPUs, ",-") {
			cpu = "CPUs "
		}
		parts = append(parts, "generator on "+cpu+c.CPUs)
	}
	if c.TraderRT {
		parts = append(parts, fmt.Sprintf("traders SCHED_FIFO %d", traderRTPriority))
	}
	return strings.Join(parts, ", ")
}

// samePlacement reports whether two runs placed the generator alike, so
// that their figures may be summarized together.
func samePlacement(a, b *RunConfig) bool { return a.CPUs == b.CPUs && a.TraderRT == b.TraderRT }
