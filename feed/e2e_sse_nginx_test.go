package feed_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/client/eventstream"
	"github.com/tickcast/tickcast/feed/sse"
	"github.com/tickcast/tickcast/internal/testkit"
)

// The reverse-proxy test runs a real nginx (Debian package nginx-light, or
// nginx) in front of tickcast with the proxy defaults: proxy_buffering
// on. It relies on tickcast's X-Accel-Buffering: no.

// sseProxyLatencyBound is how much nginx may add to the p99 of (receive
// time − ts) of a viewer connected directly in the same run;
// sseMaxLatencyBound, to its worst event. Loopback, 2 shared cores, -race,
// other tests running: typical figures are a few ms; a buffering proxy
// adds seconds.
const (
	sseProxyLatencyBound = 250 * time.Millisecond
	sseMaxLatencyBound   = time.Second
)

// nginx is a running nginx of the test's own (testkit.StartNginx).
type nginx struct{ *testkit.Nginx }

// nginxServer is the http block: one server; %[1]d is the port, %[2]s
// the locations, %[3]s options of listen. No proxy_buffering line: the
// default (on) stays.
const nginxServer = `    server {
        listen 127.0.0.1:%[1]d%[3]s;
%[2]s
    }
`

// startNginx runs nginx with the given location blocks; "{dir}" in them
// is its directory. listenOpts are added to the listen directive.
func startNginx(t testing.TB, listenOpts, locations string) *nginx {
	t.Helper()
	return &nginx{testkit.StartNginx(t, "the SSE reverse-proxy test", func(dir string, port int) string {
		return testkit.NginxConfig(dir, fmt.Sprintf(nginxServer, port, strings.ReplaceAll(locations, "{dir}", dir), listenOpts))
	})}
}

// tempBytes returns the size of nginx's open files under sub of its
// directory (nginx unlinks a temp file as soon as it creates it, so /proc
// is the way to see one).
func (n *nginx) tempBytes(t testing.TB, sub string) int64 {
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", n.Cmd.Process.Pid))
	if err != nil {
		t.Fatalf("reading nginx's fds: %v", err)
	}
	var size int64
	for _, fd := range fds {
		path := fmt.Sprintf("/proc/%d/fd/%s", n.Cmd.Process.Pid, fd.Name())
		target, _ := os.Readlink(path)
		if strings.HasPrefix(target, filepath.Join(n.Dir, sub)+"/") {
			if fi, err := os.Stat(path); err == nil {
				size += fi.Size() + 1 // an empty temp file counts too
			}
		}
	}
	return size
}

// latencies returns the receive time − ts of the events stamped after
// since (the first events of a stream are the latest values, older).
func latencies(evs []sseEvent, since time.Time) []time.Duration {
	var out []time.Duration
	for _, e := range evs {
		if e.TS > since.UnixNano() {
			out = append(out, e.At.Sub(time.Unix(0, e.TS)))
		}
	}
	slices.Sort(out)
	return out
}

func pct(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	return d[min(len(d)-1, int(float64(len(d))*p))]
}

// TestE2ESSEThroughNginx runs nginx with its default buffering in front of
// tickcast and shows that events, heartbeats, errors and resume all go
// through it as if it were not there, with the latency bound above; and,
// as a control, that buffering is really on: where nginx is told to ignore
// X-Accel-Buffering, a viewer that stops reading gets its backlog spooled
// to a temp file by nginx (hiding the slowness from tickcast and delaying
// that viewer without bound), and where the header is honoured it does
// not.
func TestE2ESSEThroughNginx(t *testing.T) {
	t.Parallel()
	live := startServer(t)
	quiet := startServer(t, withoutSim(), withSSE(func(c *sse.Config) { c.Heartbeat = 50 * time.Millisecond }))
	busy := startServer(t, withSimRate(30))
	recommended := `proxy_http_version 1.1; proxy_set_header Connection ""; proxy_read_timeout 1h;`
	ng := startNginx(t, "", fmt.Sprintf(`
        location /bare/ { proxy_pass http://%[1]s/; }
        location /live/ { proxy_pass http://%[1]s/; %[3]s }
        location /quiet/ { proxy_pass http://%[2]s/; }`,
		live.Addr, quiet.Addr, recommended))
	// The control's nginx sends to viewers through 4 KiB socket buffers, so
	// that a viewer that stops reading fills nginx's own buffers at once
	// rather than after megabytes.
	ctl := startNginx(t, " sndbuf=4k", fmt.Sprintf(`
        location /busy/ { proxy_pass http://%[1]s/; %[2]s proxy_temp_path {dir}/honoured_temp; }
        location /busy-ignoring/ { proxy_pass http://%[1]s/; %[2]s proxy_temp_path {dir}/ignoring_temp;
            proxy_ignore_headers X-Accel-Buffering; }`,
		busy.Addr, recommended))

	t.Run("heartbeats of a quiet stream are not held back", func(t *testing.T) {
		t0 := time.Now()
		s := sseDialAt(t, ng.Addr, "/quiet/sse?channels=trades", nil)
		if s.Resp.StatusCode != 200 || s.Resp.Header.Get("Content-Type") != "text/event-stream" || s.Resp.Header.Get("Cache-Control") != "no-cache" {
			t.Fatalf("through nginx: %d %v", s.Resp.StatusCode, s.Resp.Header)
		}
		_ = s.Conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		r, err := s.Next()
		if err != nil || r.Kind != eventstream.KindRetry {
			t.Fatalf("first record %+v %v", r, err)
		}
		var at []time.Time
		for len(at) < 10 {
			r, err := s.Next()
			must(t, err)
			if r.Kind == eventstream.KindComment {
				at = append(at, time.Now())
			}
		}
		// 6 bytes every 50 ms: anything in the path that waited for a
		// buffer to fill would hold them for seconds.
		if d := at[len(at)-1].Sub(t0); d > 2*time.Second {
			t.Fatalf("10 heartbeats took %v through nginx", d)
		}
		t.Logf("10 heartbeats (every 50 ms) through nginx in %v", at[len(at)-1].Sub(t0))
	})

	t.Run("events arrive promptly and completely", func(t *testing.T) {
		q := "/sse?channels=trades,book,quote,ticker&symbols=" + strings.Join(live.Hub.Symbols(), ",")
		t0 := time.Now()
		views := map[string]*sseCollector{
			"direct":                sseCollect(t, sseDialAt(t, live.Addr, q, nil)),
			"nginx defaults":        sseCollect(t, sseDialAt(t, ng.Addr, "/bare"+q, nil)),
			"nginx recommended cfg": sseCollect(t, sseDialAt(t, ng.Addr, "/live"+q, nil)),
		}
		time.Sleep(2 * time.Second)
		// The proxied viewers are held against the direct one of the same
		// run: a loaded machine delays all three alike, buffering in the
		// proxy adds to theirs alone.
		direct := latencies(views["direct"].events(), t0)
		if len(direct) < 50 {
			t.Fatalf("direct: only %d live events in 2 s", len(direct))
		}
		dp99, dmax := pct(direct, 0.99), direct[len(direct)-1]
		for _, name := range []string{"direct", "nginx defaults", "nginx recommended cfg"} {
			evs := views[name].events()
			lat := latencies(evs, t0)
			if len(lat) < 50 {
				t.Fatalf("%s: only %d live events in 2 s", name, len(lat))
			}
			p99, worst := pct(lat, 0.99), lat[len(lat)-1]
			t.Logf("%-22s %4d events: latency p50 %v p99 %v max %v", name, len(lat), pct(lat, 0.5), p99, worst)
			if p99 > dp99+sseProxyLatencyBound || worst > dmax+sseMaxLatencyBound {
				t.Errorf("%s: p99 %v max %v, bounds: the direct viewer's %v and %v plus %v and %v", name, p99, worst, dp99, dmax, sseProxyLatencyBound, sseMaxLatencyBound)
			}
			sseCheckLossless(t, slices.DeleteFunc(evs, func(e sseEvent) bool { return e.Ch != "trades" && e.Ch != "book" || e.T == "book_snapshot" }))
		}
	})

	t.Run("Last-Event-ID resumes through nginx", func(t *testing.T) {
		q := "/live/sse?channels=trades,book&symbols=" + strings.Join(live.Hub.Symbols(), ",")
		var got []sseEvent
		hdr := http.Header(nil)
		for session := 0; session < 3; session++ {
			s := sseDialAt(t, ng.Addr, q, hdr)
			_ = s.Conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			for n := 0; n < 30; n++ {
				r, err := s.NextEvent()
				must(t, err)
				if e := sseDecode(t, r); e.T != "book_snapshot" {
					got = append(got, e)
				} else if session > 0 {
					t.Fatalf("a snapshot after resuming")
				}
			}
			_ = s.Close()
			hdr = http.Header{"Last-Event-ID": {s.LastEventID()}}
			time.Sleep(100 * time.Millisecond)
		}
		sseCheckLossless(t, got)
	})

	t.Run("errors pass through", func(t *testing.T) {
		s := sseDialAt(t, ng.Addr, "/live/sse?channels=nope", nil)
		var body bytes.Buffer
		_, _ = body.ReadFrom(s.Body)
		if s.Resp.StatusCode != 400 || !strings.Contains(body.String(), `"code":"unknown_channel"`) {
			t.Fatalf("%d %s", s.Resp.StatusCode, body.String())
		}
	})

	t.Run("control: nginx buffering is on and the header turns it off", func(t *testing.T) {
		q := "/sse?channels=trades,book,quote&symbols=" + strings.Join(busy.Hub.Symbols(), ",")
		stall := func(prefix string) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			s, err := eventstream.Dial(ctx, ctl.Addr, prefix+q, eventstream.DialOptions{ReceiveBuffer: 4096})
			must(t, err)
			t.Cleanup(func() { _ = s.Close() })
		}
		stall("/busy")
		stall("/busy-ignoring")
		// Both viewers get the same messages at the same pace: by the time
		// one has 256 KiB on disk, the other would have some too.
		testkit.Eventually(t, 15*time.Second, "nginx to spool 256 KiB for the viewer that ignores X-Accel-Buffering", func() bool {
			return ctl.tempBytes(t, "ignoring_temp") >= 256<<10
		})
		if n := ctl.tempBytes(t, "honoured_temp"); n != 0 {
			t.Fatalf("nginx spooled %d bytes for a viewer with X-Accel-Buffering: no", n)
		}
	})
}
