package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/tickcast/tickcast/feed/client"
	"github.com/tickcast/tickcast/feed/wire"
)

// Example subscribes to the trades and the order book of BTC-USD, prints
// every trade, and after a while the top of the book the client keeps
// (snapshot, deltas and checksums are handled for you, as are reconnects
// and resume). It needs a running server (tickcast serve), so it has no
// Output section and is only compiled by go test.
func Example() {
	ctx := context.Background()
	c, err := client.Dial(ctx, client.Config{
		URL:    "ws://127.0.0.1:8080/ws",
		Format: wire.MsgPack, // or wire.JSON
		OnDecoded: func(m wire.Message) { // runs on the client's goroutine: keep it short
			if t, ok := m.(*wire.Trade); ok {
				fmt.Println("trade", t.S, t.Side, t.Qty, "@", t.Px, "seq", t.Seq)
			}
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Subscribe(ctx, []string{wire.ChanTrades, wire.ChanBook}, []string{"BTC-USD"}); err != nil {
		log.Fatal(err)
	}
	time.Sleep(5 * time.Second)
	if b := c.Book("BTC-USD"); b != nil && b.Ready() {
		fmt.Println("best bid", b.Bids(1), "best ask", b.Asks(1), "seq", b.Seq())
	}
	fmt.Printf("%+v\n", c.Stats())
}

// Example_orders creates nothing itself: pass it a token from
// POST /api/v1/accounts. It places a limit order, reads the answer (an
// order message with status new or rejected) and cancels it.
func Example_orders() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, client.Config{URL: "ws://127.0.0.1:8080/ws"})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Auth(ctx, "a_0d4exw2.J6pezDdU1_NHTP4mB7wuIuEj", true); err != nil {
		log.Fatal(err) // a *client.ServerError with Code "invalid_token" for a bad token
	}
	o, err := c.PlaceOrder(ctx, wire.NewOrder{CID: "my-1", S: "BTC-USD", Side: wire.SideBuy,
		Type: wire.TypeLimit, Qty: "0.0100", Px: "59000.00"})
	if err != nil {
		log.Fatal(err)
	}
	if o.Status == wire.StatusRejected {
		log.Fatalf("rejected: %s", o.Reason) // e.g. price_band, insufficient_funds
	}
	fmt.Println("order", o.OID, o.Status)
	if _, err := c.Cancel(ctx, wire.Cancel{CID: "my-1"}); err != nil {
		var se *client.ServerError
		if errors.As(err, &se) && se.Code == wire.CodeUnknownOrder {
			fmt.Println("already gone (filled or canceled)")
			return
		}
		log.Fatal(err)
	}
}
