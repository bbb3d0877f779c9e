package testkit

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// SharedRedis is where the tests find the machine's Redis.
const SharedRedis = "127.0.0.1:6379"

// ping reports whether a Redis answers PING at addr.
func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+PONG") {
		return fmt.Errorf("answered %q", strings.TrimSpace(line))
	}
	return nil
}

// Redis returns the URL of the Redis at 127.0.0.1:6379 and a key prefix
// of the test's own, whose keys are deleted when the test ends. With no
// Redis there, it starts a redis-server of the test's own (StartRedis);
// with no redis-server either, the test fails saying so.
func Redis(t testing.TB) (url, prefix string) {
	t.Helper()
	url = "redis://" + SharedRedis + "/0"
	if err := ping(SharedRedis); err != nil {
		t.Logf("no Redis at %s (%v): starting one", SharedRedis, err)
		url = StartRedis(t).URL
	}
	return url, Prefix(t, url)
}

// Prefix returns a Redis key prefix unique to the test, and deletes its
// keys at the end.
func Prefix(t testing.TB, url string) string {
	t.Helper()
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "-")
	prefix := "test:" + name + ":" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		opt, err := redis.ParseURL(url)
		if err != nil {
			return
		}
		c := redis.NewClient(opt)
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		keys, _ := c.Keys(ctx, prefix+":*").Result()
		if len(keys) > 0 {
			c.Del(ctx, keys...)
		}
	})
	return prefix
}

// RedisServer is a redis-server of a test's own, keeping nothing on disk.
type RedisServer struct {
	Port int
	URL  string
	bin  string
	dir  string
	cmd  *exec.Cmd
	done chan struct{}
}

// StartRedis starts a redis-server on a free port, stopped when the test
// ends; the test fails when there is no redis-server binary.
func StartRedis(t testing.TB) *RedisServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatal("redis-server not found on PATH: the cluster tests need Redis (Debian: apt-get install redis-server)")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	r := &RedisServer{Port: port, URL: "redis://127.0.0.1:" + strconv.Itoa(port) + "/0", bin: bin, dir: t.TempDir()}
	r.Start(t)
	t.Cleanup(func() { r.Stop(t) })
	return r
}

// Start starts the server (again) on its port and waits until it answers.
func (r *RedisServer) Start(t testing.TB) {
	t.Helper()
	r.cmd = exec.Command(r.bin, "--port", strconv.Itoa(r.Port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", r.dir, "--daemonize", "no")
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("starting redis-server: %v", err)
	}
	r.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { _ = cmd.Wait(); close(done) }(r.cmd, r.done)
	Eventually(t, 5*time.Second, "redis-server answering on port "+strconv.Itoa(r.Port), func() bool {
		return ping("127.0.0.1:"+strconv.Itoa(r.Port)) == nil
	})
}

// Stop stops the server, losing everything it held (SIGKILL: no save).
func (r *RedisServer) Stop(t testing.TB) {
	t.Helper()
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	_ = r.cmd.Process.Signal(syscall.SIGKILL)
	<-r.done
	r.cmd = nil
}
