// Package feed is tickcast's network edge: one fasthttp server carrying
// the WebSocket feed and order entry (package feed/ws), Server-Sent Events
// for read-only viewers (feed/sse), the REST endpoints of protocol.md 1.1, the
// Prometheus metrics and the embedded demo UI.
//
// Data flows venue → bus (feed/bus) → hub (feed/hub) → sessions: the hub
// encodes each event once per format and hands the same bytes to every
// subscriber; the transports only write them. The wire format lives in
// feed/wire, and feed/client is a Go client for the protocol.
package feed
