package market_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tickcast/tickcast/market"
	"github.com/tickcast/tickcast/market/sim"
)

type discardPub struct{ n int }

func (d *discardPub) Publish(b []*market.Event) { d.n += len(b) }

func durableSim(b *testing.B, dir string, clock market.Clock, pub market.Publisher) *market.Venue {
	b.Helper()
	m, err := sim.New(sim.Config{Seed: 5, Rate: 1, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	v, err := market.New(market.Config{Publisher: pub, Clock: clock, Seed: 5, Epoch: "recovery", TokenKey: []byte("k"),
		DataDir: dir, Actors: []market.Actor{m}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	return v
}

// BenchmarkRecovery measures how long a durable venue takes to recover a
// journal tail of one hour of simulated market at --sim-rate 1 (the five
// default instruments, every channel built): from New on the data
// directory until Recovered, with every replayed event published (to a
// publisher that only counts them: the hub's share is not in it).
func BenchmarkRecovery(b *testing.B) {
	dir := b.TempDir()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	mc := market.NewManualClock(start)
	gen := durableSim(b, dir, mc, &discardPub{})
	if err := gen.Simulate(start.Add(time.Hour).UnixNano()); err != nil {
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
	b.ResetTimer()
	for b.Loop() {
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
		b.StopTimer()
		cancel()
		if err := <-ran; err != nil {
			b.Fatal(err)
		}
		events = pub.n
		b.StartTimer()
	}
	b.ReportMetric(float64(size)/1e6, "journal-MB")
	b.ReportMetric(float64(events), "batches")
}
