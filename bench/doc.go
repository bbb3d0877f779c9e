// Package bench is tickbench's load generator and latency measurement: a
// black-box network client of a tickcast server. It speaks the protocol
// (spec/PROTOCOL.md) through feed/client and feed/wire only and never
// calls the server's packages.
//
// # Model
//
// Run is the coordinator. It splits the connections of a run over one or
// more workers (each worker a share of the WebSocket and SSE clients, of
// the source addresses and of the order rate), drives them through the
// phases ramp → warmup → measure → stop, scrapes the server's /metrics at
// both ends of the measurement window, merges what the workers report and
// returns a Report. A worker runs in-process when one suffices; when a run
// needs more sockets than one process may hold (the open-files limit), the
// coordinator re-executes its own binary as worker processes (see Spawn and
// ServeWorker). Coordinator and workers talk JSON lines over the worker's
// stdin and stdout; latency histograms travel as HdrHistogram V2 snapshots.
// The in-process worker uses the same protocol over pipes, so both paths
// run the same code.
//
// # What is measured
//
// Every public market-data message a client receives in the measurement
// window is recorded with latency = receive time − the message's ts (the
// engine's timestamp), in an HdrHistogram per client, merged at the end.
// Book snapshots are not recorded (their ts is the book's last change, not
// a send time). Each client checks seq continuity per stream: a jump on a
// lossless stream (trades, book) is a gap, a jump on a conflatable stream
// (quote, ticker, candles) counts the replaced messages as conflated.
// Gaps and disconnects (by close code) count from the first connection to
// the end of the window; deliveries, latency and conflation count within
// the window only.
//
// With an order rate set, trader clients submit crossing IOC orders on a
// fixed schedule and every latency of the active mode (order → ack, order
// → own fill, order → the public trade seen by each subscriber) is taken
// from the scheduled time, not the send time, so that a stall of the
// server or of the generator shows in full instead of delaying the next
// order (coordinated omission).
package bench
