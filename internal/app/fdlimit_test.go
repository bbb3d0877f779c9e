package app

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed"
	"github.com/tickcast/tickcast/internal/testkit"
	"github.com/tickcast/tickcast/market"
)

// TestMain lets this test binary run as a server child process: with
// TICKCAST_APP_CHILD=fdlimit it lowers its own open-files limit, serves,
// prints its address and waits for SIGTERM.
func TestMain(m *testing.M) {
	if os.Getenv("TICKCAST_APP_CHILD") == "fdlimit" {
		os.Exit(fdChild())
	}
	os.Exit(m.Run())
}

// childFiles is the child's open-files limit: a few for the runtime, the
// listener and the log, the rest for clients.
const childFiles = 64

func fdChild() int {
	r := syscall.Rlimit{Cur: childFiles, Max: childFiles}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		fmt.Println("ERR", err)
		return 2
	}
	s, err := New(Config{Addr: "127.0.0.1:0", Market: market.Config{Seed: 1}, Logger: quiet(),
		Feed: feed.Config{RequestTimeout: time.Second, MaxPendingPerIP: 1000}})
	if err != nil {
		fmt.Println("ERR", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	fmt.Println("ADDR", s.Addr())
	if err := s.Run(ctx); err != nil {
		fmt.Println("EXIT", err)
		return 1
	}
	return 0
}

// TestSurvivesFDExhaustion: a server at its open-files limit (here 64, in
// a child process) with more idle TCP connections than it can hold keeps
// running: accept fails with EMFILE, the server backs off and retries,
// idle connections time out after the request timeout, and once they are
// gone it serves requests again. Before, fasthttp took EMFILE as a
// permanent error and the process exited.
func TestSurvivesFDExhaustion(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "TICKCAST_APP_CHILD=fdlimit")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	lines := bufio.NewScanner(out)
	if !lines.Scan() || !strings.HasPrefix(lines.Text(), "ADDR ") {
		_ = cmd.Process.Kill()
		t.Fatalf("child said %q", lines.Text())
	}
	addr := strings.TrimPrefix(lines.Text(), "ADDR ")
	go func() {
		for lines.Scan() {
			t.Logf("child: %s", lines.Text())
		}
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	if code, _ := fetch(t, addr, "/healthz"); code != http.StatusOK {
		t.Fatalf("healthz before: %d", code)
	}
	// Twice the child's descriptors in idle connections: the kernel
	// completes them all (the listen backlog), the server can accept only
	// some.
	var idle []net.Conn
	for range 2 * childFiles {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			break // the backlog is full: enough
		}
		idle = append(idle, c)
	}
	t.Logf("%d idle connections open", len(idle))
	time.Sleep(500 * time.Millisecond) // the server runs into EMFILE meanwhile
	select {
	case err := <-exited:
		t.Fatalf("server exited with %v at the open-files limit", err)
	default:
	}
	// The idle connections time out (1 s) and free descriptors; the ones
	// still in the backlog are accepted and time out in turn. The server
	// then answers again, without any client closing anything.
	var code int
	var metrics string
	testkit.Eventually(t, 20*time.Second, "the server to answer again", func() bool {
		select {
		case err := <-exited:
			t.Fatalf("server exited with %v at the open-files limit", err)
		default:
		}
		code, _ = fetch(t, addr, "/healthz")
		return code == http.StatusOK
	})
	_, metrics = fetch(t, addr, "/metrics")
	if n := metricValue(metrics, "tickcast_accept_fd_exhausted_total"); n < 1 {
		t.Errorf("tickcast_accept_fd_exhausted_total = %v: the limit was never hit", n)
	}
	for _, c := range idle {
		_ = c.Close()
	}
	select {
	case err := <-exited:
		t.Fatalf("server exited: %v", err)
	default:
	}
}

// fetch GETs path with a short timeout on a fresh connection; code 0 on
// failure.
func fetch(t *testing.T, addr, path string) (int, string) {
	t.Helper()
	c := http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get("http://" + addr + path)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func metricValue(text, name string) float64 {
	for _, line := range strings.Split(text, "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == name {
			v, _ := strconv.ParseFloat(f[1], 64)
			return v
		}
	}
	return -1
}
