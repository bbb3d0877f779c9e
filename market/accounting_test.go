package market

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/tickcast/tickcast/orders"
)

// checkBooks verifies the venue's accounting invariants: each asset's
// total over all accounts is what was deposited; each account's reserved
// amounts equal what its open orders hold; nothing is negative.
func checkBooks(t *testing.T, v *Venue, deposited []int64) {
	t.Helper()
	sum := make([]int64, len(v.assets))
	held := map[*account][]int64{}
	for _, o := range v.live {
		if held[o.acct] == nil {
			held[o.acct] = make([]int64, len(v.assets))
		}
		held[o.acct][o.reserveAsset()] += o.reserved
	}
	for _, a := range v.owners[1:] {
		if a == nil {
			t.Fatal("an account expired during a conservation check")
		}
		for i, b := range a.bal {
			sum[i] += b.total
			want := int64(0)
			if held[a] != nil {
				want = held[a][i]
			}
			if b.reserved != want {
				t.Fatalf("%s %s: reserved %d, open orders hold %d", a.id, v.assets[i].name, b.reserved, want)
			}
			if b.total < 0 || b.available() < 0 {
				t.Fatalf("%s %s: total %d available %d", a.id, v.assets[i].name, b.total, b.available())
			}
		}
	}
	for i := range sum {
		if sum[i] != deposited[i] {
			t.Fatalf("%s: accounts hold %d, %d was deposited", v.assets[i].name, sum[i], deposited[i])
		}
	}
}

func TestConservation(t *testing.T) {
	tv := newTestVenue(t, func(c *Config) { c.RateLimit = 1e9; c.RateBurst = 1e9 })
	var accts []string
	for range 6 {
		accts = append(accts, tv.account())
	}
	deposited := make([]int64, len(tv.assets))
	for _, a := range tv.owners[1:] {
		for i, b := range a.bal {
			deposited[i] += b.total
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	syms := []string{"BTC-USD", "EUR-USD", "DOGE-USD"}
	pxs := map[string]func() string{
		"BTC-USD":  func() string { return fmt.Sprintf("%d.%02d", 59900+rng.IntN(200), rng.IntN(100)) },
		"EUR-USD":  func() string { return fmt.Sprintf("1.0%04d0", 7900+rng.IntN(200)) },
		"DOGE-USD": func() string { return fmt.Sprintf("0.1%03d0", 4900+rng.IntN(200)) },
	}
	qtys := map[string]func() string{
		"BTC-USD":  func() string { return fmt.Sprintf("0.%04d", 1+rng.IntN(3000)) },
		"EUR-USD":  func() string { return fmt.Sprint(1 + rng.IntN(20000)) },
		"DOGE-USD": func() string { return fmt.Sprint(1 + rng.IntN(50000)) },
	}
	fills := 0
	for i := range 20000 {
		acct := accts[rng.IntN(len(accts))]
		sym := syms[rng.IntN(len(syms))]
		o := Origin{Session: 1, ID: int64(i), HasID: true}
		switch x := rng.IntN(10); {
		case x < 6:
			r := OrderRequest{CID: fmt.Sprint("o", i), Symbol: sym, Side: []string{"buy", "sell"}[rng.IntN(2)], Type: "limit", Qty: qtys[sym](), Px: pxs[sym]()}
			switch rng.IntN(8) {
			case 0:
				r.Type, r.Px = "market", ""
			case 1:
				r.TIF = "ioc"
			case 2:
				r.TIF = "fok"
			case 3:
				r.PostOnly = true
			}
			_ = tv.PlaceOrder(o, acct, r)
		case x < 8:
			_ = tv.CancelOrder(o, acct, OrderRef{CID: fmt.Sprint("o", i-1-rng.IntN(50))})
		case x < 9:
			a := AmendRequest{Qty: qtys[sym]()}
			if rng.IntN(2) == 0 {
				a.Px = pxs[sym]()
			}
			_ = tv.AmendOrder(o, acct, OrderRef{CID: fmt.Sprint("o", i-1-rng.IntN(50))}, a)
		default:
			_ = tv.CancelAll(o, acct, "")
		}
		tv.do()
		for _, e := range tv.pub.take() {
			if e.Kind == KindFill {
				fills++
			}
		}
		checkBooks(t, tv.Venue, deposited)
	}
	if fills < 1000 {
		t.Fatalf("only %d fills: the stream does not exercise settlement", fills)
	}
}

// TestReservations follows one account's available balance through the
// life of its orders.
func TestReservations(t *testing.T) {
	tv := newTestVenue(t, nil)
	buyer, seller := tv.account(), tv.account()
	usd := func(acct string) (total, avail int64) {
		b := tv.accounts[acct].bal[tv.assetI["USD"]]
		return b.total, b.available()
	}
	btc := func(acct string) (total, avail int64) {
		b := tv.accounts[acct].bal[tv.assetI["BTC"]]
		return b.total, b.available()
	}
	const u = 1_000_000 // USD has 6 decimals: 0.01 tick x 0.0001 lot
	tv.place(buyer, 1, limit("BTC-USD", "buy", "0.5000", "60000.00"))
	if tot, av := usd(buyer); tot != 100_000*u || av != 70_000*u {
		t.Fatalf("after buy 0.5 @ 60000: total %d available %d", tot, av)
	}
	// A market buy reserves at the top of the band: 66000 x 0.1.
	tv.place(seller, 2, limit("BTC-USD", "sell", "0.0500", "61000.00"))
	m := OrderRequest{CID: "m", Symbol: "BTC-USD", Side: "buy", Type: "market", Qty: "0.1000"}
	tv.place(buyer, 3, m)
	// It bought 0.05 at 61000 (3050) and the remainder expired: the
	// reservation of 6600 is released in full.
	if tot, av := usd(buyer); tot != (100_000-3050)*u || av != (100_000-3050-30_000)*u {
		t.Fatalf("after market buy: total %d available %d", tot, av)
	}
	if tot, av := btc(buyer); tot != 16666+500 || av != 16666+500 {
		t.Fatalf("buyer BTC: total %d available %d", tot, av)
	}
	// Amend the resting buy down in price: the reservation shrinks.
	if err := tv.AmendOrder(Origin{Session: 1, ID: 4, HasID: true}, buyer, OrderRef{CID: "c"}, AmendRequest{Px: "59000.00"}); err != nil {
		t.Fatal(err)
	}
	tv.do()
	tv.pub.take()
	if _, av := usd(buyer); av != (100_000-3050-29_500)*u {
		t.Fatalf("after amend: available %d", av)
	}
	// Amend beyond the funds is refused and changes nothing.
	_ = tv.AmendOrder(Origin{Session: 1, ID: 5, HasID: true}, buyer, OrderRef{CID: "c"}, AmendRequest{Qty: "2.0000"})
	tv.do()
	evs := tv.pub.take()
	if len(evs) != 1 || evs[0].Kind != KindError || evs[0].Reply.Reason != RejectInsufficientFunds || evs[0].Origin.ID != 5 {
		t.Fatalf("over-funds amend: %+v", evs)
	}
	// Seller's 0.05 BTC left its account; it received 3050 USD.
	if tot, av := btc(seller); tot != 16666-500 || av != 16666-500 {
		t.Fatalf("seller BTC: total %d available %d", tot, av)
	}
	if tot, _ := usd(seller); tot != (100_000+3050)*u {
		t.Fatalf("seller USD: %d", tot)
	}
}

func TestAmendPriority(t *testing.T) {
	tv := newTestVenue(t, nil)
	a, b := tv.account(), tv.account()
	tv.place(a, 1, limit("BTC-USD", "sell", "0.0100", "60000.00"))
	tv.place(b, 2, limit("BTC-USD", "sell", "0.0100", "60000.00"))
	amend := func(acct string, id int64, q string) []*Event {
		if err := tv.AmendOrder(Origin{Session: 1, ID: id, HasID: true}, acct, OrderRef{CID: "c"}, AmendRequest{Qty: q}); err != nil {
			t.Fatal(err)
		}
		tv.do()
		return tv.pub.take()
	}
	evs := amend(a, 3, "0.0050") // down: a stays first
	if u := firstOrder(t, evs); u.Qty.String() != "0.0050" || !evs[0].Origin.HasID || evs[0].Origin.ID != 3 {
		t.Fatalf("amend reply %+v", u)
	}
	if q := tv.bySym["BTC-USD"].book.Queue(orders.Sell, 6_000_000, nil); q[0] != 1 {
		t.Fatalf("queue after amend down: %v", q)
	}
	amend(a, 4, "0.0200") // up: a goes behind b
	if q := tv.bySym["BTC-USD"].book.Queue(orders.Sell, 6_000_000, nil); q[0] != 2 || q[1] != 1 {
		t.Fatalf("queue after amend up: %v", q)
	}
	evs = amend(b, 5, "0.0000")
	if len(evs) != 1 || evs[0].Kind != KindError || evs[0].Reply.Reason != RejectInvalidQty {
		t.Fatalf("amend to zero: %+v", evs[0].Reply)
	}
}

func TestCancelAllAndAuthSnapshot(t *testing.T) {
	tv := newTestVenue(t, nil)
	a := tv.account()
	tv.place(a, 1, limit("BTC-USD", "buy", "0.0100", "59000.00"))
	r := limit("ETH-USD", "buy", "0.010", "2900.00")
	r.CID = "e"
	tv.place(a, 2, r)
	if err := tv.Auth(Origin{Session: 9, ID: 3, HasID: true}, a, false); err != nil {
		t.Fatal(err)
	}
	tv.do()
	evs := tv.pub.take()
	kinds := ""
	for _, e := range evs {
		kinds += fmt.Sprint(e.Kind, " ")
		if !e.Direct || e.Origin.Session != 9 || e.Account != a {
			t.Fatalf("auth answer not addressed to the session: %+v", e)
		}
	}
	if len(evs) != 4 || evs[0].Kind != KindAuthed || evs[0].Origin.ID != 3 || evs[1].Kind != KindAccount || evs[2].Order.CID != "c" || evs[3].Order.CID != "e" {
		t.Fatalf("auth answer: %s", kinds)
	}
	if evs[1].Seq != tv.accounts[a].seq || evs[3].Seq != tv.accounts[a].seq {
		t.Fatalf("snapshot seq %d, account at %d", evs[1].Seq, tv.accounts[a].seq)
	}
	if err := tv.CancelAll(Origin{Session: 9, ID: 4, HasID: true}, a, "ETH-USD"); err != nil {
		t.Fatal(err)
	}
	tv.do()
	if r := canceledAll(t, tv.pub.take()); r.Reply.Count != 1 || r.Origin.ID != 4 {
		t.Fatalf("cancel_all reply %+v", r)
	}
	_ = tv.CancelAll(Origin{Session: 9, ID: 5, HasID: true}, a, "")
	tv.do()
	if r := canceledAll(t, tv.pub.take()); r.Reply.Count != 1 {
		t.Fatalf("cancel_all everywhere: %+v", r.Reply)
	}
	_ = tv.Auth(Origin{Session: 9, ID: 6, HasID: true}, "a_nobody", false)
	tv.do()
	if evs := tv.pub.take(); evs[0].Kind != KindError || evs[0].Reply.Code != CodeInvalidToken {
		t.Fatalf("auth of unknown account: %+v", evs[0])
	}
}

func TestTokens(t *testing.T) {
	tok := signToken([]byte("key"), "a_123")
	if acct, ok := verifyToken([]byte("key"), tok); !ok || acct != "a_123" {
		t.Fatalf("own token refused: %q %v", acct, ok)
	}
	for _, bad := range []string{"", ".", "a_123", "a_123.", tok + "x", "a_124" + tok[5:], tok[:len(tok)-1] + "A"} {
		if _, ok := verifyToken([]byte("key"), bad); ok {
			t.Errorf("forged token %q accepted", bad)
		}
	}
	if _, ok := verifyToken([]byte("other"), tok); ok {
		t.Error("token accepted under another key")
	}
}

// canceledAll returns the canceled_all reply of a batch and checks that
// every canceled order's message came before it.
func canceledAll(t *testing.T, evs []*Event) *Event {
	t.Helper()
	var reply *Event
	for _, e := range evs {
		switch {
		case e.Kind == KindCanceledAll:
			reply = e
		case e.Kind == KindOrder && reply != nil:
			t.Fatalf("order message after the canceled_all reply")
		}
	}
	if reply == nil {
		t.Fatal("no canceled_all reply")
	}
	return reply
}
