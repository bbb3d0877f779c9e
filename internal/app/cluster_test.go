package app

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"

	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/internal/cluster"
	"github.com/tickcast/tickcast/internal/testkit"
	"github.com/tickcast/tickcast/market"
	"github.com/tickcast/tickcast/market/sim"
)

// The cluster tests run one engine and several edges on a Redis (the
// machine's at 127.0.0.1:6379, or one of their own), each test under a key
// prefix of its own. Edges that a test kills with SIGKILL run as child
// processes of the tickcast binary, built once.

// clusterLog is quiet unless TICKCAST_TEST_LOG is set.
func clusterLog() *slog.Logger {
	if os.Getenv("TICKCAST_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return quiet()
}

// clusterSimRate is the simulated market's rate in the cluster tests.
const clusterSimRate = 10

func startEngine(t *testing.T, url, prefix string, mod func(*EngineConfig)) *Engine {
	t.Helper()
	cfg := EngineConfig{Addr: "127.0.0.1:0", Redis: cluster.EngineConfig{URL: url, Prefix: prefix, StateEvery: 200 * time.Millisecond},
		Market: market.Config{Seed: 7, WarmStart: time.Minute}, Sim: &sim.Config{Rate: clusterSimRate}, Logger: clusterLog()}
	if mod != nil {
		mod(&cfg)
	}
	e, err := NewEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.Start()
	t.Cleanup(func() { _ = e.Shutdown(context.Background()) })
	testkit.Eventually(t, 60*time.Second, "engine ready", e.Ready)
	return e
}

func startEdge(t *testing.T, url, prefix string) *Edge {
	t.Helper()
	e, err := NewEdge(testkit.Context(t, 60*time.Second), EdgeConfig{Addr: "127.0.0.1:0", Redis: cluster.EdgeConfig{URL: url, Prefix: prefix}, Logger: clusterLog()})
	if err != nil {
		t.Fatal(err)
	}
	e.Start()
	t.Cleanup(func() { _ = e.Shutdown(context.Background()) })
	testkit.Eventually(t, 60*time.Second, "edge ready", e.Ready)
	return e
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// tickcastBinary builds cmd/tickcast once for the tests that run it.
func tickcastBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tickcast-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "tickcast")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/tickcast/tickcast/cmd/tickcast").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// childEdge is `tickcast edge` in a child process.
type childEdge struct {
	Addr string
	cmd  *exec.Cmd
	done chan struct{}
	log  *strings.Builder
	mu   sync.Mutex
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startChildEdge runs an edge process on addr (a free one if empty) and
// waits until it is ready.
func startChildEdge(t *testing.T, url, prefix, addr string) *childEdge {
	t.Helper()
	if addr == "" {
		addr = freeAddr(t)
	}
	c := &childEdge{Addr: addr, done: make(chan struct{}), log: &strings.Builder{}}
	c.cmd = exec.Command(tickcastBinary(t), "edge", "--redis", url, "--redis-prefix", prefix, "--addr", addr,
		"--max-conns-per-ip", "5000", "--max-viewers-per-ip", "5000", "--log-level", "warn")
	c.cmd.Env = append(os.Environ(), "GOMAXPROCS=2")
	stderr, err := c.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			c.mu.Lock()
			c.log.WriteString(sc.Text() + "\n")
			c.mu.Unlock()
		}
	}()
	go func() { _ = c.cmd.Wait(); close(c.done) }()
	t.Cleanup(func() {
		c.Kill()
		if t.Failed() {
			c.mu.Lock()
			t.Logf("edge %s log:\n%s", addr, c.log.String())
			c.mu.Unlock()
		}
	})
	testkit.Eventually(t, 30*time.Second, "child edge ready at "+addr, func() bool {
		select {
		case <-c.done:
			t.Fatalf("edge exited: %s", c.log.String())
		default:
		}
		code, _ := httpGet("http://" + addr + "/readyz")
		return code == http.StatusOK
	})
	return c
}

// Kill ends the edge with SIGKILL and waits for it.
func (c *childEdge) Kill() {
	_ = c.cmd.Process.Signal(syscall.SIGKILL)
	<-c.done
}

func httpGet(url string) (int, []byte) {
	cl := http.Client{Timeout: 5 * time.Second}
	resp, err := cl.Get(url)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// wsClient is a WebSocket client on the JSON subprotocol that sees each
// message's bytes as the server sent them.
type wsClient struct {
	t     *testing.T
	conn  net.Conn
	rd    *wsutil.Reader
	Epoch string
}

func dialWS(t *testing.T, addr string) *wsClient {
	t.Helper()
	d := ws.Dialer{Protocols: []string{wire.SubprotocolJSON}, Timeout: 5 * time.Second}
	conn, br, _, err := d.Dial(context.Background(), "ws://"+addr+"/ws")
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	var r io.Reader = conn
	if br != nil {
		r = io.MultiReader(br, conn)
	}
	c := &wsClient{t: t, conn: conn}
	c.rd = newReader(r, conn)
	b, h, err := c.read(5 * time.Second)
	if err != nil || h.T != wire.TypeWelcome {
		t.Fatalf("welcome: %v %s", err, b)
	}
	var w struct{ Epoch string }
	_ = json.Unmarshal(b, &w)
	c.Epoch = w.Epoch
	return c
}

// newReader reads a client's frames from src, answering pings on conn.
func newReader(src io.Reader, conn net.Conn) *wsutil.Reader {
	return &wsutil.Reader{Source: src, State: ws.StateClientSide, CheckUTF8: true,
		OnIntermediate: wsutil.ControlFrameHandler(conn, ws.StateClientSide)}
}

// writeText writes a client text message.
func writeText(conn net.Conn, s string) error { return wsutil.WriteClientText(conn, []byte(s)) }

// send writes an operation.
func (c *wsClient) send(op string) {
	c.t.Helper()
	if err := writeText(c.conn, op); err != nil {
		c.t.Fatalf("send %s: %v", op, err)
	}
}

// read returns the next data message and its header.
func (c *wsClient) read(d time.Duration) ([]byte, wire.Header, error) {
	_ = c.conn.SetReadDeadline(time.Now().Add(d))
	for {
		hdr, err := c.rd.NextFrame()
		if err != nil {
			return nil, wire.Header{}, err
		}
		if hdr.OpCode.IsControl() {
			if err := c.rd.OnIntermediate(hdr, c.rd); err != nil {
				return nil, wire.Header{}, err
			}
			continue
		}
		b, err := io.ReadAll(c.rd)
		if err != nil {
			return nil, wire.Header{}, err
		}
		if hdr.OpCode == ws.OpClose {
			return b, wire.Header{}, io.EOF
		}
		h, err := wire.DecodeHeader(wire.JSON, b)
		return b, h, err
	}
}

// msg is one message a client received.
type msg struct {
	raw []byte
	h   wire.Header
}

// collect reads messages until d has passed or keep says stop.
func (c *wsClient) collect(d time.Duration, keep func(msg) bool) ([]msg, error) {
	var out []msg
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		b, h, err := c.read(time.Until(deadline))
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return out, nil
			}
			return out, err
		}
		m := msg{raw: b, h: h}
		out = append(out, m)
		if keep != nil && !keep(m) {
			return out, nil
		}
	}
	return out, nil
}
