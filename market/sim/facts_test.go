package sim

import (
	"math"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/tickcast/tickcast/market"
	"github.com/tickcast/tickcast/orders"
)

// facts are the stylized facts of one instrument's simulated market.
type facts struct {
	symbol     string
	returns    []float64  // 1-minute log returns of the last trade price
	kurtosis   float64    // excess kurtosis of returns
	acf        [6]float64 // acf of returns at lags 1..5
	acfSE      [6]float64 // its heavy-tail-robust standard error
	acfAbs     [6]float64 // acf of |returns|
	acfSq      [6]float64 // acf of squared returns
	spreadMed  float64    // median quoted spread, ticks (1-s samples)
	spreadCalm float64    // mean spread in the calmest 10% of minutes
	spreadHot  float64    // mean spread in the most volatile 10% of minutes
	depthOK    float64    // share of 1-s samples with >= 10 levels on both sides
	maxGap     time.Duration
	trades     int
	events     int
	stats      Stats

	// The book (book_facts_test.go).
	mirror    float64                // share of top-10 level pairs with equal bid and ask size
	thinner   float64                // median levels on the thinner side
	updates   float64                // book deltas per simulated second
	profile   [profileLevels]float64 // mean size at level k over mean size at the touch
	flowCorr  float64                // correlation of the top-10 imbalance with the takers' recent net buying
	invCorr   float64                // correlation of the top-10 imbalance with the makers' inventory
	ageMedian float64                // median time a maker order has rested at its price and size, s
	ageOver60 float64                // share of maker orders resting at their price and size for over a minute
}

// measure simulates one instrument for d and computes its facts. It
// samples the book every simulated second from a probe on the sequencer,
// and the last trade price at every minute.
func measure(t testing.TB, cfg Config, in market.Instrument, d time.Duration) facts {
	t.Helper()
	m := newMarket(t, cfg)
	var (
		spreads          []float64
		minutePx         []float64
		minuteSpread     []float64 // mean spread per minute
		minuteRV         []float64 // realized variance of the mid per minute
		sprSum, rv, last float64
		sprN, depthOK, n int
		levels           []orders.Level
		book             bookFacts
		flow             takerFlow
	)
	p := &probe{m: m, every: 1e9, sample: func(x *market.Exchange, now int64) {
		n++
		bid, hasBid, ask, hasAsk := x.Best(0)
		if hasBid && hasAsk {
			s := float64(ask.Price - bid.Price)
			spreads = append(spreads, s)
			sprSum += s
			sprN++
			mid := float64(ask.Price+bid.Price) / 2
			if last > 0 {
				r := math.Log(mid / last)
				rv += r * r
			}
			last = mid
		}
		levels = x.Depth(0, orders.Buy, 10, levels[:0])
		nb := len(levels)
		levels = x.Depth(0, orders.Sell, 10, levels[:0])
		if nb >= 10 && len(levels) >= 10 {
			depthOK++
		}
		book.sample(x, m.insts[0], now, flow.at(now))
		if n%60 == 0 {
			px, _ := x.LastPrice(0)
			minutePx = append(minutePx, float64(px))
			minuteSpread = append(minuteSpread, sprSum/float64(max(sprN, 1)))
			minuteRV = append(minuteRV, rv)
			sprSum, sprN, rv = 0, 0, 0
		}
	}}
	c := &counter{onEvent: func(e *market.Event) {
		if e.Kind == market.KindTrade {
			q, _ := strconv.ParseFloat(e.Trade.Qty.String(), 64)
			flow.add(e, q)
		}
	}}
	run(t, []market.Instrument{in}, p, c, d)

	f := facts{symbol: in.Symbol, events: c.events, stats: m.Stats()[0], trades: c.trades[0]}
	f.returns = logReturns(minutePx)
	r := f.returns
	f.kurtosis = excessKurtosis(r)
	sq := make([]float64, len(r))
	for i, v := range r {
		sq[i] = v * v
	}
	for k := 1; k <= 5; k++ {
		f.acf[k], f.acfSE[k] = acf(r, k), acfSE(r, k)
		f.acfAbs[k], f.acfSq[k] = acf(abs(r), k), acf(sq, k)
	}
	f.spreadMed = quantile(spreads, 0.5)
	// Minutes by realized variance of the mid (the first has no previous
	// sample for its first second); compare the spread of the extremes.
	idx := make([]int, len(minuteRV)-1)
	for i := range idx {
		idx[i] = i + 1
	}
	sort.SliceStable(idx, func(a, b int) bool { return minuteRV[idx[a]] < minuteRV[idx[b]] })
	tenth := len(idx) / 10
	var calm, hot []float64
	for _, i := range idx[:tenth] {
		calm = append(calm, minuteSpread[i])
	}
	for _, i := range idx[len(idx)-tenth:] {
		hot = append(hot, minuteSpread[i])
	}
	f.spreadCalm, f.spreadHot = mean(calm), mean(hot)
	f.depthOK = float64(depthOK) / float64(n)
	f.maxGap = time.Duration(slices.Max(c.maxGap))
	f.mirror, f.thinner, f.profile = book.mirror(), book.thinnerMedian(), book.profile()
	f.updates = float64(c.byKind[market.KindBook]) / d.Seconds()
	f.flowCorr, f.invCorr = correlation(book.imbalance, book.flow), correlation(book.imbalance, book.inventory)
	f.ageMedian, f.ageOver60 = book.ageQuantile(0.5), book.ageOver(60)
	return f
}

// Bounds of TestStylizedFacts, for N ≈ 1439 one-minute returns of a
// simulated day (2/sqrt(N) ≈ 0.053).
const (
	// Heavy tails: a normal sample's excess kurtosis is 0 with standard
	// error sqrt(24/N) ≈ 0.13, so > 1 is far outside what Gaussian returns
	// give; the simulated days measure 2 to 36 (30 instrument-days).
	minKurtosis = 1.0
	// No linear autocorrelation: |acf| at lags 1..5 below 0.1 (≈ 1.9 ×
	// 2/sqrt(N)), or below 3.5 heavy-tail-robust standard errors where
	// fat tails and volatility clustering make the sample acf noisier
	// than 1/sqrt(N) (robust SEs measure 0.03 to 0.06); never above 0.2.
	maxACF     = 0.1
	maxACFinSE = 3.5
	hardMaxACF = 0.2
	// Feedback: the median lag-1 acf over the instruments at most 0.04.
	// Bounds that wide per lag would miss a systematic trend-following
	// bias (momentum takers moving the fair value gave a median of
	// +0.065); a negative one is bid-ask bounce, as in real FX returns
	// (medians over six seeds: −0.059 to −0.005).
	maxMedianLag1 = 0.04
	// Volatility clustering: acf of |r| positive at every lag 1..5 and
	// averaging above 0.08 (≈ 1.5 × 2/sqrt(N), ≈ 7 standard errors of a
	// five-lag mean under independence); measured 0.12 to 0.38.
	minMeanACFAbs = 0.08
	// Quoted spread: median between 1 and 4 ticks on every default
	// instrument (measured 2 to 3), and at least 1.5 times wider in the
	// most volatile tenth of the minutes than in the calmest (measured
	// 1.8 to 3.5 times).
	minMedianSpread = 1
	maxMedianSpread = 4
	minHotOverCalm  = 1.5
	// Depth: at least 10 levels on each side in 95% of the 1-s samples
	// (measured 100%).
	minDepthShare = 0.95
	// Trades: never more than max_idle_s (4 s) plus a second apart.
	maxTradeGap = 5 * time.Second
	// Rejects of the agents' orders: a handful a day at most (measured 0
	// or 1).
	maxBandFundRejects = 10
	// Rejects of any reason: none measured since a maker's amend is
	// bounded by max_qty with its filled part; a few are tolerated.
	maxRejects = 10

	// The book (issue 15's goals, sampled every simulated second).
	//
	// Mirror image: the k-th bid and ask levels (top 10) carry the same
	// size in under 5% of the pairs. Every order's size is drawn on its
	// own and is thousands of lots, so equal sizes are a coincidence:
	// measured 0.00-0.01% (the old symmetric ladders: 6-19%).
	maxMirror = 0.05
	// Depth: the thinner side holds at least 40 levels at the median
	// (measured 51-77 over the seeds in docs/simulator.md; the old makers 17-25).
	minThinner = 40
	// Activity: at least 10 book updates per simulated second at Rate 1
	// (measured 13.3-14.8; the old makers 4.8-6.0).
	minUpdates = 10
	// Depth profile: the 2nd to 5th levels hold on average at least 1.2
	// times the size at the touch (measured 1.25-3.6): more size a few
	// levels away than at the touch, as before.
	minProfile = 1.2
	// Queues age: the median maker order has rested at its price and size
	// for at least 5 s, and at least 5% of them for over a minute
	// (measured 9-12 s and 12.9-14.4%; the old makers moved every order at
	// every step on the fine-tick books).
	minAgeMedian = 5
	minAgeOver60 = 0.05
	// Asymmetry (a day): the top-10 imbalance (bid − ask)/(bid + ask)
	// follows the takers' recent net buying (correlation > 0.05; measured
	// 0.15-0.45) and leans against the makers' inventory (< −0.1;
	// measured −0.32 to −0.62). The 1-s samples are autocorrelated over
	// the flow's 30 s half-life: about 2,900 independent ones a day, a
	// standard error near 0.02.
	minFlowCorr = 0.05
	maxInvCorr  = -0.1
)

// TestStylizedFacts simulates a full day of each default instrument and
// checks that it looks like a real market. Each instrument runs in a venue
// of its own (TestInstrumentsIndependent shows that this is the same
// market as all five together), in parallel. Under the race detector the
// simulator is about seven times slower, so only EUR-USD runs its day
// there, and the full day of all five is TestHeavyStylizedFacts, which
// make test runs in its second pass, without the race detector; -short
// runs two hours of every instrument and checks only the facts that do not
// need a day of returns.
func TestStylizedFacts(t *testing.T) {
	insts := market.DefaultInstruments()
	day := 24 * time.Hour
	switch {
	case testing.Short():
		day = 2 * time.Hour
	case raceEnabled:
		insts = only("EUR-USD")
	default:
		t.Skip("without the race detector the full day of every instrument is TestHeavyStylizedFacts")
	}
	stylizedFacts(t, insts, day)
}

// TestHeavyStylizedFacts is TestStylizedFacts' full day for every default
// instrument (BTC-USD's book figures among them), run where the simulator
// is fast: without the race detector.
func TestHeavyStylizedFacts(t *testing.T) {
	if raceEnabled || testing.Short() {
		t.Skip("a full day of all five instruments: run without -race and -short (TestStylizedFacts covers EUR-USD under race)")
	}
	stylizedFacts(t, market.DefaultInstruments(), 24*time.Hour)
}

func stylizedFacts(t *testing.T, insts []market.Instrument, day time.Duration) {
	results := make([]facts, len(insts))
	t.Run("day", func(t *testing.T) {
		for i, in := range insts {
			t.Run(in.Symbol, func(t *testing.T) {
				t.Parallel()
				results[i] = measure(t, Config{}, in, day)
			})
		}
	})
	var lag1 []float64
	for _, f := range results {
		t.Logf("%s: kurtosis %.2f, acf %.3f (robust SE %.3f), acf|r| %.3f, acf r² %.3f, spread median %.0f calm %.2f hot %.2f ticks, depth>=10 %.2f%%, max gap %v, trades %d, events %d, rejects %+v, jumps %d",
			f.symbol, f.kurtosis, f.acf[1:], f.acfSE[1:], f.acfAbs[1:], f.acfSq[1:], f.spreadMed, f.spreadCalm, f.spreadHot, 100*f.depthOK, f.maxGap, f.trades, f.events, f.stats.Rejects, f.stats.Jumps)
		t.Logf("%s: book: mirrored pairs %.2f%%, thinner side median %.0f levels, %.2f updates/s, size by level (touch = 1) %.2f, imbalance vs flow %.2f, vs inventory %.2f, order age median %.1f s, over 60 s %.1f%%",
			f.symbol, 100*f.mirror, f.thinner, f.updates, f.profile, f.flowCorr, f.invCorr, f.ageMedian, 100*f.ageOver60)
		checkMicrostructure(t, f)
		if !testing.Short() {
			checkDay(t, f)
		}
		lag1 = append(lag1, f.acf[1])
	}
	if len(results) >= 3 && !testing.Short() {
		if m := quantile(lag1, 0.5); m > maxMedianLag1 {
			t.Errorf("median lag-1 acf over the instruments %.3f: want <= %v", m, maxMedianLag1)
		}
	}
}

func checkMicrostructure(t *testing.T, f facts) {
	t.Helper()
	if f.spreadMed < minMedianSpread || f.spreadMed > maxMedianSpread {
		t.Errorf("%s: median spread %v ticks, want %v to %v", f.symbol, f.spreadMed, minMedianSpread, maxMedianSpread)
	}
	if f.depthOK < minDepthShare {
		t.Errorf("%s: >= 10 levels per side in %.1f%% of samples, want %v%%", f.symbol, 100*f.depthOK, 100*minDepthShare)
	}
	if f.maxGap > maxTradeGap {
		t.Errorf("%s: %v without a trade, want <= %v", f.symbol, f.maxGap, maxTradeGap)
	}
	if r := f.stats.Rejects; r.PriceBand+r.InsufficientFunds > maxBandFundRejects {
		t.Errorf("%s: rejects %+v, want at most %d price_band and insufficient_funds", f.symbol, r, maxBandFundRejects)
	}
	if f.mirror >= maxMirror {
		t.Errorf("%s: %.1f%% of the top-10 level pairs mirrored, want under %v%%", f.symbol, 100*f.mirror, 100*maxMirror)
	}
	if f.thinner < minThinner {
		t.Errorf("%s: thinner side median %v levels, want >= %v", f.symbol, f.thinner, minThinner)
	}
	if f.updates < minUpdates {
		t.Errorf("%s: %.2f book updates per second, want >= %v", f.symbol, f.updates, minUpdates)
	}
	if p := mean(f.profile[1:5]); p < minProfile {
		t.Errorf("%s: levels 2 to 5 hold %.2f times the touch's size, want >= %v", f.symbol, p, minProfile)
	}
	if f.ageMedian < minAgeMedian || f.ageOver60 < minAgeOver60 {
		t.Errorf("%s: maker orders rest %v s at the median, %.1f%% over a minute; want >= %v s and %v%%", f.symbol, f.ageMedian, 100*f.ageOver60, minAgeMedian, 100*minAgeOver60)
	}
	if r := f.stats.Rejects.Total(); r > maxRejects {
		t.Errorf("%s: %d rejects of the agents' orders (%+v), want at most %d", f.symbol, r, f.stats.Rejects, maxRejects)
	}
}

// checkDay checks the facts that need a day of data: return
// statistics, and the spread in volatile against calm minutes (two hours
// rarely see the volatility change regime).
func checkDay(t *testing.T, f facts) {
	t.Helper()
	if f.spreadHot < minHotOverCalm*f.spreadCalm {
		t.Errorf("%s: spread %.2f ticks in volatile minutes vs %.2f in calm ones, want %v times wider", f.symbol, f.spreadHot, f.spreadCalm, minHotOverCalm)
	}
	if f.kurtosis <= minKurtosis {
		t.Errorf("%s: excess kurtosis %.2f, want > %v", f.symbol, f.kurtosis, minKurtosis)
	}
	meanAbs := 0.0
	for k := 1; k <= 5; k++ {
		limit := min(max(maxACF, maxACFinSE*f.acfSE[k]), hardMaxACF)
		if math.Abs(f.acf[k]) > limit {
			t.Errorf("%s: acf at lag %d is %.3f (robust SE %.3f), want |.| <= %.3f", f.symbol, k, f.acf[k], f.acfSE[k], limit)
		}
		if f.acfAbs[k] <= 0 {
			t.Errorf("%s: acf of |r| at lag %d is %.3f, want > 0", f.symbol, k, f.acfAbs[k])
		}
		meanAbs += f.acfAbs[k] / 5
	}
	if meanAbs <= minMeanACFAbs {
		t.Errorf("%s: mean acf of |r| over lags 1..5 is %.3f, want > %v", f.symbol, meanAbs, minMeanACFAbs)
	}
	if f.flowCorr <= minFlowCorr || f.invCorr >= maxInvCorr {
		t.Errorf("%s: imbalance correlates %.2f with the takers' flow and %.2f with the makers' inventory, want > %v and < %v", f.symbol, f.flowCorr, f.invCorr, minFlowCorr, maxInvCorr)
	}
}
