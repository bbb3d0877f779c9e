package feed_test

import (
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/client"
	"github.com/tickcast/tickcast/feed/wire"
	wsfeed "github.com/tickcast/tickcast/feed/ws"
	"github.com/tickcast/tickcast/internal/testkit"
)

// TestE2EShutdown: with several sessions open on a busy feed (Go clients
// on both subprotocols, raw clients that answer the close and one that
// reads its close but never answers it), Shutdown sends 1001 to every
// session and returns, without error, well within 5 s. A session whose
// client stopped reading altogether (its writer blocked on a full socket)
// cannot be told, but must not hold the shutdown up either.
func TestE2EShutdown(t *testing.T) {
	for _, stuck := range []bool{false, true} {
		name := "all reading"
		if stuck {
			name = "with a client that stopped reading"
		}
		t.Run(name, func(t *testing.T) {
			ts := startServer(t, withSimRate(40), withSendBuffer(4096))
			syms := ts.Hub.Symbols()
			ctx := ctxT(t)
			var clients []*client.Client
			for _, f := range []wire.Format{wire.MsgPack, wire.JSON, wire.MsgPack} {
				c := ts.dial(func(c *client.Config) { c.Format = f })
				if _, err := c.Subscribe(ctx, []string{"trades", "book", "ticker"}, syms); err != nil {
					t.Fatal(err)
				}
				clients = append(clients, c)
			}
			var raws []*rawConn
			for _, proto := range []string{"tickcast.v1.json", "tickcast.v1.msgpack", ""} {
				rc := ts.rawDial(t, proto, rawOpts{})
				rc.subscribe(1, []string{"book", "quote"}, []string{"BTC-USD"})
				raws = append(raws, rc)
			}
			if stuck {
				rc := ts.rawDial(t, "tickcast.v1.msgpack", rawOpts{rcvBuf: 4096})
				rc.send(&wire.Subscribe{ID: wire.SomeID(1), Channels: []string{"trades", "book", "quote", "ticker"}, Symbols: syms})
				// Its writer blocks on the full socket: its quotes start
				// being conflated.
				before := ts.metric("tickcast_conflations_total")
				testkit.Eventually(t, 10*time.Second, "the stuck client's writer to block", func() bool {
					return ts.metric("tickcast_conflations_total") > before
				})
			}
			want := len(clients) + len(raws)
			if stuck {
				want++
			}
			testkit.Eventually(t, 5*time.Second, "every session", func() bool { return ts.Server.WSSessions() == want })

			// The raw clients read concurrently with the shutdown: two
			// answer the close frame, one does not.
			var wg sync.WaitGroup
			codes := make([]error, len(raws))
			for i, rc := range raws {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						_, err := rc.tryNext(6 * time.Second)
						var ce *errClosed
						if errors.As(err, &ce) && ce.code == 1001 {
							if i < 2 {
								_ = rc.writeFrame(closeFrame(1001, ""))
							}
							return
						}
						if err != nil {
							codes[i] = err
							return
						}
					}
				}()
			}
			ts.Stop()
			wg.Wait()
			for i, err := range codes {
				if err != nil {
					t.Errorf("raw client %d: %v, want close 1001", i, err)
				}
			}
			for i, c := range clients {
				<-c.Done()
				if ci := c.LastClose(); ci.Code != int(1001) || !ci.Remote {
					t.Errorf("client %d: %v, want 1001 from the server", i, ci)
				}
			}
			t.Logf("Shutdown of %d sessions took %v (err %v)", want, ts.ShutdownTook.Round(time.Millisecond), ts.ShutdownErr)
			if ts.ShutdownErr != nil {
				t.Errorf("Shutdown: %v", ts.ShutdownErr)
			}
			if ts.ShutdownTook > 5*time.Second {
				t.Errorf("Shutdown took %v", ts.ShutdownTook)
			}
			if n := ts.Server.WSSessions(); n != 0 {
				t.Errorf("%d sessions left", n)
			}
			// No session is admitted any more.
			_ = wsfeed.StatusTryAgainLater
		})
	}
}

// TestE2EShutdownDrains: shutdown stops the venue first and lets the hub
// relay what the bus still holds before the transports close, so a client
// gets, before its 1001, every message the venue published on its
// streams.
func TestE2EShutdownDrains(t *testing.T) {
	ts := startServer(t, withSimRate(40))
	// An observer on the bus records the last offset published per stream.
	obs := ts.App.Bus.Subscribe(1 << 20)
	last := map[string]uint64{}
	var mu sync.Mutex
	observed := make(chan struct{})
	go func() {
		defer close(observed)
		for batch := range obs.C() {
			mu.Lock()
			for _, e := range batch {
				if e.Kind.Public() {
					last[e.Kind.Channel()+":"+e.Symbol] = e.Off
				}
			}
			mu.Unlock()
		}
	}()
	streams := []string{"trades:BTC-USD", "book:BTC-USD", "book:ETH-USD"}
	rc := ts.rawDial(t, "tickcast.v1.json", rawOpts{})
	rc.subscribe(1, []string{"trades", "book"}, []string{"BTC-USD", "ETH-USD"})
	got := map[string]uint64{}
	var gotMu sync.Mutex
	var closeErr error
	read := make(chan struct{})
	go func() {
		defer close(read)
		for {
			_, payload, err := rc.nextRaw(10 * time.Second)
			if err != nil {
				closeErr = err
				return
			}
			var m struct {
				Ch, S string
				Off   uint64
			}
			if err := json.Unmarshal(payload, &m); err == nil && m.Off > 0 {
				gotMu.Lock()
				got[m.Ch+":"+m.S] = m.Off
				gotMu.Unlock()
			}
		}
	}()
	// Traffic the client itself received: a trade the venue published
	// before the subscription took effect (the first one may be) is on
	// the bus but never reaches the client, and stopping right after it
	// compared the client's nothing with it.
	testkit.Eventually(t, 10*time.Second, "book and trade traffic", func() bool {
		gotMu.Lock()
		defer gotMu.Unlock()
		return got["trades:BTC-USD"] > 0 && got["book:ETH-USD"] > 0
	})
	ts.Stop()
	<-read
	<-observed // the bus closed at shutdown
	var ce *errClosed
	if !errors.As(closeErr, &ce) || ce.code != 1001 {
		t.Fatalf("read ended with %v, want close 1001", closeErr)
	}
	for _, s := range streams {
		if got[s] != last[s] {
			t.Errorf("%s: last offset before 1001 is %d, the venue's last is %d", s, got[s], last[s])
		}
	}
	if ts.ShutdownErr != nil {
		t.Errorf("Shutdown: %v", ts.ShutdownErr)
	}
}
