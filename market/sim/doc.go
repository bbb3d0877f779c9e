// Package sim is tickcast's simulated market: agents that run inside the
// venue's sequencer as a market.Actor and trade through the same command
// path as users, so that the exchange looks and behaves like a real one.
//
// # Model
//
// Each instrument has a latent fair value F, a geometric random walk whose
// volatility is stochastic: log σ is the sum of a slow and a fast
// Ornstein–Uhlenbeck factor (volatility clustering), and compound-Poisson
// jumps move log F and kick the fast factor up (heavy tails, volatility
// bursts after news). Net taker flow against the makers moves F a little
// (permanent impact), so a user who buys a lot moves the market.
//
// Around F, four market makers per instrument, each with its own size and
// spacing, quote ladders of many levels on each side. Their half-spread
// scales with an exponentially weighted estimate of recent volatility, so
// the spread widens in volatile moments; their quotes shift against their
// inventory (skew), which they hedge away off-venue with a half-life, and
// their sides' sizes lean with the order flow and against the inventory.
// Every order's size is drawn on its own (no mirrored book); makers
// requote at every fair-value step but leave deep and lagging orders where
// they are while that is safe (queues age), revise single orders' sizes
// and refresh whole ladders on Poisson timers. Occasional large block
// orders rest a few levels from the touch until they are filled, expire,
// or are pulled before the fair value reaches them.
//
// Noise takers (random side, heavy-tailed sizes) and momentum takers
// (side from the recent trend of F) arrive as Poisson processes whose
// rates rise with volatility; an idle timer makes sure every instrument
// trades at least every few seconds. Takers send IOC limit orders capped
// near the makers' ladder, so a book thinned by a user never prints a
// wild price.
//
// docs/simulator.md gives the equations, every parameter and its default,
// and the measured stylized facts.
//
// # Determinism
//
// Every random draw comes from PCG sources seeded from Config.Seed and the
// instrument's symbol (one stream for the price process, one for the
// agents), and nothing depends on map iteration order: the same seed, the
// same instruments and the same clock start give byte-identical events.
// Instruments do not interact, so an instrument behaves the same whether
// or not others are listed beside it.
//
// # Rate
//
// Config.Rate multiplies every agent's activity: the fair-value step is
// Step/Rate, taker arrival rates and refresh rates are multiplied by Rate,
// and the idle gap is divided by it. The price process itself is the same
// continuous-time process at any Rate, sampled more finely.
package sim
