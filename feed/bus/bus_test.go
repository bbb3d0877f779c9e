package bus

import (
	"testing"

	"github.com/tickcast/tickcast/market"
)

func TestMemoryOrderAndClose(t *testing.T) {
	b := NewMemory()
	c1, c2 := b.Subscribe(16), b.Subscribe(16)
	for i := range 10 {
		b.Publish([]*market.Event{{Off: uint64(i)}})
	}
	b.Close()
	b.Publish([]*market.Event{{Off: 99}}) // after close: dropped, no panic
	for _, c := range []<-chan []*market.Event{c1, c2} {
		var got []uint64
		for batch := range c {
			got = append(got, batch[0].Off)
		}
		if len(got) != 10 || got[0] != 0 || got[9] != 9 {
			t.Fatalf("got %v", got)
		}
	}
	if _, ok := <-b.Subscribe(1); ok {
		t.Fatal("subscribe after close got an open channel")
	}
}
