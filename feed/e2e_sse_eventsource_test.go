package feed_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/client/eventstream"
)

// eventSourceDir holds the Node script and its pinned eventsource package
// (package.json and package-lock.json; node_modules is installed on
// demand with npm ci).
var eventSourceDir = filepath.Join("sse", "testdata", "eventsource")

// nodeLine is one line of client.mjs's output.
type nodeLine struct {
	Kind        string `json:"kind"` // request, open, error, event
	Type        string `json:"type"`
	LastEventID string `json:"lastEventId"`
	Data        string `json:"data"`
	Message     string `json:"message"`
	At          int64  `json:"at"` // ms
}

// eventSourceClient starts client.mjs on url and returns its output lines.
func eventSourceClient(t *testing.T, url string) <-chan nodeLine {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node not found on PATH: the EventSource test runs the eventsource npm package under Node 20+")
	}
	if _, err := os.Stat(filepath.Join(eventSourceDir, "node_modules", "eventsource", "package.json")); err != nil {
		npm, err := exec.LookPath("npm")
		if err != nil {
			t.Fatal("npm not found on PATH: needed once to install " + eventSourceDir + " (npm ci)")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
		cmd.Dir = eventSourceDir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci in %s: %v\n%s", eventSourceDir, err, out)
		}
	}
	cmd := exec.Command(node, "client.mjs", url)
	cmd.Dir = eventSourceDir
	stdin, err := cmd.StdinPipe()
	must(t, err)
	stdout, err := cmd.StdoutPipe()
	must(t, err)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	must(t, cmd.Start())
	lines := make(chan nodeLine, 4096)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			var l nodeLine
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Errorf("client.mjs wrote %q: %v", sc.Text(), err)
				continue
			}
			lines <- l
		}
	}()
	t.Cleanup(func() {
		_ = stdin.Close() // the script closes its EventSource and exits
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("client.mjs stderr:\n%s", stderr.String())
		}
	})
	return lines
}

// TestE2ESSEEventSource runs a real EventSource implementation (the
// eventsource npm package, pinned) on the lossless channels of every
// symbol through a proxy that drops its TCP connection twice, as a server
// restart or a network would. Each time the client reconnects by itself,
// after the server's retry: 2000, sending the id of the last event it
// processed as Last-Event-ID; put together, its events are exactly those
// of a viewer that was never interrupted: no gap, no duplicate.
func TestE2ESSEEventSource(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	proxy := newCutProxy(t, ts.Addr)
	q := "?channels=trades,book&symbols=" + strings.Join(ts.Hub.Symbols(), ",")
	ref := sseCollect(t, ts.sseDial(q, nil))
	lines := eventSourceClient(t, "http://"+proxy.Addr()+"/sse"+q)

	var (
		all      []nodeLine
		requests []nodeLine
		lastID   []string // the last event's id before each request
		errAt    []int64
		sessions = 0
	)
	read := func(until func() bool) {
		t.Helper()
		timeout := time.After(20 * time.Second)
		for !until() {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatal("client.mjs exited")
				}
				switch l.Kind {
				case "request":
					requests = append(requests, l)
					prev := ""
					for i := len(all) - 1; i >= 0; i-- {
						if all[i].Kind == "event" {
							prev = all[i].LastEventID
							break
						}
					}
					lastID = append(lastID, prev)
				case "open":
					sessions++
				case "error":
					errAt = append(errAt, l.At)
				}
				all = append(all, l)
			case <-timeout:
				t.Fatalf("client.mjs: timed out; %d lines, %d requests", len(all), len(requests))
			}
		}
	}
	// liveEvents counts the events after the last open.
	liveEvents := func() int {
		n := 0
		for i := len(all) - 1; i >= 0 && all[i].Kind != "open"; i-- {
			if all[i].Kind == "event" {
				n++
			}
		}
		return n
	}
	for session := 1; session <= 3; session++ {
		read(func() bool { return sessions == session && liveEvents() >= 25 })
		if session < 3 {
			if n := proxy.cut(); n != 1 {
				t.Fatalf("cut %d: %d connections", session, n)
			}
		}
	}

	// The reconnections: after the server's retry interval, with the id of
	// the last event processed.
	if len(requests) != 3 || requests[0].LastEventID != "" {
		t.Fatalf("requests %+v", requests)
	}
	for i := 1; i < 3; i++ {
		if requests[i].LastEventID == "" || requests[i].LastEventID != lastID[i] {
			t.Fatalf("reconnection %d sent Last-Event-ID %q; the last event before it had id %q", i, requests[i].LastEventID, lastID[i])
		}
		if wait := time.Duration(requests[i].At-errAt[i-1]) * time.Millisecond; wait < 1500*time.Millisecond {
			t.Errorf("reconnection %d after %v: retry: 2000 not honoured", i, wait)
		} else {
			t.Logf("reconnection %d after %v with Last-Event-ID %s", i, wait, requests[i].LastEventID)
		}
	}

	var got []sseEvent
	for _, l := range all {

		if l.Kind != "event" {
			continue
		}
		e := sseDecode(t, eventstream.Record{Kind: eventstream.KindEvent, Type: l.Type, Data: l.Data, ID: l.LastEventID, HasID: true})
		if e.T == "book_snapshot" && len(got) == 0 || e.T == "book_snapshot" && got[len(got)-1].T == "book_snapshot" {
			continue // the fresh start; the reference began elsewhere
		}
		if e.T == "book_snapshot" || e.T == "reset" {
			t.Fatalf("%s after a resume", e.T)
		}
		if want := ts.Venue.Epoch() + ":" + itoa(e.Off); l.LastEventID != want {
			t.Fatalf("lastEventId %q, want %q", l.LastEventID, want)
		}
		got = append(got, e)
	}
	sseCheckLossless(t, got)
	first, last := got[0].Off, got[len(got)-1].Off
	want := ref.waitFor(10*time.Second, "the reference viewer to get as far", func(evs []sseEvent) bool {
		return len(evs) > 0 && evs[len(evs)-1].Off >= last
	})
	want = slices.DeleteFunc(want, func(e sseEvent) bool { return e.Off < first || e.Off > last })
	if len(want) != len(got) {
		t.Fatalf("EventSource got %d events over offsets %d..%d, the uninterrupted viewer %d", len(got), first, last, len(want))
	}
	for i := range want {
		if want[i].Off != got[i].Off || want[i].Data != got[i].Data {
			t.Fatalf("event %d: got %d %s, want %d %s", i, got[i].Off, got[i].Data, want[i].Off, want[i].Data)
		}
	}
	t.Logf("EventSource: %d events over offsets %d..%d across 2 dropped connections, identical to the uninterrupted viewer", len(got), first, last)
}
