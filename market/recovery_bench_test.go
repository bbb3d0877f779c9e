package market_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/tickcast/tickcast/market"
	"github.com/tickcast/tickcast/market/sim"
)

type discardPub struct{ n int }

func (d *discardPub) Publish(b []*market.Event) { d.n += len(b) }

func durableSim(b *testing.B, dir string, clock market.Clock, pub market.Publisher) *market.Venue {
	return durableSimSnap(b, dir, clock, pub, 0, 5*time.Minute)
}

func durableSimSnap(b *testing.B, dir string, clock market.Clock, pub market.Publisher, every, window time.Duration) *market.Venue {
	b.Helper()
	m, err := sim.New(sim.Config{Seed: 5, Rate: 1, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	v, err := market.New(market.Config{Publisher: pub, Clock: clock, Seed: 5, Epoch: "recovery", TokenKey: []byte("k"),
		DataDir: dir, Actors: []market.Actor{m}, Logger: slog.New(slog.DiscardHandler),
		SnapshotInterval: every, ReplayWindow: window})
	if err != nil {
		b.Fatal(err)
	}
	return v
}

// BenchmarkRecovery measures how long a durable venue takes to recover a
// journal tail of one hour of simulated market at --sim-rate 1 (the five
// default instruments, every channel built): from New on the data
// directory until Recovered, with the replay window of tickcast serve (5
// minutes): the part of the tail before it replayed silently, the rest
// with its events published (to a publisher that only counts them: the
// hub's share is not in it).
func BenchmarkRecovery(b *testing.B) {
	b.Run("journal=1h", func(b *testing.B) { benchRecovery(b, 0) })
	b.Run("snapshot=2h/journal=1h", func(b *testing.B) { benchRecovery(b, 2*time.Hour) })
}

// benchRecovery journals before of simulated market with a snapshot at its
// end (none if 0), then one hour more without one, and recovers it.
func benchRecovery(b *testing.B, before time.Duration) {
	dir := b.TempDir()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	mc := market.NewManualClock(start)
	at := start
	if before > 0 {
		// before of market, then a snapshot there (a clean stop of Run
		// writes one), then the hour of journal after it.
		at = start.Add(before)
		gen := durableSimSnap(b, dir, mc, &discardPub{}, 1000*time.Hour, time.Nanosecond)
		if err := gen.Simulate(at.UnixNano()); err != nil {
			b.Fatal(err)
		}
		gen.Close()
		snap := durableSimSnap(b, dir, mc, &discardPub{}, 1000*time.Hour, time.Nanosecond)
		ctx, cancel := context.WithCancel(context.Background())
		ran := make(chan error, 1)
		go func() { ran <- snap.Run(ctx) }()
		<-snap.Live()
		cancel()
		if err := <-ran; err != nil {
			b.Fatal(err)
		}
		if m, _ := filepath.Glob(filepath.Join(dir, "snapshot-*")); len(m) != 1 {
			b.Fatalf("%d snapshots, want the one of the clean stop", len(m))
		}
	}
	gen := durableSimSnap(b, dir, mc, &discardPub{}, 1000*time.Hour, time.Nanosecond)
	if err := gen.Simulate(at.Add(time.Hour).UnixNano()); err != nil {
		b.Fatal(err)
	}
	gen.Close()
	var size int64
	files, _ := filepath.Glob(filepath.Join(dir, "journal-*"))
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			size += st.Size()
		}
	}
	var events int
	var cpu time.Duration
	src := dir
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		dir := copyDir(b, src) // each recovery appends its restart step: recover the same journal every time
		b.StartTimer()
		c0 := cpuTime()
		pub := &discardPub{}
		v := durableSim(b, dir, market.WallClock{}, pub)
		ctx, cancel := context.WithCancel(context.Background())
		ran := make(chan error, 1)
		go func() { ran <- v.Run(ctx) }()
		select {
		case <-v.Recovered():
		case err := <-ran:
			b.Fatal(err)
		}
		cpu += cpuTime() - c0
		b.StopTimer()
		cancel()
		if err := <-ran; err != nil {
			b.Fatal(err)
		}
		events = pub.n
		b.StartTimer()
	}
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(size)/1e6, "journal-MB")
	b.ReportMetric(float64(events), "batches")
}

// cpuTime is the CPU time (user and system) the process has used: on a
// shared machine, what a recovery costs whatever else runs beside it.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func copyDir(b *testing.B, src string) string {
	b.Helper()
	dst := b.TempDir()
	ents, err := os.ReadDir(src)
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range ents {
		if e.Name() == "LOCK" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dst
}
