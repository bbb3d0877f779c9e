package market_test

import (
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/tickcast/tickcast/market"
	"github.com/tickcast/tickcast/market/sim"
)

type keepAll struct{ events []*market.Event }

func (k *keepAll) Publish(b []*market.Event) { k.events = append(k.events, b...) }

func simVenue(t *testing.T, dir string, clock *market.ManualClock, pub market.Publisher, every time.Duration) *market.Venue {
	t.Helper()
	m, err := sim.New(sim.Config{Seed: 8, Rate: 2, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	v, err := market.New(market.Config{Publisher: pub, Clock: clock, Seed: 8, Epoch: "snap", TokenKey: []byte("k"),
		DataDir: dir, SnapshotInterval: every, ReplayWindow: time.Nanosecond, Actors: []market.Actor{m},
		Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestSnapshotRecoveryContinuesTheMarket: a durable venue with the
// simulated market takes snapshots as it goes; a venue recovered on its
// directory (the newest snapshot, then the journal after it) publishes
// from then on exactly what a venue that never stopped publishes: the
// books, accounts, agents and their random generators all came back.
func TestSnapshotRecoveryContinuesTheMarket(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	mid, end := start.Add(3*time.Minute), start.Add(4*time.Minute)

	straight := &keepAll{}
	v0 := simVenue(t, "", market.NewManualClock(start), straight, 0)
	if err := v0.Simulate(end.UnixNano()); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	v1 := simVenue(t, dir, market.NewManualClock(start), &keepAll{}, 20*time.Millisecond) // snapshots as it goes
	if err := v1.Simulate(mid.UnixNano()); err != nil {
		t.Fatal(err)
	}
	v1.Close()
	snaps, _ := filepath.Glob(filepath.Join(dir, "snapshot-*"))
	if len(snaps) == 0 || len(snaps) > 2 {
		t.Fatalf("%d snapshots kept, want 1 or 2 (older ones removed)", len(snaps))
	}

	resumed := &keepAll{}
	v2 := simVenue(t, dir, market.NewManualClock(mid), resumed, time.Hour)
	if err := v2.Simulate(end.UnixNano()); err != nil {
		t.Fatal(err)
	}
	v2.Close()
	var after, want []*market.Event
	for _, e := range resumed.events {
		if e.TS > mid.UnixNano() {
			after = append(after, e)
		}
	}
	for _, e := range straight.events {
		if e.TS > mid.UnixNano() {
			want = append(want, e)
		}
	}
	if len(want) < 1000 {
		t.Fatalf("only %d events in the last minute", len(want))
	}
	if len(after) != len(want) {
		t.Fatalf("%d events after the recovery, %d without a stop", len(after), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(after[i], want[i]) {
			t.Fatalf("event %d after the recovery differs:\n%+v\n%+v", i, after[i], want[i])
		}
	}
	if n := len(resumed.events) - len(after); n >= len(straight.events)-len(want) {
		t.Fatalf("the recovery replayed %d events: the whole journal, not the tail after a snapshot", n)
	}
	if _, err := os.Stat(filepath.Join(dir, "LOCK")); err != nil {
		t.Fatal(err)
	}
}

func testLogger() *slog.Logger {
	if os.Getenv("TICKCAST_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.DiscardHandler)
}
