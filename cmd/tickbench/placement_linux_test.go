//go:build linux

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/tickcast/tickcast/bench"
	"github.com/tickcast/tickcast/internal/testkit"
)

// TestSmokePlacement runs the active mode with --cpus (every CPU this
// test may use already, so that the rest of the suite runs where it
// did) and --trader-rt, and checks that the report and its header line
// record both; without CAP_SYS_NICE, that the run fails and says what it
// needs.
func TestSmokePlacement(t *testing.T) {
	list := bench.FormatCPUList(cpusNow(t))
	url := startServer(t, 5)
	out := filepath.Join(t.TempDir(), "run.json")
	args := []string{"--target", url, "--ws", "4", "--orders", "8", "--cpus", list, "--trader-rt",
		"--duration", "1s", "--warmup", "200ms", "--quiet", "--out", out}
	if !testkit.HasCapSysNice(t) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		var stdout, stderr bytes.Buffer
		if code := run(ctx, args, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "needs CAP_SYS_NICE") {
			t.Errorf("--trader-rt without CAP_SYS_NICE: exit %d, stderr:\n%s", code, stderr.String())
		}
		t.Skip("not root (no CAP_SYS_NICE): checked the error only")
	}
	watch := watchChildren(t)
	table := runTickbench(t, args...)
	seen := watch()
	fifo := 0
	for pid, w := range seen {
		if w.someFIFO {
			fifo++
			if !w.allFIFO {
				t.Errorf("worker %d: never seen with every thread SCHED_FIFO", pid)
			}
		}
	}
	if len(seen) < 2 || fifo != 1 {
		t.Errorf("%d worker processes seen, %d of them with SCHED_FIFO threads; want 2, 1 (the order worker): %v", len(seen), fifo, seen)
	}
	if want := "; generator on CPU"; !strings.Contains(table, want) || !strings.Contains(table, list+", traders SCHED_FIFO 1\n") {
		t.Errorf("the header line lacks the placement (CPUs %s, traders SCHED_FIFO 1):\n%s", list, table)
	}
	c := sub(readJSON(t, out), "config")
	if c["cpus"] != list || c["trader_rt"] != true {
		t.Errorf("config: cpus %v, trader_rt %v; want %q, true", c["cpus"], c["trader_rt"], list)
	}
	if got := bench.FormatCPUList(cpusNow(t)); got != list {
		t.Errorf("this process now runs on CPUs %s, want %s", got, list)
	}
}

// TestPlacementFlags: bad --cpus lists are refused as bad flags, and
// --trader-rt without --orders fails the run before it connects, each
// saying why.
func TestPlacementFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--ws", "1", "--cpus", "1-0"}, 2, `--cpus: bench: invalid config: CPU list "1-0": range "1-0" is reversed`},
		{[]string{"--ws", "1", "--cpus", "4096"}, 2, "out of range (0 to 1023)"},
		{[]string{"--ws", "1", "--cpus", "one"}, 2, "not a CPU number"},
		{[]string{"--ws", "1", "--cpus", "1023", "--target", "127.0.0.1:1", "--quiet"}, 1, "none of these CPUs is online"},
		{[]string{"--ws", "1", "--trader-rt", "--target", "127.0.0.1:1", "--quiet"}, 1, "needs an order rate (--orders)"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), tc.args, &stdout, &stderr)
		if code != tc.code || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("tickbench %s: exit %d, stderr %q; want exit %d saying %q", strings.Join(tc.args, " "), code, stderr.String(), tc.code, tc.want)
		}
	}
}

// childSeen is what watchChildren saw of a child process's threads.
type childSeen struct {
	someFIFO bool // a thread was SCHED_FIFO at some look
	allFIFO  bool // every thread (several) was SCHED_FIFO at some look
}

// watchChildren looks at this process's children (the worker processes)
// every 20 ms until the function it returns is called, and returns what it
// saw of their threads' scheduling policy (field 41 of
// /proc/PID/task/TID/stat; 1 is SCHED_FIFO).
func watchChildren(t *testing.T) func() map[int]childSeen {
	t.Helper()
	me := strconv.Itoa(os.Getpid())
	seen := map[int]childSeen{}
	stop, done := make(chan struct{}), make(chan struct{})
	look := func() {
		stats, _ := filepath.Glob("/proc/[0-9]*/stat")
		for _, st := range stats {
			f := statFields(st)
			if len(f) < 2 || f[1] != me { // field 4, the parent
				continue
			}
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(st)))
			tasks, _ := filepath.Glob(filepath.Join(filepath.Dir(st), "task", "*", "stat"))
			n := 0
			for _, ts := range tasks {
				if tf := statFields(ts); len(tf) > 41-3 && tf[41-3] == "1" {
					n++
				}
			}
			w := seen[pid]
			w.someFIFO = w.someFIFO || n > 0
			w.allFIFO = w.allFIFO || (n == len(tasks) && n > 1)
			seen[pid] = w
		}
	}
	go func() {
		defer close(done)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				look()
			}
		}
	}()
	return func() map[int]childSeen {
		close(stop)
		<-done
		return seen
	}
}

// statFields returns the fields of a stat file after the command (field
// 3, the state, first), or nil.
func statFields(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(string(b[i+1:]))
}

// cpusNow returns the CPUs this thread may run on.
func cpusNow(t *testing.T) []int {
	t.Helper()
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		t.Fatal(err)
	}
	var out []int
	for c := range bench.MaxCPU {
		if set.IsSet(c) {
			out = append(out, c)
		}
	}
	return out
}
