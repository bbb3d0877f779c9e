package app

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobwas/ws"

	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/internal/testkit"
)

// balancerHTTP is the http block of nginx round-robin over the edges,
// WebSocket upgrade on /ws, everything else (SSE included) plainly
// proxied; %[1]s is the listen address, %[2]s the upstream servers.
const balancerHTTP = `    upstream edges {
%[2]s    }
    server {
        listen %[1]s;
        proxy_http_version 1.1;
        proxy_read_timeout 1h;
        proxy_connect_timeout 1s;
        proxy_next_upstream error timeout http_502 http_503;
        location /ws {
            proxy_pass http://edges;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
        }
        location / {
            proxy_pass http://edges;
            proxy_set_header Connection "";
        }
    }
`

// startBalancer runs nginx round-robin in front of the edges at addrs.
func startBalancer(t *testing.T, addrs ...string) string {
	t.Helper()
	var ups strings.Builder
	for _, a := range addrs {
		fmt.Fprintf(&ups, "        server %s max_fails=0;\n", a)
	}
	return testkit.StartNginx(t, "the cluster load-balancer test", func(dir string, port int) string {
		return testkit.NginxConfig(dir, fmt.Sprintf(balancerHTTP, "127.0.0.1:"+strconv.Itoa(port), ups.String()))
	}).Addr
}

// resumer is a client that goes through the balancer, and on every loss
// of its connection connects again and resumes where it was: WebSocket
// with epoch + since, SSE with Last-Event-ID. It records every message.
type resumer struct {
	t       *testing.T
	addr    string
	sse     bool
	mu      sync.Mutex
	ms      []msg
	since   map[string]uint64
	epoch   string
	lastID  string
	resumes int
	errs    []string
}

func (r *resumer) add(m msg) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ms = append(r.ms, m)
	if m.h.Ch != "" && m.h.Seq > 0 {
		r.since[m.h.Stream()] = m.h.Seq
	}
}

// run connects and reads until ctx ends.
func (r *resumer) run(ctx context.Context) {
	for first := true; ctx.Err() == nil; first = false {
		if !first {
			r.mu.Lock()
			r.resumes++
			r.mu.Unlock()
		}
		var err error
		if r.sse {
			err = r.runSSE(ctx)
		} else {
			err = r.runWS(ctx)
		}
		if err != nil && ctx.Err() == nil {
			r.mu.Lock()
			r.errs = append(r.errs, err.Error())
			r.mu.Unlock()
			time.Sleep(100 * time.Millisecond)
		}
	}
}

const resumeStreams = `"channels":["trades","book"],"symbols":["BTC-USD","ETH-USD"]`

func (r *resumer) runWS(ctx context.Context) error {
	d := ws.Dialer{Protocols: []string{wire.SubprotocolJSON}, Timeout: 3 * time.Second}
	conn, br, _, err := d.Dial(ctx, "ws://"+r.addr+"/ws")
	if err != nil {
		return err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	c := &wsClient{t: r.t, conn: conn}
	var src = bufio.NewReader(conn)
	if br != nil {
		src = br
	}
	c.rd = newReader(src, conn)
	b, h, err := c.read(5 * time.Second)
	if err != nil || h.T != wire.TypeWelcome {
		return fmt.Errorf("welcome: %v %s", err, b)
	}
	var w struct{ Epoch string }
	_ = json.Unmarshal(b, &w)
	r.mu.Lock()
	op := `{"op":"subscribe","id":1,` + resumeStreams + `}`
	if len(r.since) > 0 {
		s, _ := json.Marshal(r.since)
		op = fmt.Sprintf(`{"op":"subscribe","id":1,%s,"epoch":%q,"since":%s}`, resumeStreams, r.epoch, s)
	}
	r.epoch = w.Epoch
	r.mu.Unlock()
	if err := writeText(conn, op); err != nil {
		return err
	}
	for {
		b, h, err := c.read(10 * time.Second)
		if err != nil {
			return err
		}
		r.add(msg{raw: b, h: h})
	}
}

func (r *resumer) runSSE(ctx context.Context) error {
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+r.addr+"/sse?channels=trades,book&symbols=BTC-USD,ETH-USD", nil)
	r.mu.Lock()
	if r.lastID != "" {
		req.Header.Set("Last-Event-ID", r.lastID)
	}
	r.mu.Unlock()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("sse: %s", resp.Status)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 4<<20)
	var id string
	var data []byte
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "id: "):
			id = line[4:]
		case strings.HasPrefix(line, "data: "):
			data = append(data, line[6:]...)
		case line == "" && data != nil:
			h, err := wire.DecodeHeader(wire.JSON, data)
			if err != nil {
				return err
			}
			r.add(msg{raw: data, h: h})
			r.mu.Lock()
			if id != "" {
				r.lastID = id
			}
			r.mu.Unlock()
			id, data = "", nil
		}
	}
	return fmt.Errorf("sse ended: %v", sc.Err())
}

// TestClusterBalancerKillsEdges: nginx round-robin in front of two edges
// (no sticky sessions); each edge in turn is killed with SIGKILL and
// started again while WebSocket and SSE clients reconnect and resume
// through nginx, landing on whichever edge nginx picks. None of them
// sees a gap, a duplicate or a reset.
func TestClusterBalancerKillsEdges(t *testing.T) {
	url, prefix := testkit.Redis(t)
	startEngine(t, url, prefix, nil)
	a, b := startChildEdge(t, url, prefix, ""), startChildEdge(t, url, prefix, "")
	lb := startBalancer(t, a.Addr, b.Addr)
	ctx, cancel := context.WithCancel(context.Background())
	var clients []*resumer
	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		r := &resumer{t: t, addr: lb, sse: i%3 == 2, since: map[string]uint64{}}
		clients = append(clients, r)
		wg.Add(1)
		go func() { defer wg.Done(); r.run(ctx) }()
	}
	defer func() { cancel(); wg.Wait() }()
	time.Sleep(1500 * time.Millisecond)
	a.Kill()
	time.Sleep(1500 * time.Millisecond)
	startChildEdge(t, url, prefix, a.Addr) // a again, cold, on its address
	time.Sleep(time.Second)
	b.Kill()
	time.Sleep(1500 * time.Millisecond)
	startChildEdge(t, url, prefix, b.Addr)
	time.Sleep(time.Second)
	cancel()
	wg.Wait()
	resumes := 0
	for i, r := range clients {
		if n := checkNoSplice(t, r.ms); n > 0 {
			for _, m := range r.ms {
				if m.h.T == wire.TypeReset {
					t.Logf("reset: %s", m.raw)
				}
			}
			t.Fatalf("client %d (sse %v): %d resets; errors %q", i, r.sse, n, r.errs)
		}
		if len(lossless(r.ms)) < 20 {
			t.Fatalf("client %d (sse %v): %d messages; errors %v", i, r.sse, len(lossless(r.ms)), r.errs)
		}
		if r.resumes == 0 {
			t.Fatalf("client %d (sse %v) never lost its connection, though both edges were killed", i, r.sse)
		}
		resumes += r.resumes
		t.Logf("client %d (sse %v): %d messages, resumed %d times; errors %q", i, r.sse, len(r.ms), r.resumes, r.errs)
	}
	if resumes < 2 {
		t.Fatalf("only %d resumes: the kills did not reach the clients", resumes)
	}
}
