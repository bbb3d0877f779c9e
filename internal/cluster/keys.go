// Package cluster is the Redis transport between one engine (the venue)
// and many edges (hubs and transports), for `tickcast engine` and
// `tickcast edge`.
//
// What lives in Redis, under a prefix P (default "tickcast"):
//
//   - P:events, a stream: one entry per venue batch (bus.MarshalBatch),
//     with the offset of the last public event before it (field p), under
//     the ID <hi>-<n>, where hi is the last public offset once the batch is
//     applied and n counts the batches that end at hi (replies alone publish
//     no public event). IDs thus follow offsets, readers check continuity
//     (p equal to the last offset they hold) and never splice over a loss.
//     Trimmed with MAXLEN ~ (EngineConfig.StreamLen).
//   - P:state: the venue's market.State (msgpack) every
//     EngineConfig.StateEvery, once every entry up to its offset is in
//     P:events: books, recent trades, candles and tickers for an edge that
//     starts cold or lost events.
//   - P:meta: the engine's epoch, instruments and token key (JSON).
//   - P:ops, a stream: the operations of every edge's sessions (AppendOp),
//     read by the engine in order.
//   - P:reply:<node>, a list per edge: the answers to its queries (demo
//     accounts, account history).
//   - P:edge:<node>: an edge's lease, refreshed every second with a TTL;
//     the engine detaches the sessions of an edge whose lease expired (and
//     so cancels the orders of those that asked for cancel_on_disconnect).
//     An edge takes a random node id whose lease it can create (SET NX).
//
// Redis is inside the trust boundary (it holds the token key, and anything
// that writes P:ops can act for any account); the bytes read from it are
// nevertheless bounded and decoded defensively.
package cluster

import "strconv"

// DefaultPrefix namespaces the keys when none is given.
const DefaultPrefix = "tickcast"

// keys names a deployment's keys.
type keys struct{ prefix string }

func newKeys(prefix string) keys {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return keys{prefix}
}

func (k keys) events() string { return k.prefix + ":events" }
func (k keys) state() string  { return k.prefix + ":state" }
func (k keys) meta() string   { return k.prefix + ":meta" }
func (k keys) ops() string    { return k.prefix + ":ops" }
func (k keys) reply(node uint32) string {
	return k.prefix + ":reply:" + strconv.FormatUint(uint64(node), 10)
}
func (k keys) lease(node uint32) string {
	return k.prefix + ":edge:" + strconv.FormatUint(uint64(node), 10)
}
