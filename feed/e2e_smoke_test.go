package feed_test

import (
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/wire"
	"github.com/tickcast/tickcast/internal/testkit"
)

func TestSmokeWS(t *testing.T) {
	ts := startServer(t)
	c := ts.dial(nil)
	ctx := ctxT(t)
	if _, err := c.Subscribe(ctx, []string{"book", "trades", "quote"}, []string{"BTC-USD"}); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, 10*time.Second, "book deltas", func() bool { s, _ := c.LastSeq("book", "BTC-USD"); return s > 20 })
	_, tok := ts.account()
	if _, err := c.Auth(ctx, tok, false); err != nil {
		t.Fatal(err)
	}
	o, err := c.PlaceOrder(ctx, wire.NewOrder{CID: "x1", S: "BTC-USD", Side: "buy", Type: "limit", Qty: "0.0010", Px: "50000.00"})
	t.Logf("order %+v err %v stats %+v", o, err, c.Stats())
}
