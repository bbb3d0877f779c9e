// Package ws serves the WebSocket side of the tickcast protocol
// (protocol.md 2 to 5 and 9) on fasthttp with gobwas/ws.
//
// The handshake is validated on fasthttp's parsed request (method, version,
// Upgrade, Connection, key, version 13, Origin, subprotocol) and refused
// with 400, 403 or 426 before anything is upgraded; then the connection is
// hijacked and the 101 answer written on it.
//
// Each session has exactly one reader and at most one writer at a time.
// The reader runs in a goroutine of its own: it reads frames with a
// wsutil.Reader bounded per frame and per message, answers control frames
// through the writer, and decodes operations into concrete types. The
// writer drains the session's hub.Queue: shared, pre-encoded frames for
// market data, own bytes for replies, coalesced into one vectored write.
// It is the server's writer pool (pool.go: a few goroutines, one
// non-blocking writev per session and turn, sessions with a reply first)
// while the client keeps up, and a goroutine of the session's own
// (writeLoop: waits on the socket under a write deadline, backs off, sends
// the close frame) while it does not. A reply for a session waiting in the
// pool's line is written by the goroutine that queued it (urgent, claim).
// The readers of trading sessions are also woken from the pool's workers
// and the hub, which look at an epoll set of their sockets (readpoll):
// Go's network poller does not run while every P is busy.
//
// Every limit the server enforces answers with the close code of
// protocol.md 9.2.
package ws
