package market

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// ackPublisher wakes the session an order event answers.
type ackPublisher struct{ acks []chan struct{} }

func (p *ackPublisher) Publish(batch []*Event) {
	for _, e := range batch {
		if e.Kind == KindOrder && e.Origin.HasID {
			p.acks[e.Origin.Session] <- struct{}{}
		}
	}
}

// BenchmarkAck measures orders per second and the ack latency (PlaceOrder
// to the order event reaching the publisher) of a running venue, in
// memory and with a journal (an fsync before the acks of each turn of the
// loop), with sessions each keeping one order in flight. The orders are
// ioc buys against an empty book: every one is answered at once
// (expired). The journal's directory is the test's temporary directory
// (ext4 on the benchmark machine).
func BenchmarkAck(b *testing.B) {
	for _, durable := range []bool{false, true} {
		for _, sessions := range []int{1, 16, 64} {
			name := fmt.Sprintf("memory/sessions=%d", sessions)
			if durable {
				name = fmt.Sprintf("journal/sessions=%d", sessions)
			}
			b.Run(name, func(b *testing.B) { benchAck(b, durable, sessions) })
		}
	}
}

func benchAck(b *testing.B, durable bool, sessions int) {
	pub := &ackPublisher{}
	for range sessions {
		pub.acks = append(pub.acks, make(chan struct{}, 1))
	}
	cfg := Config{Publisher: pub, Seed: 1, Epoch: "bench", TokenKey: []byte("k"), RateLimit: 1e12, RateBurst: 1 << 30}
	if durable {
		cfg.DataDir = b.TempDir()
	}
	v, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- v.Run(ctx) }()
	<-v.Live()
	accts := make([]string, sessions)
	for i := range accts {
		if accts[i], _, err = v.CreateAccount(ctx); err != nil {
			b.Fatal(err)
		}
	}
	lat := make([][]time.Duration, sessions)
	var wg sync.WaitGroup
	b.ResetTimer()
	t0 := time.Now()
	for s := range sessions {
		n := b.N / sessions
		if s < b.N%sessions {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := OrderRequest{Symbol: "BTC-USD", Side: "buy", Type: "limit", TIF: "ioc", Qty: "0.0010", Px: "60000.00"}
			for i := range n {
				start := time.Now()
				if err := v.PlaceOrder(Origin{Session: uint64(s), ID: int64(i), HasID: true}, accts[s], r); err != nil {
					b.Error(err)
					return
				}
				<-pub.acks[s]
				lat[s] = append(lat[s], time.Since(start))
			}
		}()
	}
	wg.Wait()
	took := time.Since(t0)
	b.StopTimer()
	cancel()
	if err := <-ran; err != nil {
		b.Fatal(err)
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) > 0 {
		b.ReportMetric(float64(len(all))/took.Seconds(), "orders/s")
		b.ReportMetric(float64(all[len(all)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99-µs")
	}
	if v.dur != nil && v.dur.j.Syncs() > 0 {
		b.ReportMetric(float64(len(all))/float64(v.dur.j.Syncs()), "orders/fsync")
	}
}
