package testkit

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Nginx is a running nginx of a test's own: its prefix, config, pid, logs
// and temp paths are under Dir, it listens on Addr, and it is stopped when
// the test ends.
type Nginx struct {
	Addr string
	Dir  string
	Cmd  *exec.Cmd
}

// NginxBinary returns Debian's nginx (/usr/sbin/nginx) or the one on PATH,
// and fails the test naming what needs it when there is none.
func NginxBinary(t testing.TB, what string) string {
	t.Helper()
	if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
		return "/usr/sbin/nginx"
	}
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	t.Fatalf("nginx not found at /usr/sbin/nginx or on PATH: %s needs it (Debian: apt-get install nginx-light)", what)
	return ""
}

// NginxConfig is a whole config for a test's own nginx in dir: one process
// in the foreground, its pid, error log and temporary files in dir, and
// http, the contents of the http block (upstreams, servers).
func NginxConfig(dir, http string) string {
	return fmt.Sprintf(`daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path %[1]s/client_body;
    proxy_temp_path %[1]s/proxy_temp;
    fastcgi_temp_path %[1]s/fastcgi_temp;
    uwsgi_temp_path %[1]s/uwsgi_temp;
    scgi_temp_path %[1]s/scgi_temp;
%[2]s}
`, dir, http)
}

// StartNginx starts nginx with the config conf(dir, port) writes, on a free
// loopback port, and waits until it listens; when the port was taken
// meanwhile, it tries another. what names the test, for a missing nginx.
func StartNginx(t testing.TB, what string, conf func(dir string, port int) string) *Nginx {
	t.Helper()
	bin := NginxBinary(t, what)
	dir := t.TempDir()
	for attempt := 0; ; attempt++ {
		port := freePort(t)
		path := filepath.Join(dir, "nginx.conf")
		if err := os.WriteFile(path, []byte(conf(dir, port)), 0o644); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		cmd := exec.Command(bin, "-p", dir+"/", "-c", path, "-e", filepath.Join(dir, "error.log"))
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting %s: %v", bin, err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		n := &Nginx{Addr: "127.0.0.1:" + strconv.Itoa(port), Dir: dir, Cmd: cmd}
		if n.await(t, exited, &out, attempt < 3) {
			return n
		}
	}
}

// await waits until n listens (true) or nginx exits because its port was
// taken and retry allows another (false); anything else fails the test.
func (n *Nginx) await(t testing.TB, exited chan error, out *bytes.Buffer, retry bool) bool {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		select {
		case err := <-exited:
			log, _ := os.ReadFile(filepath.Join(n.Dir, "error.log"))
			if retry && bytes.Contains(log, []byte("Address already in use")) {
				return false // the free port was taken meanwhile
			}
			t.Fatalf("nginx exited: %v\n%s\n%s", err, out.Bytes(), log)
		default:
		}
		if c, err := net.DialTimeout("tcp4", n.Addr, time.Second); err == nil {
			c.Close()
			t.Cleanup(func() {
				_ = n.Cmd.Process.Signal(syscall.SIGTERM)
				select {
				case <-exited:
				case <-time.After(5 * time.Second):
					_ = n.Cmd.Process.Kill()
					<-exited
				}
				if log, _ := os.ReadFile(filepath.Join(n.Dir, "error.log")); testing.Verbose() && len(log) > 0 {
					t.Logf("nginx error.log (end):\n%s", log[max(0, len(log)-3000):])
				}
			})
			return true
		}
		if time.Now().After(deadline) {
			_ = n.Cmd.Process.Kill()
			t.Fatalf("nginx did not listen on %s", n.Addr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
