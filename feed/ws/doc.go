// Package ws serves the WebSocket side of the tickcast protocol
// (protocol.md 2 to 5 and 9) on fasthttp with gobwas/ws.
//
// The handshake is validated on fasthttp's parsed request (method, version,
// Upgrade, Connection, key, version 13, Origin, subprotocol) and refused
// with 400, 403 or 426 before anything is upgraded; then the connection is
// hijacked and the 101 answer written on it.
//
// Each session has exactly one reader and one writer. The reader runs in
// the hijack goroutine: it reads frames with a wsutil.Reader bounded per
// frame and per message, answers control frames through the writer, and
// decodes operations into concrete types. The writer drains the session's
// hub.Queue: shared, pre-encoded frames for market data, own bytes for
// replies. It coalesces whatever is queued into one vectored write
// (net.Buffers), under a write deadline, and sends the heartbeat pings.
// Every limit the server enforces answers with the close code of
// protocol.md 9.2.
package ws
