package app

import (
	"net/http"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/internal/testkit"
)

// checkNoSplice fails if a stream of ms has a gap or a duplicate that no
// reset of that stream announced: the edge may lose history, never splice
// over it silently. It returns how many resets came.
func checkNoSplice(t *testing.T, ms []msg) int {
	t.Helper()
	next := map[string]uint64{}
	resets := 0
	for _, m := range ms {
		if m.h.T == wire.TypeReset {
			delete(next, m.h.Stream())
			resets++
			continue
		}
		if m.h.Ch == "" || m.h.Seq == 0 {
			continue
		}
		k := m.h.Stream()
		if m.h.T == wire.TypeBookSnapshot {
			next[k] = m.h.Seq + 1
			continue
		}
		if want, ok := next[k]; ok && m.h.Seq != want {
			t.Fatalf("stream %s: seq %d after %d without a reset: %s", k, m.h.Seq, want-1, m.raw)
		}
		next[k] = m.h.Seq + 1
	}
	return resets
}

// TestClusterRedisRestart: Redis dies (losing everything) and comes back
// empty. The edge keeps its clients' connections, says not ready
// meanwhile, reconnects, and its clients' streams go on with no gap and
// no duplicate that a reset did not announce; the engine keeps its state
// and a new edge catches up from the emptied Redis.
//
// With the engine's buffer large enough for the outage it loses nothing
// and the streams simply go on; with a tiny one it drops batches, the edge
// finds the hole and resynchronises, and its clients get resets.
func TestClusterRedisRestart(t *testing.T) {
	for _, tc := range []struct {
		name       string
		buffer     int
		wantResets bool
	}{
		{"engine buffers the outage", 0, false},
		{"engine drops batches", 4, true},
	} {
		t.Run(tc.name, func(t *testing.T) { redisRestart(t, tc.buffer, tc.wantResets) })
	}
}

func redisRestart(t *testing.T, buffer int, wantResets bool) {
	r := testkit.StartRedis(t) // its own: the machine's Redis stays up for the others
	prefix := testkit.Prefix(t, r.URL)
	eng := startEngine(t, r.URL, prefix, func(c *EngineConfig) { c.Redis.Buffer = buffer })
	edge := startEdge(t, r.URL, prefix)
	c := dialWS(t, edge.Addr())
	c.send(`{"op":"subscribe","id":1,"channels":["trades","book"],"symbols":["BTC-USD","ETH-USD"]}`)
	type res struct {
		ms  []msg
		err error
	}
	done := make(chan res, 1)
	go func() { ms, err := c.collect(12*time.Second, nil); done <- res{ms, err} }()
	time.Sleep(time.Second)
	before := edge.Cluster.Offset()
	r.Stop(t)
	testkit.Eventually(t, 5*time.Second, "edge not ready while Redis is down", func() bool {
		code, _ := httpGet(edge.URL() + "/readyz")
		return code == http.StatusServiceUnavailable
	})
	if eng.Ready() {
		t.Log("engine still says ready") // it notices at its next command to Redis
	}
	time.Sleep(time.Second)
	r.Start(t)
	testkit.Eventually(t, 15*time.Second, "edge ready again after Redis came back", edge.Ready)
	if edge.Cluster.Offset() <= before {
		t.Fatalf("edge offset %d, %d before the restart: the engine's events do not flow", edge.Cluster.Offset(), before)
	}
	// A new edge catches up from the emptied Redis.
	fresh := startEdge(t, r.URL, prefix)
	if fresh.Hub.Epoch() != eng.Venue.Epoch() {
		t.Fatalf("new edge epoch %s, engine %s", fresh.Hub.Epoch(), eng.Venue.Epoch())
	}
	got := <-done
	if got.err != nil {
		t.Fatalf("the client's connection did not survive the Redis restart: %v", got.err)
	}
	resets := checkNoSplice(t, got.ms)
	var after int
	for _, m := range got.ms {
		if m.h.Off > before && (m.h.T == wire.TypeTrade || m.h.T == wire.TypeBook) {
			after++
		}
	}
	if after == 0 {
		t.Fatal("no message after the restart")
	}
	if wantResets != (resets > 0) || wantResets != (edge.Cluster.Resyncs() > 0) {
		t.Fatalf("%d resets, %d resyncs; want some: %v", resets, edge.Cluster.Resyncs(), wantResets)
	}
	t.Logf("Redis restarted: client kept its connection, %d messages, %d resets, %d resyncs on the edge; engine offset %d", len(got.ms), resets, edge.Cluster.Resyncs(), eng.Cluster.Written())
}
