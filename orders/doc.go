// Package orders is tickcast's matching engine: a limit order book per
// instrument with price-time priority.
//
// The engine is pure and deterministic. It has no goroutines, no clocks, no
// I/O and no decimals: prices are int64 ticks and quantities int64 lots, and
// the venue converts at its boundary. The same sequence of calls always
// produces the same sequence of events, which is what lets a journal replay
// a venue and several nodes agree on one.
//
// # Model
//
// A Book holds resting limit orders on two sides. An incoming order (Submit,
// or Amend to a new price) trades against the opposite side while it
// crosses: best price first, and within a price the oldest order first. A
// trade happens at the resting (maker) order's price. What remains of a GTC
// limit order rests at the back of its price level; the remainder of an IOC
// or market order expires; a FOK order trades in full or expires untouched.
// A market order is bounded by a limit price the caller passes (the venue's
// price band). A post-only order that would trade on arrival is rejected.
// When an incoming order meets a resting order of the same owner, the
// resting one is canceled (self-trade prevention) and matching goes on.
// Lowering an order's quantity keeps its place in the queue; any other
// amend sends it to the back.
//
// # Events
//
// Every change is reported, synchronously and in order, to the Sink given to
// NewBook: accepted, rejected (with a Reason; the book is unchanged), trade
// (taker and maker ids and owners, price, quantity), done (filled, canceled,
// expired, with the quantity that did not trade), amended, and level (a
// price level's new total quantity; zero removes it). The events are enough
// to maintain an L2 feed and the owners' balances without reading the book.
//
// # Invariants
//
// After every call: the book is not crossed (best bid < best ask); each
// level's total equals the sum of its orders' remaining quantities and no
// resting order has nothing left; orders at a level are in time priority;
// and quantity is conserved: what was submitted (net of amends) equals what
// rests plus what traded (counted on both sides) plus what was canceled or
// expired. The package's differential test checks all of this against a
// naive reference book over a million random operations, and FuzzBook over
// arbitrary ones.
//
// # Cost
//
// Orders and levels live in slabs indexed by int32 slots with free lists, so
// steady-state operation allocates nothing and holds no pointers for the
// garbage collector to scan. Order lookup is an open-addressed hash table
// (O(1)). Each side's levels are a sorted array with the best price last:
// activity clusters at the touch, so adding or removing the best level is an
// append or a pop, and finding a level scans the few nearest the touch before
// falling back to binary search (O(log n)). Values are bounded by MaxPrice
// and MaxQty (2^53-1), and a level total that would overflow int64 is refused.
package orders
