package bus

import (
	"sync"
	"testing"
	"time"

	"github.com/tickcast/tickcast/market"
)

func TestMemoryOrderAndClose(t *testing.T) {
	b := NewMemory()
	s1, s2 := b.Subscribe(16), b.Subscribe(16)
	for i := range 10 {
		if err := b.PublishBatch([]*market.Event{{Off: uint64(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	b.Close()
	if err := b.PublishBatch([]*market.Event{{Off: 99}}); err != ErrClosed {
		t.Fatalf("publish after close: %v, want ErrClosed", err)
	}
	b.Publish([]*market.Event{{Off: 99}}) // the venue's side: dropped, no panic
	for _, s := range []Subscription{s1, s2} {
		var got []uint64
		for batch := range s.C() {
			got = append(got, batch[0].Off)
		}
		if len(got) != 10 || got[0] != 0 || got[9] != 9 {
			t.Fatalf("got %v", got)
		}
	}
	if _, ok := <-b.Subscribe(1).C(); ok {
		t.Fatal("subscribe after close got an open channel")
	}
}

// TestMemoryCloseWithStalledSubscriber: a subscriber that never reads
// blocks Publish once its channel is full; Close must still return at
// once, and the blocked Publish must give up with ErrClosed.
func TestMemoryCloseWithStalledSubscriber(t *testing.T) {
	b := NewMemory()
	stalled := b.Subscribe(1)
	live := b.Subscribe(100)
	published := make(chan error, 1)
	go func() {
		for i := range 3 { // the second fills the stalled channel, the third blocks
			if err := b.PublishBatch([]*market.Event{{Off: uint64(i)}}); err != nil {
				published <- err
				return
			}
		}
		published <- nil
	}()
	// Once the live subscriber has the first batch, the second blocks on
	// the stalled one (subscribers are served in order).
	deadline := time.Now().Add(5 * time.Second)
	for len(live.C()) < 1 {
		if time.Now().After(deadline) {
			t.Fatal("publisher never got going")
		}
		time.Sleep(time.Millisecond)
	}
	closed := make(chan struct{})
	t0 := time.Now()
	go func() { b.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(time.Second):
		t.Fatal("Close hung behind a stalled subscriber")
	}
	select {
	case err := <-published:
		if err != ErrClosed {
			t.Fatalf("blocked publish returned %v, want ErrClosed", err)
		}
	case <-time.After(time.Second):
		t.Fatal("blocked Publish did not give up when the bus closed")
	}
	if d := time.Since(t0); d > time.Second {
		t.Fatalf("close took %v", d)
	}
	if len(stalled.C()) != 1 {
		t.Fatalf("stalled subscriber holds %d batches, want the 1 it had room for", len(stalled.C()))
	}
}

// TestMemoryCancel: a cancelled subscription gets nothing more, and a
// publisher blocked on it moves on to the others.
// TestMemoryCancelOtherWhileStalled: a Publish blocked on one stalled
// subscriber must not hold up the cancel of another, nor a new Subscribe;
// both used to wait for the bus's lock, which the blocked Publish held.
func TestMemoryCancelOtherWhileStalled(t *testing.T) {
	b := NewMemory()
	defer b.Close()
	other := b.Subscribe(0)
	stalled := b.Subscribe(0)   // unbuffered and never read: blocks Publish at once
	go func() { <-other.C() }() // other takes the first batch; stalled never does
	published := make(chan error, 1)
	go func() { published <- b.PublishBatch([]*market.Event{{Off: 1}}) }()
	time.Sleep(10 * time.Millisecond) // let the publisher block on stalled
	done := make(chan struct{})
	go func() {
		other.Cancel()
		late := b.Subscribe(1)
		late.Cancel()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("Cancel or Subscribe waited for a Publish blocked on another subscriber")
	}
	select {
	case err := <-published:
		t.Fatalf("Publish returned %v while a subscriber stalls", err)
	default:
	}
	stalled.Cancel()
	select {
	case err := <-published:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Second):
		t.Fatal("Publish still blocked after the stalled subscriber cancelled")
	}
}

func TestMemoryCancel(t *testing.T) {
	b := NewMemory()
	defer b.Close()
	gone := b.Subscribe(0) // unbuffered and never read: blocks Publish at once
	live := b.Subscribe(10)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = b.PublishBatch([]*market.Event{{Off: 1}}) }()
	time.Sleep(10 * time.Millisecond) // let the publisher block; nothing below depends on it having done so
	gone.Cancel()
	gone.Cancel() // idempotent
	wg.Wait()
	if _, ok := <-gone.C(); ok {
		t.Fatal("cancelled subscription's channel still open")
	}
	if err := b.PublishBatch([]*market.Event{{Off: 2}}); err != nil {
		t.Fatal(err)
	}
	if a, c := <-live.C(), <-live.C(); a[0].Off != 1 || c[0].Off != 2 {
		t.Fatalf("live subscriber got %d, %d", a[0].Off, c[0].Off)
	}
}
