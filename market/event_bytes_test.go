package market

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"
)

// eventBytesDigest is the SHA-256 of TestEventBytesStable's batches as
// msgpack (account ids replaced, see encoder), taken with the venue as it
// was before events were built from slabs with their strings in their own
// buffers (main at 1967c40, and main at 4880b04 with random account ids
// gives the same): the events must be the same, field for field.
const eventBytesDigest = "f36dafc978ad6ee5f4844320eecfeb3bb252d3fa40363e5b0a9bc685e39890c3"

// TestEventBytesStable runs a fixed scenario of user orders, amends and
// cancels of four accounts beside the simulated market, for every kind of
// event (trades, deltas, quotes, tickers, candles, orders, fills,
// balances, replies, rejects), and encodes every batch as feed/bus's
// MarshalBatch does: the bytes must not change.
func TestEventBytesStable(t *testing.T) {
	var out bytes.Buffer
	enc := msgpack.NewEncoder(&out)
	enc.UseCompactInts(true)
	enc.SetOmitEmpty(true)
	rec := &encoder{t: t, enc: enc}
	eventScenario(t, rec, nil)
	for k := KindTrade; k < kindCount; k++ {
		if k != KindBookSnapshot && rec.kinds[k] == 0 {
			t.Errorf("no event of kind %d in the scenario", k)
		}
	}
	sum := sha256.Sum256(out.Bytes())
	if got := hex.EncodeToString(sum[:]); got != eventBytesDigest {
		t.Fatalf("%d events, %d bytes: digest %s, want %s", rec.n, out.Len(), got, eventBytesDigest)
	}
}

// eventScenario runs TestEventBytesStable's fixed scenario of user
// orders, amends and cancels of four accounts beside the simulated market,
// publishing to pub.
// Every 100 steps it passes the answers of the venue's queries to answers,
// if not nil (queries.go of market_test).
func eventScenario(t testing.TB, pub Publisher, answers func([]*Event)) {
	tv := newTestVenue(t, func(c *Config) { c.Publisher = pub })
	accts := []string{tv.account(), tv.account(), tv.account(), tv.account()}
	rng := rand.New(rand.NewPCG(7, 8))
	syms := []string{"BTC-USD", "ETH-USD", "DOGE-USD"}
	refs := map[string]float64{"BTC-USD": 60000, "ETH-USD": 3000, "DOGE-USD": 0.15}
	qtys := map[string]string{"BTC-USD": "0.0100", "ETH-USD": "0.100", "DOGE-USD": "500"}
	for i := range 3000 {
		a := accts[rng.IntN(len(accts))]
		s := syms[rng.IntN(len(syms))]
		origin := Origin{Session: uint64(1 + rng.IntN(3)), ID: int64(i), HasID: rng.IntN(4) > 0}
		switch r := rng.IntN(10); {
		case r < 6:
			px := refs[s] * (1 + (rng.Float64()-0.5)*0.004)
			pxs := fmt.Sprintf("%.2f", px)
			if s == "DOGE-USD" {
				pxs = fmt.Sprintf("%.5f", px)
			}
			side := []string{"buy", "sell"}[rng.IntN(2)]
			tif := []string{"", "ioc", "gtc", "fok"}[rng.IntN(4)]
			_ = tv.PlaceOrder(origin, a, OrderRequest{CID: fmt.Sprint("c", i), Symbol: s, Side: side, Type: "limit", TIF: tif, Qty: qtys[s], Px: pxs})
		case r < 7:
			_ = tv.PlaceOrder(origin, a, OrderRequest{Symbol: s, Side: "buy", Type: "market", Qty: qtys[s]})
		case r < 8:
			_ = tv.CancelOrder(origin, a, OrderRef{CID: fmt.Sprint("c", i-1-rng.IntN(20))})
		case r < 9:
			_ = tv.AmendOrder(origin, a, OrderRef{CID: fmt.Sprint("c", i-1-rng.IntN(20))}, AmendRequest{Qty: qtys[s]})
		default:
			_ = tv.PlaceOrder(origin, a, OrderRequest{Symbol: s, Side: "buy", Type: "limit", Qty: "0.00001", Px: "1"}) // rejected
		}
		tv.do()
		if i%100 == 0 {
			_ = tv.CancelAll(origin, a, "")
			_ = tv.Auth(origin, a, false)
			tv.do()
			if answers != nil {
				answers(tv.queryAnswers(accts, syms))
			}
		}
		tv.clock.Advance(time.Duration(rng.IntN(400)) * time.Millisecond)
		if err := tv.Simulate(tv.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
}

type encoder struct {
	t     *testing.T
	enc   *msgpack.Encoder
	n     int
	kinds [kindCount]int
	ids   map[string]string
}

// Publish encodes copies of the events whose account ids are replaced by
// the order in which they first appeared: ids are random for each venue.
func (e *encoder) Publish(batch []*Event) {
	e.n += len(batch)
	out := make([]*Event, len(batch))
	for i, ev := range batch {
		e.kinds[ev.Kind]++
		c := *ev
		if c.Account != "" {
			if e.ids == nil {
				e.ids = map[string]string{}
			}
			if _, ok := e.ids[c.Account]; !ok {
				e.ids[c.Account] = fmt.Sprint("acct", len(e.ids))
			}
			c.Account = e.ids[c.Account]
		}
		out[i] = &c
	}
	if err := e.enc.Encode(out); err != nil {
		e.t.Fatal(err)
	}
}
