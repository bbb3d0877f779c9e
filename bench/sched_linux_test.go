//go:build linux

package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/tickcast/tickcast/internal/testkit"
)

// placementEnv makes the test binary, run again by startPlacementChild,
// a child that applies a workerSpec's placement (applyPlacement, as a
// worker does at its start) to itself: the spec is the variable's value,
// in JSON.
const placementEnv = "TICKBENCH_TEST_PLACEMENT"

// TestPlacementChild is the child's side: not a test of its own. It starts
// threads, applies the spec, starts more threads (which must inherit),
// prints "ok" or the error on a line, and holds its threads until its
// stdin closes, while the parent looks at them in /proc.
func TestPlacementChild(t *testing.T) {
	spec := os.Getenv(placementEnv)
	if spec == "" {
		t.Skip("the child process of TestAffinityEveryThread and TestTraderRTEveryThread")
	}
	hold := make(chan struct{})
	lockThreads := func(n int) {
		started := make(chan struct{})
		for range n {
			go func() {
				runtime.LockOSThread() // a thread of its own, until hold closes
				started <- struct{}{}
				<-hold
			}()
		}
		for range n {
			<-started
		}
	}
	lockThreads(4)
	var s workerSpec
	err := json.Unmarshal([]byte(spec), &s)
	if err == nil {
		err = applyPlacement(&s)
	}
	lockThreads(4)
	if err != nil {
		fmt.Println("error:", err)
	} else {
		fmt.Println("ok")
	}
	_, _ = io.Copy(io.Discard, os.Stdin)
	close(hold)
}

// placementChild is a child run by startPlacementChild.
type placementChild struct {
	pid  int
	line string // "ok", or "error: …"
}

// startPlacementChild runs the test binary again as a child that applies
// spec to itself, and returns once it has said how that went; the child
// ends with the test.
func startPlacementChild(t *testing.T, spec workerSpec) placementChild {
	t.Helper()
	b, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestPlacementChild$", "-test.count=1", "-test.shuffle=off")
	cmd.Env = append(os.Environ(), placementEnv+"="+string(b))
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = in.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if l := sc.Text(); l == "ok" || strings.HasPrefix(l, "error: ") {
				lines <- l
				break
			}
		}
		close(lines)
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case l, ok := <-lines:
		if !ok {
			t.Fatal("the child ended without saying how its placement went")
		}
		return placementChild{pid: cmd.Process.Pid, line: l}
	case <-time.After(30 * time.Second):
		t.Fatal("the child said nothing in 30 s")
	}
	return placementChild{}
}

// threads returns, for each thread of process pid, what read says of
// /proc/pid/task/TID.
func threads(t *testing.T, pid int, read func(dir string) (string, error)) map[string]string {
	t.Helper()
	dirs, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*", pid))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("threads of %d: %v, %v", pid, dirs, err)
	}
	out := map[string]string{}
	for _, d := range dirs {
		v, err := read(d)
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		out[filepath.Base(d)] = v
	}
	return out
}

// cpusAllowed reads a thread's Cpus_allowed_list.
func cpusAllowed(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "status"))
	if err != nil {
		return "", err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "Cpus_allowed_list:"); ok {
			return strings.TrimSpace(v), nil
		}
	}
	return "", errors.New("no Cpus_allowed_list")
}

// schedPolicy reads a thread's rt_priority and policy, fields 40 and 41
// of its stat, as "priority/policy".
func schedPolicy(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return "", err
	}
	// The command, field 2, is in parentheses and may hold blanks: the
	// fields after it count from its closing one (field 3 first).
	i := bytes.LastIndexByte(b, ')')
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 39 {
		return "", fmt.Errorf("stat has %d fields after the command", len(f)+2)
	}
	return f[40-3] + "/" + f[41-3], nil
}

// allowedCPUs returns the CPUs this test process may run on.
func allowedCPUs(t *testing.T) []int {
	t.Helper()
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		t.Fatal(err)
	}
	var out []int
	for c := range MaxCPU {
		if set.IsSet(c) {
			out = append(out, c)
		}
	}
	return out
}

// TestAffinityEveryThread: a worker's CPUs confine every thread of its
// process, those it had before and those it starts after.
func TestAffinityEveryThread(t *testing.T) {
	all := allowedCPUs(t)
	want := all[len(all)-1:] // one CPU: a change from the default wherever there are two
	c := startPlacementChild(t, workerSpec{CPUs: want})
	if c.line != "ok" {
		t.Fatalf("child: %s", c.line)
	}
	got := threads(t, c.pid, cpusAllowed)
	if len(got) < 9 {
		t.Errorf("the child has %d threads, want at least the 8 it locked and its main", len(got))
	}
	for tid, list := range got {
		if list != FormatCPUList(want) {
			t.Errorf("thread %s of the child: Cpus_allowed_list %s, want %s", tid, list, FormatCPUList(want))
		}
	}
}

// TestAffinityNotOnline: a CPU that is not online fails, says which, and
// leaves every thread where it was; a list of none fails at once.
func TestAffinityNotOnline(t *testing.T) {
	all := allowedCPUs(t)
	if all[len(all)-1] == MaxCPU-1 {
		t.Skip("CPU", MaxCPU-1, "is online here")
	}
	c := startPlacementChild(t, workerSpec{CPUs: []int{all[0], MaxCPU - 1}})
	if !strings.Contains(c.line, fmt.Sprintf("CPU %d not online or not allowed", MaxCPU-1)) {
		t.Errorf("child: %s; want CPU %d named as not online", c.line, MaxCPU-1)
	}
	for tid, list := range threads(t, c.pid, cpusAllowed) {
		if list != FormatCPUList(all) {
			t.Errorf("thread %s of the child: Cpus_allowed_list %s, want %s as before", tid, list, FormatCPUList(all))
		}
	}
	// None online: the kernel refuses the mask, so nothing changes here.
	err := setAffinity([]int{MaxCPU - 1})
	if err == nil || !strings.Contains(err.Error(), "none of these CPUs is online") {
		t.Errorf("setAffinity(%d) = %v", MaxCPU-1, err)
	}
	if got := allowedCPUs(t); !slices.Equal(got, all) {
		t.Errorf("this process's CPUs changed from %v to %v", all, got)
	}
}

// TestTraderRTEveryThread: trader RT makes every thread of the process
// SCHED_FIFO at priority 1, those it had before and those it starts
// after; without the privilege it fails and says what it needs.
func TestTraderRTEveryThread(t *testing.T) {
	c := startPlacementChild(t, workerSpec{TraderRT: true})
	if !testkit.HasCapSysNice(t) {
		var lim unix.Rlimit
		if err := unix.Getrlimit(unix.RLIMIT_RTPRIO, &lim); err == nil && lim.Cur == 0 &&
			!strings.Contains(c.line, "needs CAP_SYS_NICE") {
			t.Errorf("child without CAP_SYS_NICE: %s; want an error saying it needs it", c.line)
		}
		t.Skip("not root (no CAP_SYS_NICE): SCHED_FIFO itself not tested; the child said:", c.line)
	}
	if c.line != "ok" {
		t.Fatalf("child: %s", c.line)
	}
	got := threads(t, c.pid, schedPolicy)
	if len(got) < 9 {
		t.Errorf("the child has %d threads, want at least the 8 it locked and its main", len(got))
	}
	want := fmt.Sprintf("%d/%d", traderRTPriority, unix.SCHED_FIFO)
	for tid, p := range got {
		if p != want {
			t.Errorf("thread %s of the child: priority/policy %s, want %s (SCHED_FIFO)", tid, p, want)
		}
	}
}

// TestServeWorkerPlacementError: a worker whose placement fails says so
// to the coordinator and stops before it opens a connection.
func TestServeWorkerPlacementError(t *testing.T) {
	if allowedCPUs(t)[len(allowedCPUs(t))-1] == MaxCPU-1 {
		t.Skip("CPU", MaxCPU-1, "is online here")
	}
	spec, _ := json.Marshal(workerSpec{Index: 0, Count: 1, Target: "127.0.0.1:1", WS: 1, CPUs: []int{MaxCPU - 1}})
	var out bytes.Buffer
	err := ServeWorker(t.Context(), bytes.NewReader(append(spec, '\n')), &out, nil)
	if err == nil || !strings.Contains(err.Error(), "none of these CPUs is online") {
		t.Fatalf("ServeWorker = %v, want the placement's error", err)
	}
	var ev event
	if jerr := json.Unmarshal(out.Bytes(), &ev); jerr != nil || ev.Ev != evError || ev.Err != err.Error() {
		t.Errorf("events %q, want one error event with %q", out.String(), err)
	}
}
