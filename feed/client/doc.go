// Package client is a Go client for the tickcast WebSocket protocol
// (docs/protocol.md). It is what the benchmark tool and the end-to-end
// tests use, and a reference for third-party clients.
//
// # Model
//
// Dial connects, reads the server's welcome and starts one goroutine per
// client: it reads frames, answers the server's pings, and dispatches every
// message; when the connection drops it redials with exponential backoff and
// full jitter and resumes. No other goroutine is started per connection.
// Writes (operations, pongs, the close frame) go through one lock.
//
// Each message is first read with wire.DecodeHeader, which does not
// allocate; it is decoded fully only when something needs it: a reply a
// request waits for, a book message (to maintain the Book), a reset, or an
// OnDecoded handler. Config.OnMessage sees every message as raw bytes plus
// its Header; that is the fast path for counting and latency measurement.
//
// Requests (Subscribe, Auth, PlaceOrder, …) carry an id and wait for the
// reply with that id; an error reply is returned as a *ServerError carrying
// the protocol code.
//
// # Streams and resume
//
// The client remembers the last seq of every subscribed stream. A message
// whose seq is not above the last one is a duplicate and is dropped. On the
// lossless channels (trades, book) a jump in seq is a gap: the client
// resyncs the stream by unsubscribing and subscribing again (trades with
// since set to the last seq, so that the server replays what was missed;
// book without, so that it sends a fresh snapshot) and drops the stream's
// messages until the replay or snapshot arrives. After a reconnect it
// re-authenticates if Auth was called, then resubscribes every stream with
// the epoch of the previous connection and since, so the server replays the
// missed messages or answers reset. Stats counts reconnects, gaps, resets,
// resyncs, duplicates and checksum errors.
//
// # Books
//
// For every subscribed book stream the client keeps a Book (see Client.Book)
// built from book_snapshot and book messages, and checks the checksum of
// protocol.md 6.2 after each one; a mismatch or a gap triggers a resync.
//
// Handlers (OnMessage, OnDecoded, OnState) run on the client's goroutine:
// they must return quickly and must not wait for a request of the same
// client (its reply could never be read). Start a goroutine for that.
package client
