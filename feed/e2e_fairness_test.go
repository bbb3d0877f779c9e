package feed_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gobwas/ws"

	"github.com/tickcast/tickcast/feed/client"
	"github.com/tickcast/tickcast/feed/wire"
	wsfeed "github.com/tickcast/tickcast/feed/ws"
	"github.com/tickcast/tickcast/market"
)

// traderFrom is trader connecting from local address ip.
func (ts *testServer) traderFrom(t testing.TB, ip string) *trader {
	t.Helper()
	acct, tok := ts.account()
	tr := &trader{t: t, account: acct, token: tok}
	tr.c = ts.dial(func(c *client.Config) {
		c.Format = wire.MsgPack
		c.OnDecoded = tr.keep
		c.LocalAddr = &net.TCPAddr{IP: net.ParseIP(ip)}
	})
	if a, err := tr.c.Auth(ctxT(t), tok, false); err != nil || a.Account != acct {
		t.Fatalf("auth: %+v %v", a, err)
	}
	tr.wait("the account snapshot", func(m wire.Message) bool { _, ok := m.(*wire.Account); return ok })
	return tr
}

// floodPaced sends cancels of orders that do not exist on rc: first at
// once, then one every interval, until the deadline, reading (and
// dropping) whatever comes back.
func floodPaced(t *testing.T, rc *rawConn, first int, every time.Duration, until time.Time, sent *atomic.Int64) {
	frame := func(i int) []byte {
		f := ws.NewTextFrame(wire.AppendOp(wire.JSON, nil, &wire.Cancel{ID: wire.SomeID(uint64(i + 10)), OID: wire.SomeID(uint64(1<<40 + i))}))
		var b bytes.Buffer
		if err := ws.WriteFrame(&b, ws.MaskFrameInPlaceWith(f, ws.NewMask())); err != nil {
			t.Error(err)
		}
		return b.Bytes()
	}
	var burst []byte
	for i := range first {
		burst = append(burst, frame(i)...)
	}
	one := frame(first)
	go func() { _, _ = io.Copy(io.Discard, rc.nc) }()
	_ = rc.nc.SetWriteDeadline(until)
	for next := time.Now(); next.Before(until); next = next.Add(every) {
		time.Sleep(time.Until(next))
		w, err := rc.nc.Write(burst)
		sent.Add(int64(len(burst) / len(one) * w / len(burst)))
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return
		}
		if err != nil {
			t.Errorf("the flooding session was cut: %v", err)
			return
		}
		burst = one
	}
}

// processCPU is the CPU time this process has used (user and system).
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// floodGroup is sessions from one client address, spread over a few
// accounts, that will flood cancels of unknown orders.
type floodGroup struct {
	addr     string
	sessions int
	accounts int
}

// TestE2ECancelFloodManySessions: 150 sessions from one address and 50
// from another, all flooding cancels of unknown orders, leave a trader on
// a third address fast and never refused: what an address (or an account)
// has waiting for the venue is capped across all its sessions, so that
// the floods hold a bounded share of the venue's queue however many
// sessions they open. On main before the caps the queue filled (512 of
// 512 here) and the trader's ack p50 was 76-158 ms.
//
// The defaults' arithmetic (a queue of 65,536; 500 sessions an address, 64
// in flight each, could hold half of it; an address may hold 1,024) is
// tested at a scale a loaded 2-core machine affords under -race, where a
// flooded cancel cost about 125 us of CPU (server and client) and the
// test process got a third of a core: queue 512, 4 in flight a session, 8
// an account, 32 an address. The floods' 200 sessions
// at 4 in flight could hold 800 commands, more than the queue; capped,
// the first address holds at most 32 and the second, with two accounts,
// at most 16. Each flooding session writes twice its in-flight cap at
// once, then one cancel a second: the burst presses every cap at once,
// and what follows keeps the floods' CPU (200 sessions read at the default
// 100 a second would be two cores' worth under -race) from turning the
// trader's acks into a measure of the scheduler rather than of the queue.
func TestE2ECancelFloodManySessions(t *testing.T) {
	const queue, perSession, perAccount, perAddr = 512, 4, 8, 32
	groups := []floodGroup{{"127.0.0.2", 150, 10}, {"127.0.0.3", 50, 2}}
	// A budget no flood exhausts: the sessions keep flooding for the whole
	// test instead of being closed with 1008 for ignoring rate_limited.
	ts := startServer(t, withMarket(func(c *market.Config) { c.QueueSize = queue }),
		withWS(func(c *wsfeed.Config) {
			c.RateLimitBudget = 1 << 30
			c.MaxInflight, c.MaxInflightAccount, c.MaxInflightIP = perSession, perAccount, perAddr
		}))
	bound := perAddr + 2*perAccount
	setup := time.Now()
	var floods []*rawConn
	sessions := 0
	for _, g := range groups {
		var tokens []string
		for range g.accounts {
			_, token := ts.account()
			tokens = append(tokens, token)
		}
		for i := range g.sessions {
			rc := ts.rawDial(t, "tickcast.v1.json", rawOpts{local: g.addr})
			rc.send(&wire.Auth{ID: wire.SomeID(1), Token: tokens[i%len(tokens)]})
			rc.nextKind(wire.KindAuthed, 10*time.Second)
			floods = append(floods, rc)
		}
		sessions += g.sessions
	}
	tr := ts.traderFrom(t, "127.0.0.4")
	t.Logf("%d flooding sessions and the trader authenticated in %v", sessions, time.Since(setup).Round(time.Millisecond))

	refusedBefore := map[string]float64{}
	for _, scope := range wsfeed.InflightScopes {
		refusedBefore[scope] = ts.metricOr0("tickcast_inflight_refused_total", `scope="`+scope+`"`)
	}
	const floodFor = 3500 * time.Millisecond
	start := time.Now()
	cpu0 := processCPU()
	until := start.Add(floodFor)
	// The venue's queue, watched for the whole flood.
	var maxDepth atomic.Int64
	stop := make(chan struct{})
	var watch sync.WaitGroup
	watch.Go(func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if d := int64(ts.Venue.QueueDepth()); d > maxDepth.Load() {
					maxDepth.Store(d)
				}
			}
		}
	})
	var sent atomic.Int64
	var wg sync.WaitGroup
	for _, rc := range floods {
		wg.Go(func() { floodPaced(t, rc, 2*perSession, time.Second, until, &sent) })
	}

	// The trader places an order every 50 ms from the start of the floods
	// (their first burst included) to their end: about 60, within its
	// session's burst and rate (and its account's order rate); they rest
	// on the book, far from the market.
	var acks []time.Duration
	var refused []string
	for i := 0; time.Now().Before(until.Add(-200 * time.Millisecond)); i++ {
		time.Sleep(50 * time.Millisecond)
		t0 := time.Now()
		o, err := tr.c.PlaceOrder(ctxT(t), lim(fmt.Sprint("f", i), "BTC-USD", "buy", "0.0010", "55000.00"))
		acks = append(acks, time.Since(t0))
		if err != nil || o.Status != market.StatusNew {
			refused = append(refused, fmt.Sprintf("order %d at %v: %+v %v", i, t0.Sub(start).Round(time.Millisecond), o, err))
		}
	}
	traderDone := time.Since(start)
	cpu := processCPU() - cpu0
	wg.Wait()
	close(stop)
	watch.Wait()

	slices.Sort(acks)
	p50, p99 := acks[len(acks)/2], acks[len(acks)*99/100]
	var byScope []string
	capped := map[string]float64{}
	for _, scope := range wsfeed.InflightScopes {
		capped[scope] = ts.metricOr0("tickcast_inflight_refused_total", `scope="`+scope+`"`) - refusedBefore[scope]
		byScope = append(byScope, fmt.Sprintf("%s %.0f", scope, capped[scope]))
	}
	t.Logf("%d sessions on 2 addresses wrote %d cancels in %v; refused at once for the in-flight caps: %v; venue queue at most %d of %d (the floods' caps: %d)",
		sessions, sent.Load(), floodFor, byScope, maxDepth.Load(), queue, bound)
	t.Logf("the test process used %v of CPU in those %v", cpu, traderDone.Round(time.Millisecond))
	t.Logf("the trader on a third address: %d orders in %v, acked p50 %v, p99 %v, max %v; %d refused",
		len(acks), traderDone.Round(time.Millisecond), p50.Round(10*time.Microsecond), p99.Round(10*time.Microsecond),
		acks[len(acks)-1].Round(10*time.Microsecond), len(refused))
	for _, r := range refused {
		t.Errorf("the trader was refused during the flood: %s", r)
	}
	if p50 > 20*time.Millisecond {
		t.Errorf("the trader's ack p50 %v during the flood, want under 20 ms", p50)
	}
	// Every command in the venue's queue is counted in flight by the
	// session that sent it, until the hub has routed its answer: the
	// floods' share never exceeds their caps (the slack is the trader's and
	// REST's).
	if d := maxDepth.Load(); d > int64(bound+64) {
		t.Errorf("the venue's queue held %d commands, over the floods' caps of %d", d, bound)
	}
	// The floods did press on the caps across sessions; otherwise this
	// test shows nothing about them.
	if capped["address"] == 0 || capped["account"] == 0 {
		t.Errorf("the floods were never refused for their address's or account's cap (%v): too weak to test them", byScope)
	}
}
