package bench

import (
	"encoding/json"
	"io"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Report is the result of a run, written by --out as JSON:
//
//	{"ws":{…},"sse":{…},"orders":{…},"server":{…},"config":{…},"machine":{…}}
//
// ws and sse have the same keys (KindReport); orders is present in the
// active mode only.
type Report struct {
	WS      KindReport    `json:"ws"`               // the WebSocket clients
	SSE     KindReport    `json:"sse"`              // the SSE clients
	Orders  *OrdersReport `json:"orders,omitempty"` // the active mode; nil when passive
	Server  ServerReport  `json:"server"`           // from the server's /metrics
	Config  RunConfig     `json:"config"`           // how the run was made
	Machine Machine       `json:"machine"`          // where it was made

	hists  runHists     // full distributions, for the plots
	detail serverDetail // what the table shows besides Server
}

// KindReport measures one kind of client (WebSocket or SSE).
type KindReport struct {
	// Clients is the number connected when the window opened.
	Clients int64 `json:"clients"`
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
	// Disconnects counts connections that ended, by WebSocket close code
	// ("1006": without a close frame, "4008": slow consumer) or, for SSE,
	// "eof" (the server ended the stream) and "error"; "connect_failed"
	// counts first connections that never came up.
	Disconnects map[string]int64 `json:"disconnects"`
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
}

// ServerReport is read from the server's /metrics: CPU over the window in
// percent of one core, resident memory and goroutines at its end.
type ServerReport struct {
	CPUPct     float64 `json:"cpu_pct"`    // process_cpu_seconds_total over the window, % of one core
	RSSBytes   int64   `json:"rss_bytes"`  // process_resident_memory_bytes at the end of the window
	Goroutines int64   `json:"goroutines"` // go_goroutines at the end of the window
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
	Workers        int      `json:"workers"`          // worker processes (1: in-process)
	ReadBufferSize int      `json:"read_buffer_size"` // per client, bytes
	Books          bool     `json:"books"`            // books rebuilt and checksummed
	Format         string   `json:"format"`           // WebSocket subprotocol
	Started        string   `json:"started"`          // RFC 3339, UTC
}

// runHists are a run's merged latency histograms.
type runHists struct {
	WS, SSE, Ack, Fill, Trade *hdr.Histogram
}

// serverDetail is the server's side of the run beyond ServerReport.
type serverDetail struct {
	BaselineRSS float64 // before any connection of this run
	SentPerSec  float64 // tickcast_messages_sent_total over the window
	Conflations float64 // in the window
	SlowCutoffs float64 // in the window
	Conns       float64 // WebSocket sessions + SSE viewers at the end of the window
}

// RSSPerConn is the server's resident memory growth per connection: its
// RSS at the end of the window less the baseline, over the connections
// it then held.
func (r *Report) RSSPerConn() float64 {
	if r.detail.Conns <= 0 {
		return 0
	}
	return (float64(r.Server.RSSBytes) - r.detail.BaselineRSS) / r.detail.Conns
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// merged accumulates the workers' results.
type merged struct {
	ws, sse       kindMerge
	orders        *OrdersReport
	ack, fill, tr *hdr.Histogram
}

type kindMerge struct {
	rep  KindReport
	hist *hdr.Histogram
}

func newMerged() *merged {
	return &merged{ws: kindMerge{hist: newHist()}, sse: kindMerge{hist: newHist()}}
}

// add merges one worker's result.
func (m *merged) add(res *workerResult) error {
	for _, k := range []struct {
		dst *kindMerge
		src *kindResult
	}{{&m.ws, &res.WS}, {&m.sse, &res.SSE}} {
		h, err := decodeHist(k.src.Hist)
		if err != nil {
			return err
		}
		mergeInto(k.dst.hist, h)
		r := &k.dst.rep
		r.Clients += k.src.Clients
		r.Delivered += k.src.Delivered
		if k.src.WindowNS > 0 {
			r.MsgsPerSec += float64(k.src.Delivered) / time.Duration(k.src.WindowNS).Seconds()
		}
		r.Gaps += k.src.Gaps
		r.Conflated += k.src.Conflated
		if r.Disconnects == nil {
			r.Disconnects = map[string]int64{}
		}
		for code, n := range k.src.Disconnects {
			r.Disconnects[code] += n
		}
	}
	if o := res.Orders; o != nil {
		if m.orders == nil {
			m.orders = &OrdersReport{Rejected: map[string]int64{}}
			m.ack, m.fill, m.tr = newHist(), newHist(), newHist()
		}
		for _, p := range []struct {
			dst *hdr.Histogram
			src string
		}{{m.ack, o.Ack}, {m.fill, o.Fill}, {m.tr, o.Trade}} {
			h, err := decodeHist(p.src)
			if err != nil {
				return err
			}
			mergeInto(p.dst, h)
		}
		r := m.orders
		r.Rate += o.Rate
		r.Sent += o.Sent
		r.Acked += o.Acked
		r.Filled += o.Filled
		r.Unfilled += o.Unfilled
		r.Unanswered += o.Unanswered
		r.Failed += o.Failed
		r.TradeMissed += o.Missed
		for reason, n := range o.Rejected {
			r.Rejected[reason] += n
		}
	}
	return nil
}

// report builds the Report of the merged results.
func (m *merged) report() *Report {
	r := &Report{WS: m.ws.rep, SSE: m.sse.rep, Orders: m.orders}
	r.WS.LatencyNS = latencyOf(m.ws.hist)
	r.SSE.LatencyNS = latencyOf(m.sse.hist)
	for _, k := range []*KindReport{&r.WS, &r.SSE} {
		if k.Disconnects == nil {
			k.Disconnects = map[string]int64{}
		}
	}
	r.hists = runHists{WS: m.ws.hist, SSE: m.sse.hist}
	if m.orders != nil {
		m.orders.AckNS, m.orders.FillNS, m.orders.TradeNS = latencyOf(m.ack), latencyOf(m.fill), latencyOf(m.tr)
		m.orders.TradeSeen = m.tr.TotalCount()
		r.hists.Ack, r.hists.Fill, r.hists.Trade = m.ack, m.fill, m.tr
	}
	return r
}
