// Package bench is tickbench's load generator and latency measurement: a
// black-box network client of a tickcast server. It speaks the protocol
// (docs/protocol.md) through feed/client, feed/client/eventstream (the SSE
// viewers) and feed/wire only and never calls the server's packages.
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
// the window only. Each client's first connection is timed from the dial
// to the stream started (WebSocket: welcome read and subscription
// answered; SSE: the response and its first record read); messages that
// do not decode count as malformed.
//
// The server's side comes from its /metrics, scraped before the run's
// first connection and at both ends of the window: CPU over the window,
// and per message it sent (tickcast_messages_sent_total, one per message
// and client: the cost of a delivery); resident memory at the end of the
// window less the first scrape's, over the connections it then counts.
// The generator's own CPU and the machine's (so the others' on a shared
// machine) come from /proc. Besides, the coordinator samples /metrics and
// the kernel's TCP memory (/proc/net/sockstat, system-wide) at every
// progress line, from before the first connection to the end of the run:
// the report's timeline, the server's peak RSS and the kernel's peak TCP
// memory.
//
// # Stalled clients
//
// With Config.Stalled, workers also open WebSocket clients that subscribe
// like the others and then never read, with a small SO_RCVBUF so that the
// server's writer backs up at once (bench speaks the WebSocket framing to
// them itself, through gobwas/ws, since feed/client always reads). They
// are read once the window has closed and the reading clients are gone:
// each until a close frame (its code: 4008 for a slow consumer), the end
// of the TCP connection without one, or a message the server stamped
// after the reading began (not cut). A black box cannot see when the
// server gives up on a client that does not read; the report estimates it
// from the server's connection count in the timeline, matching the
// connections it stopped counting with the stalled clients in the order
// they subscribed (Report.Stalled).
//
// # Shutdown
//
// With Config.Stop (tickbench --stop-pid), once the window has closed the
// coordinator has the workers arm (from then on a stream's end is recorded
// and no client reconnects), calls Stop and takes that moment as the
// start of the shutdown: the bench cannot see inside the server, so it
// measures from the one event it causes itself. Each client records when
// its stream ended and whether cleanly (SSE: the end of the chunked body
// after a complete event; WebSocket: a 1001 close frame); the report has,
// per kind, the streams open at the stop, clean and unclean ends, those
// still open at StopTimeout, and the distribution of end times from the
// stop, and how long Stop took (--stop-pid: until the process was gone).
//
// With an order rate set, trader clients submit crossing IOC orders on a
// fixed schedule and every latency of the active mode (order → ack, order
// → own fill, order → the public trade seen by each subscriber) is taken
// from the scheduled time, not the send time, so that a stall of the
// server or of the generator shows in full instead of delaying the next
// order (coordinated omission). The traders run in a worker process of
// their own (one more than the subscribers need), so that an ack is not
// timed by a process busy reading thousands of subscribers' messages; the
// trades their orders caused (id, scheduled time: one clock for every
// process on the machine) are relayed through the coordinator to the
// subscribers' workers, which match them against the trades each
// subscriber received. Beside them the report gives the floor under those
// latencies, from the same window: how late a thread of the traders'
// process, sleeping 5 ms at a time, wakes (probeWake). An ack needs at
// least that process to wake for it.
//
// # Placement
//
// On a machine where the generator shares the server's cores, its
// subscribers' workers compete with the server for them, and the traders'
// process waits for a core behind them: the floor then measures the
// generator's scheduling as much as the server. Two options (Linux) take
// the generator out of the figures. Config.CPUs (tickbench --cpus) confines
// the coordinator and every worker process to a list of CPUs, the server
// being pinned to the others (taskset): sched_setaffinity sets one
// thread's mask, so it is applied to every thread of /proc/self/task, in
// the coordinator before it starts a worker (a child inherits the mask of
// the thread that forked it) and in each worker again at its start (then
// nothing depends on which thread that was); threads started later
// inherit their creator's. Config.TraderRT (tickbench --trader-rt) makes
// every thread of the order worker SCHED_FIFO at priority 1, at its start,
// before it opens a connection, so that the traders run as soon as they
// wake for an ack or an order. They are the measuring instrument, not the
// load: they sleep but for the last 2 ms or less before each order, which
// they wait out on the clock (at --orders R, at most 2R ms a second), and
// the kernel's RT throttling (/proc/sys/kernel/sched_rt_runtime_us) bounds
// them anyway. Either fails the run rather than fall back: a CPU that is
// not online or not allowed, SCHED_FIFO without CAP_SYS_NICE. The report's
// configuration records both (RunConfig.CPUs, RunConfig.TraderRT), and
// the floor is still what the traders' process saw.
package bench
