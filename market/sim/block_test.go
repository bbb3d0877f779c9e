package sim

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/tickcast/tickcast/market"
	"github.com/tickcast/tickcast/orders"
)

// TestAgentsNeverTradeAmongThemselves: without takers nothing trades.
// Makers requote around a moving fair value, revise sizes, refresh, and
// block orders come and go a few levels from the touch — none of them
// ever crosses another. And the block orders are there: large, resting
// behind the touch.
func TestAgentsNeverTradeAmongThemselves(t *testing.T) {
	for _, sym := range []string{"BTC-USD", "EUR-USD"} {
		t.Run(sym, func(t *testing.T) {
			in := only(sym)[0]
			in.Sim = json.RawMessage(`{"noise_rate":0,"momentum_rate":0,"max_idle_s":1e6,"block_rate":0.05}`)
			m := newMarket(t, Config{})
			var blocks, behind, samples int
			var blockLots, makerLots int64
			var buf []orders.Order
			p := &probe{m: m, every: 1e9, sample: func(x *market.Exchange, now int64) {
				s := m.insts[0]
				bid, _, ask, _ := x.Best(0)
				buf = x.OpenOrders(s.block.agent, 0, buf[:0])
				for _, o := range buf {
					blocks++
					blockLots += o.Qty
					if o.Side == orders.Buy && o.Price < bid.Price || o.Side == orders.Sell && o.Price > ask.Price {
						behind++
					}
				}
				samples++
				makerLots += s.makers[0].want[bidSide][0].qty
			}}
			c := &counter{}
			run(t, []market.Instrument{in}, p, c, time.Hour)
			st := m.Stats()[0]
			if c.byKind[market.KindTrade] != 0 {
				t.Errorf("%d trades without any taker", c.byKind[market.KindTrade])
			}
			if st.Blocks < 60 || blocks == 0 {
				t.Fatalf("%d blocks placed, %d seen resting: want some", st.Blocks, blocks)
			}
			if float64(behind) < 0.95*float64(blocks) {
				t.Errorf("%d of %d resting blocks at the touch, want 95%% behind it", blocks-behind, blocks)
			}
			ratio := float64(blockLots) / float64(blocks) / (float64(makerLots) / float64(samples))
			if ratio < 5 {
				t.Errorf("a resting block is %.1f times the tight maker's inner order, want >= 5", ratio)
			}
			t.Logf("%s: %d blocks placed, %.1f resting on average, %.1f times the inner order; stats %+v", sym, st.Blocks, float64(blocks)/float64(samples), ratio, st)
		})
	}
}
