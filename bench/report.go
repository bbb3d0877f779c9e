package bench

import (
	"encoding/json"
	"io"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Report is the result of a run, written by --out as JSON:
//
//	{"ws":{…},"sse":{…},"stalled":{…},"orders":{…},"server":{…},"load":{…},
//	 "kernel_tcp":{…},"shutdown":{…},"ramp_ns":…,"config":{…},"machine":{…},
//	 "timeline":[…]}
//
// ws and sse have the same keys (KindReport); stalled is present with
// stalled clients only, orders in the active mode only, kernel_tcp where
// /proc/net/sockstat can be read, shutdown when the run stopped the
// server.
type Report struct {
	WS       KindReport      `json:"ws"`                 // the WebSocket clients
	SSE      KindReport      `json:"sse"`                // the SSE clients
	Stalled  *StalledReport  `json:"stalled,omitempty"`  // the non-reading clients; nil without
	Orders   *OrdersReport   `json:"orders,omitempty"`   // the active mode; nil when passive
	Server   ServerReport    `json:"server"`             // from the server's /metrics
	Load     LoadReport      `json:"load"`               // the machine's CPU during the window
	Shutdown *ShutdownReport `json:"shutdown,omitempty"` // how the streams ended; nil without Config.Stop
	// KernelTCP is the kernel's TCP memory over the run (system-wide);
	// nil where it cannot be read.
	KernelTCP *KernelTCPReport `json:"kernel_tcp,omitempty"`
	// Timeline is the server's /metrics and the kernel's TCP figures,
	// sampled once per progress interval from before the first connection
	// to the end of the run.
	Timeline []Sample `json:"timeline,omitempty"`
	// RampNS is from the first connection attempt to the last connection
	// of the ramp up (or failed), in the slowest worker.
	RampNS  int64     `json:"ramp_ns"`
	Config  RunConfig `json:"config"`  // how the run was made
	Machine Machine   `json:"machine"` // where it was made

	hists runHists // full distributions, for the plots
}

// KindReport measures one kind of client (WebSocket or SSE).
type KindReport struct {
	// Clients is the number connected when the window opened.
	Clients int64 `json:"clients"`
	// ConnectNS summarizes the first connection of each client, from the
	// dial to the stream started: for WebSocket the welcome read and the
	// subscription answered, for SSE the response and its first record
	// (tickcast's retry field) read.
	ConnectNS Latency `json:"connect_ns"`
	// Delivered counts the public messages received in the window (book
	// snapshots excluded), over every client.
	Delivered int64 `json:"delivered"`
	// MsgsPerSec is Delivered per second of window.
	MsgsPerSec float64 `json:"msgs_per_sec"`
	// LatencyNS summarizes receive time − ts over every delivery.
	LatencyNS Latency `json:"latency_ns"`
	// Gaps counts seq jumps on lossless streams (and resets), from the
	// first connection to the end of the window.
	Gaps int64 `json:"gaps"`
	// Disconnects counts connections that ended before the run stopped
	// them (or the server), by WebSocket close code ("1006": without a
	// close frame, "4008": slow consumer) or, for SSE, "eof" (the server
	// ended the body cleanly: a slow viewer is cut this way) and "error"
	// (anything else); "connect_failed" counts first connections that
	// never came up.
	Disconnects map[string]int64 `json:"disconnects"`
	// Malformed counts messages that could not be decoded (SSE: an
	// event whose data is not a protocol message), over the whole run.
	Malformed int64 `json:"malformed"`
	// Conflated counts messages the server replaced on conflatable
	// streams, seen as seq skips in the window.
	Conflated int64 `json:"conflated"`
}

// OrdersReport measures the active mode. Every latency runs from the
// order's scheduled time.
type OrdersReport struct {
	Rate float64 `json:"rate"` // orders per second, scheduled
	Sent int64   `json:"sent"` // orders scheduled and sent
	// Acked: orders answered (new or rejected); Rejected counts by reason.
	Acked    int64            `json:"acked"`
	Rejected map[string]int64 `json:"rejected"` // by reject reason
	// Filled: orders with a fill; Unfilled: ended without one (nothing at
	// the price); Unanswered: no answer by the end (recorded in AckNS with
	// the time they waited); Failed: could not be sent.
	Filled     int64 `json:"filled"`
	Unfilled   int64 `json:"unfilled"`   // ended without a fill
	Unanswered int64 `json:"unanswered"` // no answer by the end
	Failed     int64 `json:"failed"`     // not sent
	// AckNS: order → its first order message; FillNS: order → its first
	// fill; TradeNS: order → the public trade it caused, at every
	// subscriber of the symbol's trades (the fan-out latency of a trade).
	AckNS   Latency `json:"ack_ns"`
	FillNS  Latency `json:"fill_ns"`  // order → own fill
	TradeNS Latency `json:"trade_ns"` // order → public trade, per subscriber
	// TradeSeen counts (trade, subscriber) observations behind TradeNS;
	// TradeMissed those a subscriber never saw.
	TradeSeen   int64 `json:"trade_seen"`
	TradeMissed int64 `json:"trade_missed"` // observations that never happened
	// WakeNS is how late a sleeping thread of the traders' process woke,
	// sleeping 5 ms at a time through the window (WakeSeen times): the
	// machine's floor under AckNS, from the same window. An ack needs at
	// least that process to wake for it.
	WakeNS   Latency `json:"wake_ns"`
	WakeSeen int64   `json:"wake_seen"`
}

// ServerReport is read from the server's /metrics: scraped before any
// connection of the run (the baseline) and at both ends of the window.
type ServerReport struct {
	// CPUPct is process_cpu_seconds_total over the window, in percent of
	// one core (200: two cores busy).
	CPUPct float64 `json:"cpu_pct"`
	// MsgsPerSec is tickcast_messages_sent_total (every format) over the
	// window: the deliveries the server made, one per message and client.
	MsgsPerSec float64 `json:"msgs_per_sec"`
	// CPUPerMsgNS is the server's CPU time over the window divided by the
	// messages it sent then: the cost of one delivery, in ns.
	CPUPerMsgNS float64 `json:"cpu_per_msg_ns"`
	// RSSBytes is process_resident_memory_bytes at the end of the window,
	// BaselineRSSBytes before the run's first connection, RSSPeakBytes the
	// largest of the timeline's samples (once per progress interval, to
	// the end of the run: a peak between two samples is missed).
	RSSBytes         int64 `json:"rss_bytes"`
	BaselineRSSBytes int64 `json:"baseline_rss_bytes"`
	RSSPeakBytes     int64 `json:"rss_peak_bytes"`
	// Conns is the WebSocket sessions and SSE viewers the server counted
	// at the end of the window (tickcast_ws_connections +
	// tickcast_sse_viewers).
	Conns int64 `json:"conns"`
	// RSSPerConnBytes is RSSBytes less the baseline, over Conns: the
	// memory one connection costs, subscribed, queues included.
	RSSPerConnBytes float64 `json:"rss_per_conn_bytes"`
	// Goroutines is go_goroutines at the end of the window.
	Goroutines int64 `json:"goroutines"`
	// Conflations and SlowCutoffs are tickcast_conflations_total and
	// tickcast_slow_consumer_disconnects_total over the window.
	Conflations int64 `json:"conflations"`
	SlowCutoffs int64 `json:"slow_cutoffs"`
	// OrderRTT is the server's own measure of the window's orders, from
	// its histogram tickcast_order_roundtrip_seconds: from reading an
	// order operation to queuing its first reply. Beside the ack's
	// latency it tells the server's part from the network's and the
	// generator's.
	OrderRTT ServerRTT `json:"order_rtt"`
}

// ServerRTT is a window's count of a server histogram and the upper
// bound, in ns, of the bucket its p50, p90 and p99 fall in (the buckets
// double from 10 µs): -1 when above the last finite one, 0 with no count.
type ServerRTT struct {
	Count   int64 `json:"count"`
	P50LeNS int64 `json:"p50_le_ns"`
	P90LeNS int64 `json:"p90_le_ns"`
	P99LeNS int64 `json:"p99_le_ns"`
}

// LoadReport is the CPU used during the window, in percent of one core.
// On loopback the generator shares the cores with the server, and on a
// shared machine others use them too: latency includes waiting for one.
type LoadReport struct {
	// GeneratorCPUPct is every tickbench process's (coordinator and
	// workers), from /proc.
	GeneratorCPUPct float64 `json:"generator_cpu_pct"`
	// MachineCPUPct is the whole machine's busy time, from /proc/stat.
	MachineCPUPct float64 `json:"machine_cpu_pct"`
	// OthersCPUPct is the machine's less the server's and the
	// generator's: other work on the machine.
	OthersCPUPct float64 `json:"others_cpu_pct"`
}

// RunConfig records how the run was made.
type RunConfig struct {
	Target         string   `json:"target"`           // the server
	WS             int      `json:"ws"`               // WebSocket clients asked for
	SSE            int      `json:"sse"`              // SSE clients asked for
	DurationS      float64  `json:"duration_s"`       // the window, seconds
	WarmupS        float64  `json:"warmup_s"`         // the warmup, seconds
	Symbols        []string `json:"symbols"`          // of the WebSocket clients (orders: the first)
	Channels       []string `json:"channels"`         // of the WebSocket clients; empty: idle
	SSEChannels    []string `json:"sse_channels"`     // of the SSE clients
	SSESymbols     []string `json:"sse_symbols"`      // of the SSE clients; empty: every symbol
	Ramp           float64  `json:"ramp"`             // connections opened per second
	SourceIPs      []string `json:"source_ips"`       // local addresses used
	Orders         float64  `json:"orders"`           // orders per second; 0: passive
	Workers        int      `json:"workers"`          // worker processes (1: in-process); with orders, the traders' own included
	ReadBufferSize int      `json:"read_buffer_size"` // per client, bytes
	Books          bool     `json:"books"`            // books rebuilt and checksummed
	Format         string   `json:"format"`           // WebSocket subprotocol
	Started        string   `json:"started"`          // RFC 3339, UTC
	// Command is the command line that made the run, Label what the run
	// was told of the server under test (tickbench --label), if known.
	Command string `json:"command,omitempty"`
	Label   string `json:"label,omitempty"`
	// Stalled is the number of stalled clients asked for, StalledRcvBuf
	// their SO_RCVBUF.
	Stalled       int `json:"stalled,omitempty"`
	StalledRcvBuf int `json:"stalled_rcvbuf,omitempty"`
	// CPUs are the CPUs the generator ran on (Config.CPUs, in the format of
	// taskset -c); empty: wherever the system put it. TraderRT: the order
	// worker's threads ran SCHED_FIFO at priority 1 (Config.TraderRT).
	CPUs     string `json:"cpus,omitempty"`
	TraderRT bool   `json:"trader_rt,omitempty"`
}

// runHists are a run's merged latency histograms.
type runHists struct {
	WS, SSE, Ack, Fill, Trade *hdr.Histogram
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
