package testkit

import (
	"testing"

	"github.com/tickcast/tickcast/feed/bus"
	"github.com/tickcast/tickcast/market"
)

// ChanBus is a bus.Subscriber over one channel that the test sends batches
// on, for a hub driven by the test instead of a venue. Made unbuffered, a
// send returns once the hub has taken the batch. Every Subscribe returns
// the same channel; Cancel does nothing (the test closes the channel).
type ChanBus chan []*market.Event

var _ bus.Subscriber = ChanBus(nil)

// Subscribe returns the channel as a subscription.
func (c ChanBus) Subscribe(int) bus.Subscription { return chanSub(c) }

type chanSub chan []*market.Event

func (c chanSub) C() <-chan []*market.Event { return c }
func (c chanSub) Cancel()                   {}

// SampleBatch is a small encoded batch (bus.MarshalBatch) of a trade, a
// book delta, an account event and a reply: a seed for the fuzz targets
// of what reads batches.
func SampleBatch(t testing.TB) []byte {
	b, err := bus.MarshalBatch(nil, []*market.Event{
		{Kind: market.KindTrade, Symbol: "BTC-USD", Seq: 3, Off: 9, TS: 1, Epoch: "e1", Trade: &market.Trade{ID: 3, Px: market.MustParseDec("1.00"), Qty: market.MustParseDec("2"), Side: "buy"}},
		{Kind: market.KindBook, Symbol: "BTC-USD", Seq: 4, Off: 10, Epoch: "e1", Book: &market.BookData{Bids: []market.PriceLevel{{market.MustParseDec("1.00"), market.MustParseDec("0")}}, Checksum: 7}},
		{Kind: market.KindAccount, Account: "a_1", Seq: 2, Balances: []market.Balance{{Asset: "USD", Total: market.MustParseDec("5.00"), Available: market.MustParseDec("4.00")}}},
		{Kind: market.KindError, Direct: true, Origin: market.Origin{Session: 1, ID: 2, HasID: true}, Reply: &market.Reply{Code: "x", Msg: "y"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}
