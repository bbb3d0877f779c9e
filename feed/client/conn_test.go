package client

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/internal/testkit"
)

func TestPingPong(t *testing.T) {
	fs := newFakeServer(t)
	dial(t, fs, wire.MsgPack, nil)
	fs.pingAll("hb-1")
	select {
	case p := <-fs.pongs:
		if p != "hb-1" {
			t.Errorf("pong payload %q", p)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no pong")
	}
}

// TestCloseCodeSurfaced: the server's close code and reason reach OnState
// and LastClose; 4008 is retried, 1008 is not.
func TestCloseCodeSurfaced(t *testing.T) {
	fs := newFakeServer(t)
	var col collector
	c := dial(t, fs, wire.JSON, col.config)
	fs.kick(4008, "slow consumer")
	testkit.Eventually(t, 5*time.Second, "reconnect", func() bool { return c.Stats().Reconnects == 1 && c.State() == StateConnected })
	evs := col.stateEvents()
	var found bool
	for _, ev := range evs {
		if ev.State == StateDisconnected && ev.Close.Code == 4008 && ev.Close.Reason == "slow consumer" && ev.Close.Remote {
			found = true
		}
	}
	if !found {
		t.Errorf("no disconnect event with 4008: %+v", evs)
	}
	fs.kick(1008, "policy")
	select {
	case <-c.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("client kept going after 1008")
	}
	if c.State() != StateClosed || c.LastClose().Code != 1008 || c.Err() == nil {
		t.Errorf("state %v close %+v err %v", c.State(), c.LastClose(), c.Err())
	}
	if _, err := c.Ping(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("ping after stop: %v", err)
	}
}

// TestAbnormalClose: a connection that drops without a close frame is
// reported as 1006; with reconnection disabled the client stops.
func TestAbnormalClose(t *testing.T) {
	fs := newFakeServer(t)
	c := dial(t, fs, wire.MsgPack, func(cfg *Config) { cfg.Reconnect.Disable = true })
	fs.mu.Lock()
	for fc := range fs.conns {
		_ = fc.nc.Close()
	}
	fs.mu.Unlock()
	<-c.Done()
	if lc := c.LastClose(); lc.Code != CloseCodeAbnormal || lc.Remote || lc.Err == nil {
		t.Errorf("LastClose %+v", lc)
	}
}

// TestReadTimeout: a silent server is detected.
func TestReadTimeout(t *testing.T) {
	fs := newFakeServer(t)
	c := dial(t, fs, wire.MsgPack, func(cfg *Config) {
		cfg.ReadTimeout = 50 * time.Millisecond
		cfg.Reconnect.Disable = true
	})
	select {
	case <-c.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("no timeout")
	}
	if lc := c.LastClose(); lc.Code != CloseCodeAbnormal {
		t.Errorf("LastClose %+v", lc)
	}
}

// TestClose: Close sends 1000, stops the client and fails what waits.
func TestClose(t *testing.T) {
	fs := newFakeServer(t)
	var col collector
	c := dial(t, fs, wire.MsgPack, col.config)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil { // idempotent
		t.Fatal(err)
	}
	if c.State() != StateClosed || c.Err() != nil {
		t.Errorf("state %v err %v", c.State(), c.Err())
	}
	if _, err := c.Ping(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("ping after close: %v", err)
	}
	testkit.Eventually(t, 5*time.Second, "server side closed", func() bool { return fs.numConns() == 0 })
	if st := c.Stats(); st.Reconnects != 0 {
		t.Errorf("reconnected after Close: %+v", st)
	}
}

// TestCloseWhileReconnecting: Close interrupts the backoff.
func TestCloseWhileReconnecting(t *testing.T) {
	fs := newFakeServer(t)
	c := dial(t, fs, wire.MsgPack, func(cfg *Config) { cfg.Reconnect.MinDelay, cfg.Reconnect.MaxDelay = time.Hour, time.Hour })
	fs.kick(1001, "")
	testkit.Eventually(t, 5*time.Second, "disconnected", func() bool { return c.State() == StateDisconnected })
	done := make(chan struct{})
	go func() { _ = c.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close blocked during backoff")
	}
}

func TestBackoffFullJitter(t *testing.T) {
	c := &Client{cfg: Config{Reconnect: Reconnect{MinDelay: 100 * time.Millisecond, MaxDelay: time.Second}}}
	for attempt, ceil := range []time.Duration{100, 200, 400, 800, 1000, 1000} {
		ceil *= time.Millisecond
		var maxSeen time.Duration
		for range 200 {
			d := c.backoff(attempt)
			if d <= 0 || d > ceil {
				t.Fatalf("attempt %d: delay %v outside (0, %v]", attempt, d, ceil)
			}
			maxSeen = max(maxSeen, d)
		}
		if maxSeen < ceil/2 {
			t.Errorf("attempt %d: delays not spread up to %v (max %v)", attempt, ceil, maxSeen)
		}
	}
	if d := c.backoff(200); d > time.Second {
		t.Errorf("huge attempt: %v", d)
	}
}
