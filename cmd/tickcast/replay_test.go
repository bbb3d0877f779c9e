package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tickcast/tickcast/internal/app"
	"github.com/tickcast/tickcast/internal/jsonl"
	"github.com/tickcast/tickcast/market"
	"github.com/tickcast/tickcast/market/sim"
)

// TestReplay: `tickcast replay` on the data directory of a server that
// ran (a warm start, then live) writes, byte for byte, the JSON lines of
// the events that server published, for the channels and symbols asked;
// and refuses a directory that is not one.
func TestReplay(t *testing.T) {
	dir := t.TempDir()
	s, err := app.New(app.Config{Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler), Sim: &sim.Config{Rate: 5},
		Market: market.Config{DataDir: dir, WarmStart: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var live bytes.Buffer
	w := jsonl.NewWriter(&live, map[string]bool{"trades": true, "book": true}, map[string]bool{"ETH-USD": true})
	sub := s.Bus.Subscribe(1 << 16) // everything the venue publishes, as the hub gets it
	done := make(chan struct{})
	go func() {
		defer close(done)
		for b := range sub.C() {
			mu.Lock()
			w.Publish(b)
			mu.Unlock()
		}
	}()
	s.Start()
	deadline := time.Now().Add(20 * time.Second)
	for !s.Ready() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-done
	w.Flush()

	var out bytes.Buffer
	if err := replay([]string{"--data-dir", dir, "--channels", "trades,book", "--symbols", "ETH-USD"}, &out); err != nil {
		t.Fatal(err)
	}
	if out.Len() == 0 || !strings.Contains(out.String(), `"t":"trade"`) || !strings.Contains(out.String(), `"t":"book"`) {
		t.Fatalf("replay wrote %d bytes, want trades and book deltas", out.Len())
	}
	if !bytes.Equal(out.Bytes(), live.Bytes()) {
		t.Fatalf("replay differs from what the server published: %d bytes against %d", out.Len(), live.Len())
	}
	if err := replay([]string{"--data-dir", t.TempDir()}, io.Discard); err == nil {
		t.Fatal("replay of an empty directory succeeded")
	}
	if err := replay(nil, io.Discard); err == nil {
		t.Fatal("replay without --data-dir succeeded")
	}
}
